/*
 * What the checks of the endpoint's configuration and of the models (src/private/endpoint-checks.ts) tell the user:
 * each error and warning whole, and the cases at their edges, where a value is known only at deploy time or a model is
 * known on one side only. Written from the survivors of mutation testing (`npx projen mutation`).
 */
import { CfnParameter, Fn, Lazy } from 'aws-cdk-lib';
import { ExistingModel, InstanceType, ModelVariant, RealTimeModelVariantProps } from '../src';
import { ACCOUNT, EndpointApp, ProductionVariant, variant } from './helpers/endpoint-app';

const CONFIG = 'the endpoint configuration \'EndpointStack/EndpointConfig\'';
const SINGLE_CONTAINER = 'Host the model in a single container (primaryContainer, without mode: MultiModel)';
const ACK = (id: string) => ` [ack: cdk-sagemaker-inference-experiment:${id}]`;

/** A problem with the endpoint, as synthesis reports it: what the configuration has, and what to change. */
const excluded = (why: string, change: string) => `endpoint: got ${CONFIG}, ${why}; shadow tests exclude such endpoints. ${change}`;
const ONE_PRODUCTION_VARIANT = 'An endpoint with a shadow variant has exactly one production variant: give the configuration only the ' +
  'test\'s production variant';
const TWO_PRODUCTION_VARIANTS = excluded('which has 2 production variants', ONE_PRODUCTION_VARIANT);

/** The warning that the test's production variant runs on other instances than the configuration's, whole. */
const instancesDiffer = (test: string, endpoint: string) => `The production variant 'production' runs on ${test} in the test, and on ` +
  `${endpoint} in ${CONFIG}: while the test runs, SageMaker serves production on the test's instances, in place of the endpoint's ` +
  `(autoscaled capacity included). Give the test the endpoint's instance type and count.${ACK('productionInstancesDifferFromEndpoint')}`;

const SELLER_PACKAGE = 'arn:aws:sagemaker:us-east-1:111122223333:model-package/seller-model-v1-0123456789abcdef';

function marketplaceWarning(model: string, hostedBy: string, packages: string): string {
  return `The model '${model}', hosted by ${hostedBy}, is made from the model package ${packages} of another account than the ` +
    `model's own (${ACCOUNT}), as AWS Marketplace model packages are, and SageMaker documents AWS Marketplace containers as excluded ` +
    'from shadow tests. Host the model from an image and model artifacts of your own (primaryContainer with image and ' +
    'modelDataUrl); if the package is your organization\'s own, shared from another account, acknowledge this warning.' +
    ACK('marketplaceModelPackage');
}

/** Values known only at deploy time, as an app writes them. */
const DEPLOY_TIME_NAMES: Array<[string, (app: EndpointApp) => string]> = [
  ['a parameter', (app) => new CfnParameter(app.stack, 'VariantName').valueAsString],
  ['an import from another stack', () => Fn.importValue('variant-name')],
];

describe('endpoints that shadow tests exclude: the whole message', () => {
  test.each<[string, Partial<ProductionVariant>, string]>([
    ['serverless inference', { instanceType: undefined, initialInstanceCount: undefined, serverlessConfig: { maxConcurrency: 5, memorySizeInMb: 2048 } },
      excluded('whose variant \'production\' has a serverlessConfig (serverless inference)', 'Host it on instances')],
    ['Elastic Inference', { acceleratorType: 'ml.eia2.medium' },
      excluded('whose variant \'production\' has an acceleratorType (Elastic Inference)', 'Remove acceleratorType')],
    ['Inferentia 1 instances', { instanceType: 'ml.inf1.xlarge' },
      excluded('whose variant \'production\' uses ml.inf1.xlarge (Inferentia 1)', 'Use another instance type, such as an Inf2 one')],
  ])('%s', (_kind, props, expected) => {
    const app = new EndpointApp((a) => ({ productionVariants: [{ ...a.production.toProductionVariant(), ...props }] }));
    app.experiment();
    expect(app.problems()).toEqual([expected]);
  });

  test('two production variants', () => {
    const app = new EndpointApp((a) => ({ productionVariants: [a.production.toProductionVariant(), variant({ variantName: 'second' })] }));
    app.experiment();
    expect(app.problems()).toEqual([TWO_PRODUCTION_VARIANTS]);
  });

  test('no production variant: the test\'s production variant is not among "none"', () => {
    const app = new EndpointApp(() => ({ productionVariants: [] }));
    app.experiment();
    expect(app.problems()).toEqual([
      excluded('which has 0 production variants', ONE_PRODUCTION_VARIANT),
      `shadowMode.production.variantName: got "production"; must be the production variant of ${CONFIG}, which has none. Name that ` +
        'variant, or write the configuration\'s variant from this ModelVariant with toProductionVariant()',
    ]);
  });

  test('a variant that names a multi-container model of the app by the model\'s literal modelName', () => {
    const app = new EndpointApp((a) => {
      a.model('Shared', { modelName: 'shared-model', containers: [{ image: 'a' }, { image: 'b' }] });
      return { productionVariants: [variant({ modelName: 'shared-model' })] };
    });
    app.experiment();
    expect(app.problems()).toEqual([
      excluded('whose variant \'production\' hosts \'EndpointStack/Shared\', a multi-container model (2 containers)', SINGLE_CONTAINER),
    ]);
  });
});

