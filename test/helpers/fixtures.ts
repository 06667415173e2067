import * as cdk from 'aws-cdk-lib';
import { App, aws_iam as iam, aws_kms as kms, aws_s3 as s3, aws_sagemaker as sagemaker, Stack } from 'aws-cdk-lib';
import { takePrinted } from './quiet-log';
import {
  DataCapture,
  InferenceExperiment,
  InferenceExperimentProps,
  InstanceType,
  ModelVariant,
  Schedule,
  ShadowModeConfig,
} from '../../src';

/**
 * Whether this aws-cdk-lib checks every template that it synthesizes against CloudFormation's rules (the floor does
 * not; newer releases do, and print what they find with console.error, as warnings).
 */
export const VALIDATES_TEMPLATES = 'Validations' in cdk;

/**
 * Takes what aws-cdk-lib's template validation printed since the last call (see ./quiet-log.ts), and returns the ids
 * of the rules it reported (such as `E3642`), sorted, each once: none with an aws-cdk-lib that does not validate.
 */
export function takeTemplateFindings(): string[] {
  const reports = takePrinted('(CloudFormation Validate)').join('\n');
  return [...new Set([...reports.matchAll(/Acknowledge with 'CloudFormation-Validate::(\w+)'/g)].map(([, id]) => id))].sort();
}

export interface VariantOverrides {
  readonly variantName?: string;
  readonly instanceType?: InstanceType;
  readonly instanceCount?: number;
}

/** A stack with a fixed account and region, so that ARNs are predictable. */
export function newStack(id = 'TestStack'): Stack {
  return new Stack(new App(), id, { env: { account: '123456789012', region: 'us-east-1' } });
}

/** An endpoint hosting the production model, two models and the models' role: what every shadow test needs. */
export class ShadowTestParts {
  public readonly role: iam.Role;
  public readonly productionModel: sagemaker.CfnModel;
  public readonly candidateModel: sagemaker.CfnModel;
  public readonly endpointConfig: sagemaker.CfnEndpointConfig;
  public readonly endpoint: sagemaker.CfnEndpoint;

  constructor(public readonly stack: Stack) {
    this.role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    this.productionModel = new sagemaker.CfnModel(stack, 'ProductionModel', { executionRoleArn: this.role.roleArn });
    this.candidateModel = new sagemaker.CfnModel(stack, 'CandidateModel', { executionRoleArn: this.role.roleArn });
    this.endpointConfig = new sagemaker.CfnEndpointConfig(stack, 'EndpointConfig', {
      productionVariants: [this.production().toProductionVariant()],
    });
    this.endpoint = this.newEndpoint('Endpoint');
  }

  /** Another endpoint on the same configuration: an endpoint runs one shadow test at a time. */
  public newEndpoint(id: string): sagemaker.CfnEndpoint {
    return new sagemaker.CfnEndpoint(this.stack, id, { endpointConfigName: this.endpointConfig.attrEndpointConfigName });
  }

  public production(overrides: VariantOverrides = {}): ModelVariant {
    return this.variant('production', this.productionModel, overrides);
  }

  public shadow(overrides: VariantOverrides = {}): ModelVariant {
    return this.variant('candidate', this.candidateModel, overrides);
  }

  private variant(variantName: string, model: sagemaker.CfnModel, overrides: VariantOverrides): ModelVariant {
    return ModelVariant.realTime({ variantName, model, instanceType: InstanceType.ML_M5_XLARGE, ...overrides });
  }

  /** The required properties only. */
  public minimalProps(): InferenceExperimentProps {
    return {
      endpoint: this.endpoint,
      shadowMode: ShadowModeConfig.of({ production: this.production(), shadow: this.shadow(), samplingPercentage: 100 }),
    };
  }

  /** Every property set (the role too). */
  public fullProps(): InferenceExperimentProps {
    const key = new kms.Key(this.stack, 'Key');
    const bucket = new s3.Bucket(this.stack, 'Captures', { encryptionKey: key });
    return {
      ...this.minimalProps(),
      role: this.role,
      inferenceExperimentName: 'candidate-v2-shadow-test',
      description: 'Candidate v2 against production',
      schedule: Schedule.between(new Date('2027-01-04T09:00:00Z'), new Date('2027-01-18T09:00:00Z')),
      volumeEncryptionKey: key,
      dataCapture: DataCapture.toBucket(bucket, {
        prefix: 'captures/',
        encryptionKey: key,
        csvContentTypes: ['text/csv'],
        jsonContentTypes: ['application/json', 'application/jsonlines'],
      }),
      shadowMode: ShadowModeConfig.of({
        production: this.production({ instanceType: InstanceType.ML_C5_XLARGE, instanceCount: 2 }),
        shadow: this.shadow({ instanceType: InstanceType.ML_C5_2XLARGE, instanceCount: 1 }),
        samplingPercentage: 50,
      }),
      tags: { 'team': 'ml-platform', 'cost-center': '1234' },
    };
  }

  /**
   * An experiment of `props` over the minimal ones. The endpoint's configuration is written from its production
   * variant, as the README recommends, so that only what a test is about differs from the endpoint.
   */
  public experiment(props: Partial<InferenceExperimentProps> = {}, id = 'Experiment'): InferenceExperiment {
    const allProps = { ...this.minimalProps(), ...props };
    this.endpointConfig.productionVariants = [allProps.shadowMode.production.toProductionVariant()];
    return new InferenceExperiment(this.stack, id, allProps);
  }
}
