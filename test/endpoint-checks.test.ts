import { App, Aws, aws_sagemaker as sagemaker, CfnCondition, CfnParameter, Fn, Lazy, Stack } from 'aws-cdk-lib';
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
import { ACCOUNT, EndpointApp, variant } from './helpers/endpoint-app';

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

  test('production variants known only at deploy time', () => {
    const app = new EndpointApp();
    const condition = new CfnCondition(app.stack, 'Big', { expression: Fn.conditionEquals(Aws.REGION, 'us-east-1') });
    // Inside an intrinsic function, the variants are written as CloudFormation reads them.
    const cfnVariant = (name: string) => ({ VariantName: name, ModelName: 'production-model', InstanceType: 'ml.m5.xlarge', InitialInstanceCount: 1 });
    app.config.productionVariants = Fn.conditionIf(condition.logicalId, [cfnVariant('x')], [cfnVariant('y')]) as any;
    app.experiment();
    expect(app.synthError()).toBeUndefined();
  });

  test.each([
    ['an import from another stack', () => Fn.importValue('config-name')],
    ['a parameter', (app: EndpointApp) => new CfnParameter(app.stack, 'ConfigName').valueAsString],
    ['a join with a deploy-time value', () => Fn.join('-', ['config', Aws.REGION])],
  ])('a configuration name that is %s', (_what, nameOf) => {
    const app = new EndpointApp((a) => ({ productionVariants: [variant({ variantName: 'x', modelName: a.productionModel.attrModelName })] }));
    app.endpoint.endpointConfigName = nameOf(app);
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

describe('the checks read the template: overrides are seen', () => {
  test.each<[string, (app: EndpointApp) => void, RegExp]>([
    ['an Inf1 instance type', (app) => app.config.addPropertyOverride('ProductionVariants.0.InstanceType', 'ml.inf1.xlarge'),
      /endpoint: got .*, whose variant 'production' uses ml\.inf1\.xlarge \(Inferentia 1\)/],
    ['asynchronous inference', (app) => app.config.addOverride('Properties.AsyncInferenceConfig', { OutputConfig: { S3OutputPath: 's3://bucket/out' } }),
      /which has an asyncInferenceConfig \(asynchronous inference\)/],
    ['serverless inference', (app) => app.config.addPropertyOverride('ProductionVariants.0.ServerlessConfig', { MaxConcurrency: 5, MemorySizeInMB: 2048 }),
      /whose variant 'production' has a serverlessConfig/],
    ['Elastic Inference', (app) => app.config.addPropertyOverride('ProductionVariants.0.AcceleratorType', 'ml.eia2.medium'),
      /whose variant 'production' has an acceleratorType \(Elastic Inference\)/],
    ['a second production variant', (app) => app.config.addPropertyOverride('ProductionVariants.1', { VariantName: 'second', ModelName: 'm', InstanceType: 'ml.m5.xlarge', InitialInstanceCount: 1 }),
      /which has 2 production variants/],
    ['a renamed variant', (app) => app.config.addPropertyOverride('ProductionVariants.0.VariantName', 'renamed'),
      /shadowMode\.production\.variantName: got "production"; must be the production variant of .*, which has 'renamed'/],
    ['the shadow variant\'s name on the production variant', (app) => app.config.addPropertyOverride('ProductionVariants.0.VariantName', 'candidate'),
      /shadowMode\.shadow\.variantName: got "candidate"; must not be the name of a variant that the endpoint hosts already/],
    ['two shadow variants', (app) => app.config.addPropertyOverride('ShadowProductionVariants', [
      { VariantName: 'a', ModelName: 'm', InstanceType: 'ml.m5.xlarge', InitialInstanceCount: 1 },
      { VariantName: 'b', ModelName: 'm', InstanceType: 'ml.m5.xlarge', InitialInstanceCount: 1 },
    ]), /which has 2 shadowProductionVariants; an endpoint has at most one shadow variant/],
    ['the configuration\'s model made multi-model', (app) => app.productionModel.addPropertyOverride('PrimaryContainer', { Image: 'i', Mode: 'MultiModel' }),
      /shadowMode\.production\.model: got 'EndpointStack\/ProductionModel', a multi-model model[^]*endpoint: got .*, whose variant 'production' hosts 'EndpointStack\/ProductionModel', a multi-model model/],
    ['another model, multi-container, put in the variant', (app) => app.config.addPropertyOverride('ProductionVariants.0.ModelName',
      app.model('TwoContainers', { containers: [{ image: 'a' }, { image: 'b' }] }).attrModelName),
    /whose variant 'production' hosts 'EndpointStack\/TwoContainers', a multi-container model \(2 containers\)/],
  ])('on the configuration or its model: %s', (_what, override, expected) => {
    const app = new EndpointApp();
    override(app);
    app.experiment();
    expect(app.synthError()).toMatch(expected);
  });

  test.each<[string, (model: sagemaker.CfnModel) => void, RegExp]>([
    ['a multi-model primary container', (model) => model.addPropertyOverride('PrimaryContainer.Mode', 'MultiModel'), /a multi-model model \(mode: MultiModel\)/],
    ['a container list', (model) => model.addOverride('Properties.Containers', [{ Image: 'a' }, { Image: 'b' }]), /a multi-container model \(2 containers\)/],
  ])('on the test\'s model: %s', (_what, override, expected) => {
    const app = new EndpointApp();
    app.candidateModel.primaryContainer = { image: 'i' };
    override(app.candidateModel);
    app.experiment();
    expect(app.synthError()).toMatch(new RegExp(`shadowMode\\.shadow\\.model: got 'EndpointStack/CandidateModel', ${expected.source}`));
  });

  test.each<[string, (app: EndpointApp, asyncConfig: sagemaker.CfnEndpointConfig) => void]>([
    ['a reference to another configuration', (app, asyncConfig) => app.endpoint.addPropertyOverride('EndpointConfigName', asyncConfig.attrEndpointConfigName)],
    ['a Ref written by hand', (app, asyncConfig) => app.endpoint.addOverride('Properties.EndpointConfigName', { Ref: app.stack.getLogicalId(asyncConfig) })],
    ['the literal name of another configuration', (app, asyncConfig) => {
      asyncConfig.endpointConfigName = 'async-config';
      app.endpoint.addPropertyOverride('EndpointConfigName', 'async-config');
    }],
    ['the literal name that an override gives the other configuration', (app, asyncConfig) => {
      asyncConfig.addPropertyOverride('EndpointConfigName', 'async-config');
      app.endpoint.addPropertyOverride('EndpointConfigName', 'async-config');
    }],
  ])('on the endpoint: %s', (_what, override) => {
    const app = new EndpointApp();
    const asyncConfig = new sagemaker.CfnEndpointConfig(app.stack, 'AsyncConfig', {
      productionVariants: [app.production.toProductionVariant()],
      asyncInferenceConfig: { outputConfig: { s3OutputPath: 's3://bucket/out' } },
    });
    override(app, asyncConfig);
    app.experiment();
    expect(app.synthError()).toMatch(/endpoint: got the endpoint configuration 'EndpointStack\/AsyncConfig', which has an asyncInferenceConfig/);
  });

  test('a Lazy value is checked: it is plain in the template', () => {
    const app = new EndpointApp(() => ({ productionVariants: Lazy.any({ produce: () => [variant({ variantName: 'x' })] }) as any }));
    app.experiment();
    expect(app.synthError()).toMatch(/shadowMode\.production\.variantName: got "production"; must be the production variant of .*, which has 'x'/);
  });
});

describe('the checks read the template: overrides that remove a problem are seen', () => {
  test.each<[string, (app: EndpointApp) => Partial<sagemaker.CfnEndpointConfigProps>, (app: EndpointApp) => void]>([
    ['asynchronous inference, deleted', () => ({ asyncInferenceConfig: { outputConfig: { s3OutputPath: 's3://bucket/out' } } }),
      (app) => app.config.addPropertyDeletionOverride('AsyncInferenceConfig')],
    ['asynchronous inference, deleted with addDeletionOverride()', () => ({ asyncInferenceConfig: { outputConfig: { s3OutputPath: 's3://bucket/out' } } }),
      (app) => app.config.addDeletionOverride('Properties.AsyncInferenceConfig')],
    ['Elastic Inference, deleted', (a) => ({ productionVariants: [{ ...a.production.toProductionVariant(), acceleratorType: 'ml.eia2.medium' }] }),
      (app) => app.config.addPropertyDeletionOverride('ProductionVariants.0.AcceleratorType')],
    ['an Inf1 instance type, replaced', (a) => ({ productionVariants: [{ ...a.production.toProductionVariant(), instanceType: 'ml.inf1.xlarge' }] }),
      (app) => app.config.addPropertyOverride('ProductionVariants.0.InstanceType', 'ml.m5.xlarge')],
    ['a variant name, fixed', (a) => ({ productionVariants: [{ ...a.production.toProductionVariant(), variantName: 'wrong' }] }),
      (app) => app.config.addPropertyOverride('ProductionVariants.0.VariantName', 'production')],
    ['a multi-model model, made single-model', () => ({}), (app) => {
      app.productionModel.primaryContainer = { image: 'i', mode: 'MultiModel' };
      app.productionModel.addPropertyOverride('PrimaryContainer.Mode', 'SingleModel');
    }],
    ['the endpoint, moved to a configuration made outside the app', () => ({ asyncInferenceConfig: { outputConfig: {} } }),
      (app) => app.endpoint.addPropertyOverride('EndpointConfigName', 'made-elsewhere')],
  ])('%s', (_what, configure, override) => {
    const app = new EndpointApp(configure);
    app.experiment();
    override(app);
    expect(app.synthError()).toBeUndefined();
    expect(app.warnings()).toEqual([]);
  });

  test('the endpoint, moved off a configuration of the app, is not checked against it any more', () => {
    const app = new EndpointApp();
    app.experiment({ production: ModelVariant.realTime({ variantName: 'production', model: app.productionModel, instanceType: InstanceType.ML_C5_XLARGE }) });
    app.endpoint.addPropertyOverride('EndpointConfigName', Fn.importValue('config-name'));
    expect(app.synthError()).toBeUndefined();
    expect(app.warnings()).toEqual([]);
  });
});

describe('the warnings read the template too', () => {
  test.each<[string, (app: EndpointApp) => void, RegExp]>([
    ['another model, put in by an override', (app) => app.config.addPropertyOverride('ProductionVariants.0.ModelName', app.candidateModel.attrModelName),
      /productionModelDiffersFromEndpoint/],
    ['another instance type, put in by an override', (app) => app.config.addPropertyOverride('ProductionVariants.0.InstanceType', 'ml.c5.xlarge'),
      /runs on 1 ml\.m5\.xlarge in the test, and on 1 ml\.c5\.xlarge in the endpoint configuration.*productionInstancesDifferFromEndpoint/],
    ['another instance count, put in by an override', (app) => app.config.addPropertyOverride('ProductionVariants.0.InitialInstanceCount', 4),
      /runs on 1 ml\.m5\.xlarge in the test, and on 4 ml\.m5\.xlarge/],
    ['a model name that an override gives the test\'s model', (app) => {
      app.config.productionVariants = [variant({ modelName: 'model-a' })];
      app.productionModel.addPropertyOverride('ModelName', 'model-b');
    }, /productionModelDiffersFromEndpoint/],
  ])('%s', (_what, override, expected) => {
    const app = new EndpointApp();
    override(app);
    app.experiment();
    expect(app.synthError()).toBeUndefined();
    expect(app.warnings()).toEqual([expect.stringMatching(expected)]);
  });

  test('an override that gives the test\'s model the configuration\'s literal model name: the same model', () => {
    const app = new EndpointApp(() => ({ productionVariants: [variant({ modelName: 'model-a' })] }));
    app.productionModel.addPropertyOverride('ModelName', 'model-a');
    app.experiment();
    expect(app.synthError()).toBeUndefined();
    expect(app.warnings()).toEqual([]);
  });
});

describe('an endpoint configuration with a shadow variant', () => {
  const withShadow = (name: string) => (app: EndpointApp) => ({
    shadowProductionVariants: [variant({ variantName: name, modelName: app.candidateModel.attrModelName })],
  });

  test('is accepted, with a warning that the test\'s shadow variant takes its place', () => {
    const app = new EndpointApp(withShadow('old-shadow'));
    app.experiment();
    expect(app.synthError()).toBeUndefined();
    expect(app.warnings()).toEqual([expect.stringMatching(new RegExp(
      '^The endpoint configuration \'EndpointStack/EndpointConfig\' has a shadow variant already \\(\'old-shadow\'\\): an endpoint has at ' +
      'most one shadow variant, and then one production variant, so the test\'s shadow variant \'candidate\' takes the place of the ' +
      'configuration\'s while the test runs\\..*\\[ack: cdk-sagemaker-inference-experiment:endpointHasShadowVariant\\]$'))]);
  });

  test('the test\'s shadow variant may have the name of the configuration\'s shadow variant', () => {
    const app = new EndpointApp(withShadow('candidate'));
    app.experiment();
    expect(app.synthError()).toBeUndefined();
    expect(app.warnings()).toEqual([expect.stringMatching(/endpointHasShadowVariant/)]);
  });

  test('the test\'s shadow variant must not have the name of its production variant', () => {
    const app = new EndpointApp(withShadow('old-shadow'));
    app.experiment({
      production: ModelVariant.realTime({ variantName: 'other', model: app.productionModel, instanceType: InstanceType.ML_M5_XLARGE }),
      shadow: ModelVariant.realTime({ variantName: 'production', model: app.candidateModel, instanceType: InstanceType.ML_M5_XLARGE }),
    });
    expect(app.synthError()).toMatch(/shadowMode\.shadow\.variantName: got "production"; must not be the name of a variant that the endpoint hosts already/);
  });

  test('the test\'s production variant must be the configuration\'s production variant, not its shadow variant', () => {
    const app = new EndpointApp(withShadow('old-shadow'));
    app.experiment({ production: ModelVariant.realTime({ variantName: 'old-shadow', model: app.productionModel, instanceType: InstanceType.ML_M5_XLARGE }) });
    expect(app.synthError()).toMatch(/shadowMode\.production\.variantName: got "old-shadow"; must be the production variant of .*, which has 'production'/);
  });

  test('with two production variants fails', () => {
    const app = new EndpointApp((a) => ({
      ...withShadow('old-shadow')(a),
      productionVariants: [a.production.toProductionVariant(), variant({ variantName: 'second', modelName: a.candidateModel.attrModelName })],
    }));
    app.experiment();
    expect(app.synthError()).toMatch(/which has 2 production variants; .*exactly one production variant/);
  });

  test('two shadow variants fail: an endpoint has one at most', () => {
    const app = new EndpointApp((a) => ({
      shadowProductionVariants: [variant({ variantName: 'a', modelName: a.candidateModel.attrModelName }), variant({ variantName: 'b' })],
    }));
    app.experiment();
    expect(app.synthError()).toMatch(
      /endpoint: got the endpoint configuration 'EndpointStack\/EndpointConfig', which has 2 shadowProductionVariants; an endpoint has at most one shadow variant, and the test deploys its own\. Remove them/);
  });

  test('a shadow variant added by an override, or removed by one', () => {
    const added = new EndpointApp();
    added.config.addPropertyOverride('ShadowProductionVariants', [{ VariantName: 'old-shadow', ModelName: 'm', InstanceType: 'ml.m5.xlarge', InitialInstanceCount: 1 }]);
    added.experiment();
    expect(added.warnings()).toEqual([expect.stringMatching(/endpointHasShadowVariant/)]);
    const removed = new EndpointApp(withShadow('old-shadow'));
    removed.config.addPropertyDeletionOverride('ShadowProductionVariants');
    removed.experiment();
    expect(removed.warnings()).toEqual([]);
  });
});

const SELLER_PACKAGE = 'arn:aws:sagemaker:us-east-1:111122223333:model-package/seller-model-v1-0123456789abcdef';

describe('models made from a model package of another account, as AWS Marketplace ones are', () => {
  const marketplaceWarning = (model: string, hostedBy: string) => expect.stringMatching(new RegExp(
    `^The model '${model}', hosted by ${hostedBy}, is made from the model package '${SELLER_PACKAGE}' of another account than the ` +
    'model\'s own \\(123456789012\\), as AWS Marketplace model packages are, and SageMaker documents AWS Marketplace containers as ' +
    'excluded from shadow tests\\. Host the model from an image and model artifacts of your own .*' +
    '\\[ack: cdk-sagemaker-inference-experiment:marketplaceModelPackage\\]$'));

  test.each<[string, Partial<sagemaker.CfnModelProps>]>([
    ['its primary container', { primaryContainer: { modelPackageName: SELLER_PACKAGE } }],
    ['an item of its container list', { containers: [{ modelPackageName: SELLER_PACKAGE }] }],
  ])('are warned of, in %s', (_where, props) => {
    const app = new EndpointApp();
    const model = app.model('Seller', props);
    app.experiment({ shadow: ModelVariant.realTime({ variantName: 'candidate', model, instanceType: InstanceType.ML_M5_XLARGE }) });
    expect(app.synthError()).toBeUndefined();
    expect(app.warnings()).toEqual([marketplaceWarning('EndpointStack/Seller', 'the test\'s shadow variant \'candidate\'')]);
  });

  test('once for a model that the test and the configuration both host', () => {
    const app = new EndpointApp();
    app.productionModel.primaryContainer = { modelPackageName: SELLER_PACKAGE };
    app.experiment();
    expect(app.warnings()).toEqual([marketplaceWarning('EndpointStack/ProductionModel', 'the test\'s production variant \'production\'')]);
  });

  test('in the model of the configuration\'s variant', () => {
    const app = new EndpointApp((a) => ({
      productionVariants: [variant({ modelName: a.model('Seller', { primaryContainer: { modelPackageName: SELLER_PACKAGE } }).attrModelName })],
    }));
    app.experiment();
    expect(app.synthError()).toBeUndefined();
    expect(app.warnings()).toEqual([
      expect.stringMatching(/productionModelDiffersFromEndpoint/),
      marketplaceWarning('EndpointStack/Seller', 'the variant \'production\' of the endpoint configuration \'EndpointStack/EndpointConfig\''),
    ]);
  });

  test('on an endpoint outside the app too', () => {
    const app = new EndpointApp();
    app.productionModel.primaryContainer = { modelPackageName: SELLER_PACKAGE };
    app.experiment({ endpoint: ExistingEndpoint.fromEndpointName(app.stack, 'Existing', 'existing') });
    expect(app.warnings()).toEqual([marketplaceWarning('EndpointStack/ProductionModel', 'the test\'s production variant \'production\'')]);
  });

  test('put in by an override, or taken out by one', () => {
    const added = new EndpointApp();
    added.candidateModel.addPropertyOverride('PrimaryContainer.ModelPackageName', SELLER_PACKAGE);
    added.experiment();
    expect(added.warnings()).toEqual([marketplaceWarning('EndpointStack/CandidateModel', 'the test\'s shadow variant \'candidate\'')]);
    const removed = new EndpointApp();
    removed.candidateModel.primaryContainer = { modelPackageName: SELLER_PACKAGE };
    removed.candidateModel.addPropertyDeletionOverride('PrimaryContainer.ModelPackageName');
    removed.candidateModel.addPropertyOverride('PrimaryContainer.Image', 'my-image');
    removed.experiment();
    expect(removed.warnings()).toEqual([]);
  });

  test('once, however many times the app is synthesized', () => {
    const app = new EndpointApp();
    app.candidateModel.primaryContainer = { modelPackageName: SELLER_PACKAGE };
    app.experiment();
    Template.fromStack(app.stack);
    app.app.synth({ force: true });
    expect(app.warnings()).toHaveLength(1);
  });

  test.each<[string, (app: EndpointApp) => string]>([
    ['a package given by name, of the model\'s own account', () => 'my-registered-model/3'],
    ['a package of the model\'s own account, by ARN', () => `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model-package/my-registered-model/3`],
    ['a package known only at deploy time', (app) => new CfnParameter(app.stack, 'Package').valueAsString],
    ['a package imported from another stack', () => Fn.importValue('package-arn')],
  ])('not for %s', (_what, packageOf) => {
    const app = new EndpointApp();
    app.candidateModel.primaryContainer = { modelPackageName: packageOf(app) };
    app.experiment();
    expect(app.synthError()).toBeUndefined();
    expect(app.warnings()).toEqual([]);
  });

  test('not in a stack whose account is known only at deploy time: the accounts cannot be compared', () => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic');
    const model = new sagemaker.CfnModel(stack, 'Seller', { executionRoleArn: 'arn:aws:iam::123456789012:role/r', primaryContainer: { modelPackageName: SELLER_PACKAGE } });
    const variantOf = (variantName: string) => ModelVariant.realTime({ variantName, model, instanceType: InstanceType.ML_M5_XLARGE });
    new InferenceExperiment(stack, 'Experiment', {
      endpoint: ExistingEndpoint.fromEndpointName(stack, 'Endpoint', 'existing'),
      shadowMode: ShadowModeConfig.of({ production: variantOf('production'), shadow: variantOf('candidate'), samplingPercentage: 100 }),
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('marketplaceModelPackage'))).toEqual([]);
  });
});

describe('the cost of reading the template', () => {
  /** Counts the renderings of each L1 of `app`'s endpoint, configuration and models while `run` runs. */
  function renderingsDuring(app: EndpointApp, run: () => void): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const l1 of [app.endpoint, app.config, app.productionModel, app.candidateModel]) {
      const original = (l1 as any)._toCloudFormation.bind(l1);
      counts[l1.node.id] = 0;
      (l1 as any)._toCloudFormation = () => {
        counts[l1.node.id]++;
        return original();
      };
    }
    run();
    return counts;
  }

  test('nothing is rendered when the experiment is created', () => {
    const app = new EndpointApp();
    expect(renderingsDuring(app, () => app.experiment())).toEqual({ Endpoint: 0, EndpointConfig: 0, ProductionModel: 0, CandidateModel: 0 });
  });

  test('a validation renders each resource once, the production model that the test and the configuration share included', () => {
    const app = new EndpointApp();
    const experiment = app.experiment();
    const once = { Endpoint: 1, EndpointConfig: 1, ProductionModel: 1, CandidateModel: 1 };
    expect(renderingsDuring(app, () => experiment.node.validate())).toEqual(once);
    // The next validation reads the resources afresh: they can change between two syntheses.
    expect(renderingsDuring(app, () => experiment.node.validate())).toEqual(once);
  });

  test('a later synthesis sees a configuration added since, and logical IDs changed since', () => {
    const app = new EndpointApp();
    app.experiment();
    app.endpoint.addPropertyOverride('EndpointConfigName', { 'Fn::GetAtt': ['SharedConfig', 'EndpointConfigName'] });
    app.config.overrideLogicalId('SharedConfig');
    expect(() => app.app.synth({ force: true })).not.toThrow();

    const asyncConfig = new sagemaker.CfnEndpointConfig(app.stack, 'AsyncConfig', {
      productionVariants: [app.production.toProductionVariant()],
      asyncInferenceConfig: { outputConfig: {} },
    });
    app.config.overrideLogicalId('FormerConfig');
    asyncConfig.overrideLogicalId('SharedConfig');
    expect(() => app.app.synth({ force: true })).toThrow(/got the endpoint configuration 'EndpointStack\/AsyncConfig', which has an asyncInferenceConfig/);
  });
});