describe('the variants that the test names: the whole message, with every name that the configuration lists', () => {
  test('the test\'s production variant must be one of the configuration\'s', () => {
    const app = new EndpointApp(() => ({ productionVariants: [variant({ variantName: 'a' }), variant({ variantName: 'b' })] }));
    app.experiment();
    expect(app.problems()).toEqual([
      TWO_PRODUCTION_VARIANTS,
      `shadowMode.production.variantName: got "production"; must be the production variant of ${CONFIG}, which has 'a', 'b'. ` +
        'Name that variant, or write the configuration\'s variant from this ModelVariant with toProductionVariant()',
    ]);
  });

  test('the test\'s shadow variant must not have the name of one of the configuration\'s production variants', () => {
    const app = new EndpointApp((a) => ({ productionVariants: [a.production.toProductionVariant(), variant({ variantName: 'candidate' })] }));
    app.experiment();
    expect(app.problems()).toEqual([
      TWO_PRODUCTION_VARIANTS,
      `shadowMode.shadow.variantName: got "candidate"; must not be the name of a variant that the endpoint hosts already (${CONFIG} ` +
        'has \'production\', \'candidate\'). Give the shadow variant a name of its own',
    ]);
  });

  test('the production warnings compare the test with the configuration\'s variant of its name, not with the first variant', () => {
    const app = new EndpointApp((a) => ({
      productionVariants: [
        variant({ variantName: 'other', modelName: a.candidateModel.attrModelName, instanceType: 'ml.c5.xlarge' }),
        { ...a.production.toProductionVariant(), initialInstanceCount: 2 },
      ],
    }));
    const experiment = app.experiment();
    // Synthesis fails (two production variants): the validation reports the error, and adds its warnings all the same.
    expect(experiment.node.validate()).toEqual([
      `InferenceExperiment 'EndpointStack/Experiment' is invalid (1 problem):\n  - ${TWO_PRODUCTION_VARIANTS}`,
    ]);
    expect(experiment.node.metadata.filter((entry) => entry.type === 'aws:cdk:warning').map((entry) => String(entry.data)))
      .toEqual([instancesDiffer('1 ml.m5.xlarge', '2 ml.m5.xlarge')]);
  });
});

describe('a configuration\'s variant whose name is known only at deploy time', () => {
  test.each(DEPLOY_TIME_NAMES)('is called "of a deploy-time name" in an error, and the test\'s variant names are not checked against it: %s',
    (_what, nameOf) => {
      const app = new EndpointApp((a) => ({
        productionVariants: [variant({
          variantName: nameOf(a),
          instanceType: undefined,
          initialInstanceCount: undefined,
          serverlessConfig: { maxConcurrency: 5, memorySizeInMb: 2048 },
        })],
      }));
      app.experiment();
      expect(app.problems()).toEqual([
        excluded('whose variant \'of a deploy-time name\' has a serverlessConfig (serverless inference)', 'Host it on instances'),
      ]);
    });

  test('next to a variant of a literal name, leaves the names unchecked too: the configuration may list the test\'s variant', () => {
    const app = new EndpointApp((a) => ({
      productionVariants: [variant({ variantName: new CfnParameter(a.stack, 'VariantName').valueAsString }), variant({ variantName: 'other' })],
    }));
    app.experiment();
    expect(app.problems()).toEqual([TWO_PRODUCTION_VARIANTS]);
  });

  test('is called "of a deploy-time name" in the warning about a model package of another account that it hosts', () => {
    const app = new EndpointApp((a) => ({
      productionVariants: [variant({
        variantName: new CfnParameter(a.stack, 'VariantName').valueAsString,
        modelName: a.model('Seller', { primaryContainer: { modelPackageName: SELLER_PACKAGE } }).attrModelName,
      })],
    }));
    app.experiment();
    expect(app.problems()).toEqual([]);
    expect(app.warnings()).toEqual([marketplaceWarning('EndpointStack/Seller', `the variant 'of a deploy-time name' of ${CONFIG}`, `'${SELLER_PACKAGE}'`)]);
  });
});

