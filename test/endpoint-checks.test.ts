import { App, aws_iam as iam, aws_sagemaker as sagemaker, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import {
  ExistingEndpoint,
  ExistingModel,
  InferenceExperiment,
  InstanceType,
  ModelVariant,
  PromotedInstanceSettings,
  ShadowModeConfig,
} from '../src';

const ACCOUNT = '123456789012';
type ProductionVariant = sagemaker.CfnEndpointConfig.ProductionVariantProperty;

/** An app's endpoint, its configuration and two models, which each test bends one way. */
class EndpointApp {
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
    this.production = ModelVariant.realTime({ variantName: 'production', model: this.productionModel, instanceType: InstanceType.ML_M5_XLARGE });
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
  public synthError(): string | undefined {
    try {
      Template.fromStack(this.stack);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }

  public warnings(): string[] {
    return Annotations.fromStack(this.stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
  }
}

const variant = (props: Partial<ProductionVariant> = {}): ProductionVariant => ({
  variantName: 'production', modelName: 'production-model', instanceType: 'ml.m5.xlarge', initialInstanceCount: 1, ...props,
});

describe('an endpoint configuration written from the production variant', () => {
  test('synthesizes with no error and no warning', () => {
    const app = new EndpointApp();
    app.experiment();
    expect(app.synthError()).toBeUndefined();
    expect(app.warnings()).toEqual([]);
  });

  test('toProductionVariant() renders the name, the model, the instances and a weight of 1', () => {
    const app = new EndpointApp();
    const bigger = ModelVariant.realTime({ variantName: 'v', model: app.productionModel, instanceType: InstanceType.ML_G5_2XLARGE, instanceCount: 3 });
    expect(app.stack.resolve(bigger.toProductionVariant())).toEqual({
      variantName: 'v',
      modelName: { 'Fn::GetAtt': ['ProductionModel', 'ModelName'] },
      instanceType: 'ml.g5.2xlarge',
      initialInstanceCount: 3,
      initialVariantWeight: 1,
    });
    const existing = ModelVariant.realTime({
      variantName: 'v', model: ExistingModel.fromModelName(app.stack, 'Existing', 'Fraud-V1'), instanceType: InstanceType.ML_M5_XLARGE,
    });
    expect(existing.toProductionVariant().modelName).toBe('Fraud-V1');
  });

  test('toProductionVariant() refuses a model known only by its ARN', () => {
    const app = new EndpointApp();
    const arnOnly = new (class extends Construct {
      public readonly modelRef = { modelArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/m` };
    })(app.stack, 'ArnOnly');
    const v = ModelVariant.realTime({ variantName: 'v', model: arnOnly as any, instanceType: InstanceType.ML_M5_XLARGE });
    expect(() => v.toProductionVariant()).toThrow(/toProductionVariant\(\) needs the model's name, and the model 'EndpointStack\/ArnOnly' exposes only its ARN/);
  });
});

describe('the endpoint configuration is found', () => {
  const mismatch = /shadowMode\.production\.variantName: got "other"; must be the production variant of the endpoint configuration 'EndpointStack\/EndpointConfig', which has 'production'/;

  test.each([
    ['Fn::GetAtt EndpointConfigName', (config: sagemaker.CfnEndpointConfig) => config.attrEndpointConfigName],
    ['Ref', (config: sagemaker.CfnEndpointConfig) => config.ref],
    ['the same literal name', (config: sagemaker.CfnEndpointConfig) => {
      config.endpointConfigName = 'shadow-config';
      return 'shadow-config';
    }],
  ])('by %s', (_how, nameOf) => {
    const app = new EndpointApp();
    const endpoint = new sagemaker.CfnEndpoint(app.stack, 'Other', { endpointConfigName: nameOf(app.config) });
    app.experiment({ endpoint, production: ModelVariant.realTime({ variantName: 'other', model: app.productionModel, instanceType: InstanceType.ML_M5_XLARGE }) });
    expect(app.synthError()).toMatch(mismatch);
  });

  test('through an L2 endpoint whose default child is the CfnEndpoint', () => {
    const app = new EndpointApp();
    class Endpoint extends Construct {
      public readonly endpointName: string;
      public readonly endpointRef: { endpointArn: string };
      constructor(scope: Construct, id: string) {
        super(scope, id);
        const resource = new sagemaker.CfnEndpoint(this, 'Resource', { endpointConfigName: app.config.attrEndpointConfigName });
        this.endpointName = resource.attrEndpointName;
        this.endpointRef = { endpointArn: resource.ref };
      }
    }
    app.experiment({
      endpoint: new Endpoint(app.stack, 'L2Endpoint'),
      production: ModelVariant.realTime({ variantName: 'other', model: app.productionModel, instanceType: InstanceType.ML_M5_XLARGE }),
    });
    expect(app.synthError()).toMatch(mismatch);
  });

  test('after the experiment is created: the L1 can still change until synthesis', () => {
    const app = new EndpointApp();
    app.experiment();
    app.config.productionVariants = [variant({ variantName: 'renamed', modelName: app.productionModel.attrModelName })];
    expect(app.synthError()).toMatch(/shadowMode\.production\.variantName: got "production"; must be the production variant of .* which has 'renamed'/);
  });
});

describe('nothing is checked where the app does not define the configuration', () => {
  test.each([
    ['an existing endpoint', (app: EndpointApp) => ExistingEndpoint.fromEndpointName(app.stack, 'Existing', 'prod-endpoint')],
    ['a CfnEndpoint on a configuration outside the app', (app: EndpointApp) =>
      new sagemaker.CfnEndpoint(app.stack, 'Outside', { endpointConfigName: 'made-elsewhere' })],
  ])('%s', (_what, endpointOf) => {
    const app = new EndpointApp((a) => ({ productionVariants: [variant({ variantName: 'x', modelName: a.productionModel.attrModelName })] }));
    app.experiment({ endpoint: endpointOf(app) });
    expect(app.synthError()).toBeUndefined();
  });

  test('production variants given as a token', () => {
    const app = new EndpointApp(() => ({ productionVariants: Lazy.any({ produce: () => [variant({ variantName: 'x' })] }) as any }));
    app.experiment();
    expect(app.synthError()).toBeUndefined();
  });

  test('a literal name that matches a configuration of another region', () => {
    const app = new EndpointApp();
    const elsewhere = new Stack(app.app, 'Elsewhere', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    new sagemaker.CfnEndpointConfig(elsewhere, 'Config', { endpointConfigName: 'shared-name', productionVariants: [variant({ variantName: 'x' })] });
    app.experiment({ endpoint: new sagemaker.CfnEndpoint(app.stack, 'ByName', { endpointConfigName: 'shared-name' }) });
    expect(app.synthError()).toBeUndefined();
  });
});

describe('endpoints that shadow tests exclude fail at synth, naming the configuration and what to change', () => {
  test.each<[string, (app: EndpointApp) => Partial<sagemaker.CfnEndpointConfigProps>, RegExp]>([
    ['asynchronous inference', () => ({ asyncInferenceConfig: { outputConfig: { s3OutputPath: 's3://bucket/out' } } }),
      /endpoint: got the endpoint configuration 'EndpointStack\/EndpointConfig', which has an asyncInferenceConfig \(asynchronous inference\); shadow tests exclude such endpoints\. Run the test on a real-time endpoint/],
    ['a shadow variant already', (app) => ({ shadowProductionVariants: [variant({ variantName: 'old-shadow', modelName: app.candidateModel.attrModelName })] }),
      /endpoint: got .*, which has shadowProductionVariants already; .* Remove them/],
    ['two production variants', (app) => ({
      productionVariants: [app.production.toProductionVariant(), variant({ variantName: 'second', modelName: app.candidateModel.attrModelName })],
    }), /endpoint: got .*, which has 2 production variants; .*exactly one production variant/],
    ['serverless inference', (app) => ({
      productionVariants: [{
        ...app.production.toProductionVariant(),
        instanceType: undefined,
        initialInstanceCount: undefined,
        serverlessConfig: { maxConcurrency: 5, memorySizeInMb: 2048 },
      }],
    }), /endpoint: got .*, whose variant 'production' has a serverlessConfig \(serverless inference\)/],
    ['Elastic Inference', (app) => ({ productionVariants: [{ ...app.production.toProductionVariant(), acceleratorType: 'ml.eia2.medium' }] }),
      /endpoint: got .*, whose variant 'production' has an acceleratorType \(Elastic Inference\); .* Remove acceleratorType/],
    ['Inf1 instances', (app) => ({ productionVariants: [{ ...app.production.toProductionVariant(), instanceType: 'ml.inf1.xlarge' }] }),
      /endpoint: got .*, whose variant 'production' uses ml\.inf1\.xlarge \(Inferentia 1\)/],
  ])('%s', (_kind, configure, expected) => {
    const app = new EndpointApp(configure);
    app.experiment();
    expect(app.synthError()).toMatch(expected);
  });

  test('a configuration whose model is multi-model', () => {
    const app = new EndpointApp((a) => ({
      productionVariants: [variant({ modelName: a.model('MultiModel', { primaryContainer: { image: 'i', mode: 'MultiModel' } }).attrModelName })],
    }));
    app.experiment();
    expect(app.synthError()).toMatch(/endpoint: got .*, whose variant 'production' hosts 'EndpointStack\/MultiModel', a multi-model model \(mode: MultiModel\)/);
  });

  test('every problem in one error', () => {
    const app = new EndpointApp((a) => ({
      asyncInferenceConfig: { outputConfig: {} },
      productionVariants: [variant({ variantName: 'a', modelName: a.productionModel.attrModelName }), variant({ variantName: 'candidate' })],
    }));
    app.experiment();
    const message = app.synthError()!;
    expect(message).toMatch(/is invalid \(4 problems\)/);
    expect(message).toMatch(/asyncInferenceConfig/);
    expect(message).toMatch(/2 production variants/);
    expect(message).toMatch(/shadowMode\.production\.variantName: got "production"/);
    expect(message).toMatch(/shadowMode\.shadow\.variantName: got "candidate"; must not be the name of a variant that the endpoint hosts already/);
  });
});

describe('models that shadow tests exclude fail at synth', () => {
  test.each([
    ['multi-model', { primaryContainer: { image: 'i', mode: 'MultiModel' } }, /a multi-model model \(mode: MultiModel\)/],
    ['multi-model in a container list', { containers: [{ image: 'i', mode: 'MultiModel' }] }, /a multi-model model/],
    ['multi-container', { containers: [{ image: 'a' }, { image: 'b' }] }, /a multi-container model \(2 containers\)/],
  ])('%s', (_kind, props, expected) => {
    const app = new EndpointApp();
    const model = app.model('Excluded', props as Partial<sagemaker.CfnModelProps>);
    app.experiment({ shadow: ModelVariant.realTime({ variantName: 'candidate', model, instanceType: InstanceType.ML_M5_XLARGE }) });
    const message = app.synthError()!;
    expect(message).toMatch(/shadowMode\.shadow\.model: got 'EndpointStack\/Excluded', /);
    expect(message).toMatch(expected);
    expect(message).toMatch(/Host the model in a single container/);
  });

  test('on an endpoint outside the app too', () => {
    const app = new EndpointApp();
    const model = app.model('Excluded', { containers: [{ image: 'a' }, { image: 'b' }] });
    app.experiment({
      endpoint: ExistingEndpoint.fromEndpointName(app.stack, 'Existing', 'existing'),
      production: ModelVariant.realTime({ variantName: 'production', model, instanceType: InstanceType.ML_M5_XLARGE }),
    });
    expect(app.synthError()).toMatch(/shadowMode\.production\.model: got 'EndpointStack\/Excluded', a multi-container model/);
  });

  test('a single container is accepted', () => {
    const app = new EndpointApp();
    const model = app.model('Single', { containers: [{ image: 'a', mode: 'SingleModel' }] });
    app.experiment({ shadow: ModelVariant.realTime({ variantName: 'candidate', model, instanceType: InstanceType.ML_M5_XLARGE }) });
    expect(app.synthError()).toBeUndefined();
  });
});

describe('what SageMaker accepts but surprises users is warned of, with stable ids', () => {
  test('cdk-sagemaker-inference-experiment:productionModelDiffersFromEndpoint', () => {
    const app = new EndpointApp();
    app.experiment({ production: ModelVariant.realTime({ variantName: 'production', model: app.candidateModel, instanceType: InstanceType.ML_M5_XLARGE }) });
    expect(app.synthError()).toBeUndefined();
    expect(app.warnings()).toEqual([expect.stringMatching(
      /^The production variant 'production' hosts another model in the test than in the endpoint configuration 'EndpointStack\/EndpointConfig'.*\[ack: cdk-sagemaker-inference-experiment:productionModelDiffersFromEndpoint\]$/)]);
  });

  test('models compared by their literal names', () => {
    const app = new EndpointApp(() => ({ productionVariants: [variant({ modelName: 'model-a' })] }));
    const model = (name: string, id: string) => ModelVariant.realTime({
      variantName: 'production', model: ExistingModel.fromModelName(app.stack, id, name), instanceType: InstanceType.ML_M5_XLARGE,
    });
    app.experiment({ production: model('model-a', 'Same') });
    expect(app.warnings()).toEqual([]);
    const other = new EndpointApp(() => ({ productionVariants: [variant({ modelName: 'model-a' })] }));
    other.experiment({
      production: ModelVariant.realTime({
        variantName: 'production', model: ExistingModel.fromModelName(other.stack, 'Other', 'model-b'), instanceType: InstanceType.ML_M5_XLARGE,
      }),
    });
    expect(other.warnings()).toEqual([expect.stringMatching(/productionModelDiffersFromEndpoint/)]);
  });

  test.each([
    ['instance type', { instanceType: InstanceType.ML_C5_XLARGE }, /runs on 1 ml\.c5\.xlarge in the test, and on 1 ml\.m5\.xlarge in the endpoint configuration/],
    ['instance count', { instanceCount: 3 }, /runs on 3 ml\.m5\.xlarge in the test, and on 1 ml\.m5\.xlarge/],
  ])('cdk-sagemaker-inference-experiment:productionInstancesDifferFromEndpoint, for the %s', (_what, overrides, expected) => {
    const app = new EndpointApp();
    app.experiment({ production: ModelVariant.realTime({ variantName: 'production', model: app.productionModel, instanceType: InstanceType.ML_M5_XLARGE, ...overrides }) });
    const warnings = app.warnings();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(expected);
    expect(warnings[0]).toMatch(/autoscaled capacity included.*\[ack: cdk-sagemaker-inference-experiment:productionInstancesDifferFromEndpoint\]$/);
  });

  test('a warning is raised once, however many times the app is synthesized', () => {
    const app = new EndpointApp();
    app.experiment({ production: ModelVariant.realTime({ variantName: 'production', model: app.productionModel, instanceType: InstanceType.ML_C5_XLARGE }) });
    Template.fromStack(app.stack);
    app.app.synth({ force: true });
    expect(app.warnings()).toHaveLength(1);
  });
});

describe('a concluded test', () => {
  test('accepts the endpoint configuration written from the variant that the outcome leaves', () => {
    const app = new EndpointApp();
    const experiment = app.experiment({ production: app.production });
    experiment.promoteShadow({ reason: 'better' });
    app.config.productionVariants = [experiment.productionVariantAfterTest.toProductionVariant()];
    expect(app.synthError()).toBeUndefined();
    expect(app.warnings().filter((w) => !w.includes('conclusionEndsExistingTestOnly'))).toEqual([]);
  });

  test('productionVariantAfterTest follows the outcome and the promotion\'s instance settings', () => {
    const app = new EndpointApp();
    const production = ModelVariant.realTime({ variantName: 'production', model: app.productionModel, instanceType: InstanceType.ML_C5_XLARGE, instanceCount: 2 });
    const shadow = ModelVariant.realTime({ variantName: 'candidate', model: app.candidateModel, instanceType: InstanceType.ML_G5_XLARGE });
    const running = app.experiment({ production, shadow, id: 'Running', endpoint: ExistingEndpoint.fromEndpointName(app.stack, 'E1', 'e1') });
    expect(running.productionVariantAfterTest).toBe(production);

    const kept = app.experiment({ production, shadow, id: 'Kept', endpoint: ExistingEndpoint.fromEndpointName(app.stack, 'E2', 'e2') });
    kept.keepProduction();
    expect(kept.productionVariantAfterTest).toBe(production);

    const promoted = app.experiment({ production, shadow, id: 'Promoted', endpoint: ExistingEndpoint.fromEndpointName(app.stack, 'E3', 'e3') });
    promoted.promoteShadow();
    expect(promoted.productionVariantAfterTest.toProductionVariant()).toEqual({
      ...shadow.toProductionVariant(), instanceType: 'ml.c5.xlarge', initialInstanceCount: 2,
    });

    const promotedOnItsOwn = app.experiment({ production, shadow, id: 'Own', endpoint: ExistingEndpoint.fromEndpointName(app.stack, 'E4', 'e4') });
    promotedOnItsOwn.promoteShadow({ instanceSettings: PromotedInstanceSettings.SHADOW });
    expect(promotedOnItsOwn.productionVariantAfterTest).toBe(shadow);
  });
});

describe('one test per endpoint', () => {
  test('a second experiment on the same CfnEndpoint fails, naming both', () => {
    const app = new EndpointApp();
    app.experiment({ id: 'First' });
    expect(() => app.experiment({ id: 'Second' })).toThrow(
      /InferenceExperiment 'EndpointStack\/Second' is invalid \(1 problem\):\n {2}- endpoint: got 'EndpointStack\/Endpoint', the endpoint of the shadow test 'EndpointStack\/First' too; an endpoint runs one shadow test at a time/);
  });

  test('the same name in the same account and region is the same endpoint, whatever its case and its stack', () => {
    const app = new EndpointApp();
    app.experiment({ id: 'First', endpoint: ExistingEndpoint.fromEndpointName(app.stack, 'A', 'Prod-Endpoint') });
    const other = new Stack(app.app, 'Other', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const model = ExistingModel.fromModelName(other, 'Model', 'm');
    expect(() => new InferenceExperiment(other, 'Second', {
      endpoint: ExistingEndpoint.fromEndpointName(other, 'B', 'prod-endpoint'),
      shadowMode: ShadowModeConfig.of({
        production: ModelVariant.realTime({ variantName: 'p', model, instanceType: InstanceType.ML_M5_XLARGE }),
        shadow: ModelVariant.realTime({ variantName: 's', model, instanceType: InstanceType.ML_M5_XLARGE }),
        samplingPercentage: 10,
      }),
    })).toThrow(/'Other\/B', the endpoint of the shadow test 'EndpointStack\/First' too/);
  });

  test('a CfnEndpoint and an existing endpoint of the same name are the same endpoint', () => {
    const app = new EndpointApp();
    app.endpoint.endpointName = 'named-endpoint';
    app.experiment({ id: 'First' });
    expect(() => app.experiment({ id: 'Second', endpoint: ExistingEndpoint.fromEndpointName(app.stack, 'ByName', 'named-endpoint') }))
      .toThrow(/the endpoint of the shadow test 'EndpointStack\/First' too/);
  });

  test('the same name in other regions, or in stacks whose environment is unknown, may be other endpoints', () => {
    const app = new App();
    const experimentIn = (stack: Stack) => {
      const model = ExistingModel.fromModelName(stack, 'Model', 'm');
      return new InferenceExperiment(stack, 'Experiment', {
        endpoint: ExistingEndpoint.fromEndpointName(stack, 'Endpoint', 'prod'),
        shadowMode: ShadowModeConfig.of({
          production: ModelVariant.realTime({ variantName: 'p', model, instanceType: InstanceType.ML_M5_XLARGE }),
          shadow: ModelVariant.realTime({ variantName: 's', model, instanceType: InstanceType.ML_M5_XLARGE }),
          samplingPercentage: 10,
        }),
      });
    };
    experimentIn(new Stack(app, 'East', { env: { account: ACCOUNT, region: 'us-east-1' } }));
    experimentIn(new Stack(app, 'West', { env: { account: ACCOUNT, region: 'us-west-2' } }));
    experimentIn(new Stack(app, 'AgnosticA'));
    expect(() => experimentIn(new Stack(app, 'AgnosticB'))).not.toThrow();
  });

  test('an experiment that fails does not hold the endpoint', () => {
    const app = new EndpointApp();
    expect(() => new InferenceExperiment(app.stack, 'Invalid', {
      endpoint: app.endpoint,
      description: '',
      shadowMode: ShadowModeConfig.of({ production: app.production, shadow: app.shadow, samplingPercentage: 100 }),
    })).toThrow(/description/);
    expect(() => app.experiment()).not.toThrow();
  });
});

describe('one environment', () => {
  test('an endpoint of another region fails, naming both environments', () => {
    const app = new EndpointApp();
    const west = new Stack(app.app, 'West', { env: { account: ACCOUNT, region: 'us-west-2' } });
    const endpoint = new sagemaker.CfnEndpoint(west, 'Endpoint', { endpointConfigName: 'config' });
    expect(() => app.experiment({ endpoint })).toThrow(
      /endpoint: got 'West\/Endpoint', in account 123456789012, region us-west-2; must be in the experiment's own account 123456789012, region us-east-1/);
  });

  test('a model of another account fails', () => {
    const app = new EndpointApp();
    const other = new Stack(app.app, 'Other', { env: { account: '210987654321', region: 'us-east-1' } });
    const model = new sagemaker.CfnModel(other, 'Model', { executionRoleArn: 'arn:aws:iam::210987654321:role/r' });
    expect(() => app.experiment({ shadow: ModelVariant.realTime({ variantName: 'candidate', model, instanceType: InstanceType.ML_M5_XLARGE }) }))
      .toThrow(/shadowMode\.shadow\.model: got 'Other\/Model', in account 210987654321, region us-east-1; must be in the experiment's own account 123456789012/);
  });

  test('an environment known only at deploy time is accepted', () => {
    const app = new EndpointApp();
    const agnostic = new Stack(app.app, 'Agnostic');
    const endpoint = new sagemaker.CfnEndpoint(agnostic, 'Endpoint', { endpointConfigName: 'config' });
    expect(() => app.experiment({ endpoint })).not.toThrow();
  });
});
