import { App, aws_iam as iam, aws_sagemaker as sagemaker, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { InferenceExperiment, InstanceType, ModelVariant, RealTimeModelVariantProps, ShadowModeConfig } from '../../src';

export const ACCOUNT = '123456789012';
export type ProductionVariant = sagemaker.CfnEndpointConfig.ProductionVariantProperty;

/** An app's endpoint, its configuration and two models, which each test bends one way. */
export class EndpointApp {
  public readonly app = new App();
  public readonly stack: Stack;
  public readonly role: iam.Role;
  public readonly productionModel: sagemaker.CfnModel;
  public readonly candidateModel: sagemaker.CfnModel;
  public readonly production: ModelVariant;
  public readonly shadow: ModelVariant;
  public readonly config: sagemaker.CfnEndpointConfig;
  public readonly endpoint: sagemaker.CfnEndpoint;

  constructor(configure: (app: EndpointApp) => Partial<sagemaker.CfnEndpointConfigProps> = () => ({})) {
    this.stack = new Stack(this.app, 'EndpointStack', { env: { account: ACCOUNT, region: 'us-east-1' } });
    this.role = new iam.Role(this.stack, 'ModelRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    this.productionModel = this.model('ProductionModel');
    this.candidateModel = this.model('CandidateModel');
    this.production = this.productionVariant();
    this.shadow = ModelVariant.realTime({ variantName: 'candidate', model: this.candidateModel, instanceType: InstanceType.ML_M5_XLARGE });
    this.config = new sagemaker.CfnEndpointConfig(this.stack, 'EndpointConfig', {
      productionVariants: [this.production.toProductionVariant()],
      ...configure(this),
    });
    this.endpoint = new sagemaker.CfnEndpoint(this.stack, 'Endpoint', { endpointConfigName: this.config.attrEndpointConfigName });
  }

  public model(id: string, props: Partial<sagemaker.CfnModelProps> = {}): sagemaker.CfnModel {
    return new sagemaker.CfnModel(this.stack, id, { executionRoleArn: this.role.roleArn, ...props });
  }

  /** The test's production variant: 'production', on the production model and one ml.m5.xlarge, unless overridden. */
  public productionVariant(overrides: Partial<RealTimeModelVariantProps> = {}): ModelVariant {
    return ModelVariant.realTime({ variantName: 'production', model: this.productionModel, instanceType: InstanceType.ML_M5_XLARGE, ...overrides });
  }

  public experiment(overrides: { production?: ModelVariant; shadow?: ModelVariant; endpoint?: any; id?: string } = {}): InferenceExperiment {
    return new InferenceExperiment(this.stack, overrides.id ?? 'Experiment', {
      endpoint: overrides.endpoint ?? this.endpoint,
      shadowMode: ShadowModeConfig.of({
        production: overrides.production ?? this.production,
        shadow: overrides.shadow ?? this.shadow,
        samplingPercentage: 100,
      }),
    });
  }

  /** The error that synthesis fails with, or undefined when it succeeds. */
  public synthFailure(): Error | undefined {
    try {
      Template.fromStack(this.stack);
      return undefined;
    } catch (e) {
      return e as Error;
    }
  }

  /** The message of the error that synthesis fails with, or undefined when it succeeds. */
  public synthError(): string | undefined {
    return this.synthFailure()?.message;
  }

  /** The problems that synthesis reports, each whole: none when it succeeds. */
  public problems(): string[] {
    return [...(this.synthError() ?? '').matchAll(/^ {2}- (.*)$/gm)].map(([, problem]) => problem);
  }

  public warnings(): string[] {
    return Annotations.fromStack(this.stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
  }
}

/** A production variant of an endpoint configuration, as CloudFormation takes it: 'production', unless overridden. */
export const variant = (props: Partial<ProductionVariant> = {}): ProductionVariant => ({
  variantName: 'production', modelName: 'production-model', instanceType: 'ml.m5.xlarge', initialInstanceCount: 1, ...props,
});