describe('the test\'s production variant named only at deploy time', () => {
  test.each<[string, (app: EndpointApp) => string]>([
    ...DEPLOY_TIME_NAMES,
    ['a Lazy value', () => Lazy.string({ produce: () => 'production' })],
  ])('is not checked against the configuration\'s names: %s', (_what, nameOf) => {
    const app = new EndpointApp();
    app.experiment({ production: app.productionVariant({ variantName: nameOf(app) }) });
    expect(app.problems()).toEqual([]);
    expect(app.warnings()).toEqual([]);
  });
});

describe('productionInstancesDifferFromEndpoint', () => {
  test('says "its" instance type when the configuration\'s instance count is known only at deploy time', () => {
    const app = new EndpointApp((a) => ({
      productionVariants: [variant({ modelName: a.productionModel.attrModelName, initialInstanceCount: new CfnParameter(a.stack, 'Count', { type: 'Number' }).valueAsNumber })],
    }));
    app.experiment({ production: app.productionVariant({ instanceType: InstanceType.ML_C5_XLARGE }) });
    expect(app.warnings()).toEqual([instancesDiffer('1 ml.c5.xlarge', 'its ml.m5.xlarge')]);
  });

  test('says "instances" when the configuration\'s instance type is known only at deploy time', () => {
    const app = new EndpointApp((a) => ({
      productionVariants: [variant({ modelName: a.productionModel.attrModelName, instanceType: new CfnParameter(a.stack, 'Type').valueAsString })],
    }));
    app.experiment({ production: app.productionVariant({ instanceCount: 3 }) });
    expect(app.warnings()).toEqual([instancesDiffer('3 ml.m5.xlarge', '1 instances')]);
  });

  test.each<[string, (app: EndpointApp) => Partial<ProductionVariant>, (app: EndpointApp) => Partial<RealTimeModelVariantProps>]>([
    ['the configuration\'s instance count', (a) => ({ initialInstanceCount: new CfnParameter(a.stack, 'Count', { type: 'Number' }).valueAsNumber }), () => ({})],
    ['the configuration\'s instance type', (a) => ({ instanceType: new CfnParameter(a.stack, 'Type').valueAsString }), () => ({})],
    ['the test\'s instance count', () => ({}), (a) => ({ instanceCount: new CfnParameter(a.stack, 'Count', { type: 'Number' }).valueAsNumber })],
    ['the test\'s instance type', () => ({}), (a) => ({ instanceType: InstanceType.of(new CfnParameter(a.stack, 'Type').valueAsString) })],
  ])('is not raised when %s is known only at deploy time and the rest is the same', (_what, configured, tested) => {
    const app = new EndpointApp((a) => ({ productionVariants: [variant({ modelName: a.productionModel.attrModelName, ...configured(a) })] }));
    app.experiment({ production: app.productionVariant(tested(app)) });
    expect(app.problems()).toEqual([]);
    expect(app.warnings()).toEqual([]);
  });
});

describe('productionModelDiffersFromEndpoint', () => {
  const MODEL_DIFFERS = `The production variant 'production' hosts another model in the test than in ${CONFIG}: SageMaker runs the ` +
    'test with the test\'s model, so the comparison is not against what the endpoint serves. Use the same model in both, for ' +
    `example by writing the configuration's variant with toProductionVariant().${ACK('productionModelDiffersFromEndpoint')}`;

  test('is the whole message when the test hosts another model of the app', () => {
    const app = new EndpointApp();
    app.experiment({ production: app.productionVariant({ model: app.candidateModel }) });
    expect(app.warnings()).toEqual([MODEL_DIFFERS]);
  });

  test('is raised when the models are known by different literal names on both sides', () => {
    const app = new EndpointApp(() => ({ productionVariants: [variant({ modelName: 'model-a' })] }));
    app.experiment({ production: app.productionVariant({ model: ExistingModel.fromModelName(app.stack, 'Existing', 'model-b') }) });
    expect(app.warnings()).toEqual([MODEL_DIFFERS]);
  });

  test.each<[string, (app: EndpointApp) => Partial<ProductionVariant>, (app: EndpointApp) => Partial<RealTimeModelVariantProps>]>([
    ['the test hosts a model of the app whose name CloudFormation generates, and the configuration names a model by a literal name: they may be the same',
      () => ({ modelName: 'production-model' }), () => ({})],
    ['the test names a model by a literal name, and the configuration hosts a model of the app whose name CloudFormation generates: they may be the same',
      (a) => ({ modelName: a.productionModel.attrModelName }), (a) => ({ model: ExistingModel.fromModelName(a.stack, 'Existing', 'model-a') })],
    ['the test hosts a model of the app, and the configuration names it by its literal modelName: the same model',
      (a) => {
        a.productionModel.modelName = 'model-a';
        return { modelName: 'model-a' };
      }, () => ({})],
  ])('is not raised when %s', (_what, configured, tested) => {
    const app = new EndpointApp((a) => ({ productionVariants: [variant(configured(a))] }));
    app.experiment({ production: app.productionVariant(tested(app)) });
    expect(app.problems()).toEqual([]);
    expect(app.warnings()).toEqual([]);
  });
});

describe('endpointHasShadowVariant', () => {
  const hasShadowVariant = (named: string) => `The endpoint configuration 'EndpointStack/EndpointConfig' has a shadow variant already${named}: ` +
    'an endpoint has at most one shadow variant, and then one production variant, so the test\'s shadow variant \'candidate\' takes ' +
    'the place of the configuration\'s while the test runs. Remove shadowProductionVariants from the configuration, or acknowledge ' +
    `this warning if that is what you want.${ACK('endpointHasShadowVariant')}`;

  test('names the configuration\'s shadow variant', () => {
    const app = new EndpointApp(() => ({ shadowProductionVariants: [variant({ variantName: 'old-shadow' })] }));
    app.experiment();
    expect(app.warnings()).toEqual([hasShadowVariant(' (\'old-shadow\')')]);
  });

  test('leaves out the name of a shadow variant named only at deploy time', () => {
    const app = new EndpointApp((a) => ({ shadowProductionVariants: [variant({ variantName: new CfnParameter(a.stack, 'ShadowName').valueAsString })] }));
    app.experiment();
    expect(app.warnings()).toEqual([hasShadowVariant('')]);
  });
});

describe('marketplaceModelPackage', () => {
  test('lists every package of another account that the model is made from', () => {
    const app = new EndpointApp();
    const otherPackage = 'arn:aws:sagemaker:us-east-1:444455556666:model-package/other-model-v2';
    const model = app.model('Seller', { primaryContainer: { modelPackageName: SELLER_PACKAGE }, containers: [{ modelPackageName: otherPackage }] });
    app.experiment({ shadow: ModelVariant.realTime({ variantName: 'candidate', model, instanceType: InstanceType.ML_M5_XLARGE }) });
    expect(app.problems()).toEqual([]);
    expect(app.warnings()).toEqual([
      marketplaceWarning('EndpointStack/Seller', 'the test\'s shadow variant \'candidate\'', `'${SELLER_PACKAGE}', '${otherPackage}'`),
    ]);
  });
});

// aws-cdk-lib words its errors its own way, which changes between releases: the property that they name is enough.
describe('a resource that aws-cdk-lib cannot render, as plain JavaScript may write it, fails with aws-cdk-lib\'s own error', () => {
  test.each<[string, (app: EndpointApp) => void, RegExp]>([
    ['the production model, which the configuration hosts too', (app) => {
      (app.productionModel as any).executionRoleArn = 42;
    }, /executionRoleArn/],
    ['the endpoint', (app) => {
      (app.endpoint as any).retainAllVariantProperties = 'yes';
    }, /retainAllVariantProperties/],
    ['the endpoint configuration', (app) => {
      (app.config as any).kmsKeyId = 42;
    }, /kmsKeyId/],
  ])('%s', (_what, breakIt, expected) => {
    const app = new EndpointApp();
    app.experiment();
    breakIt(app);
    const error = app.synthFailure();
    expect(error).not.toBeInstanceOf(TypeError);
    expect(error?.message).toMatch(expected);
  });
});
