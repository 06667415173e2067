import { Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { InferenceExperiment, InstanceType, PromotedInstanceSettings, Schedule, ShadowModeConfig } from '../src';
import { deployedExperimentProperties, handlerStopActions, schemaErrors, serviceRuleViolations } from './helpers/cloudformation';
import { newStack, ShadowTestParts } from './helpers/fixtures';

const SCHEDULE = Schedule.between(new Date('2027-01-04T09:00:00Z'), new Date('2027-01-18T09:00:00Z'));

function setup(): { parts: ShadowTestParts; experiment: InferenceExperiment } {
  const parts = new ShadowTestParts(newStack());
  return { parts, experiment: parts.experiment({ schedule: SCHEDULE }) };
}

function propertiesOf(parts: ShadowTestParts): any {
  return deployedExperimentProperties(Template.fromStack(parts.stack).toJSON());
}

const PRODUCTION_VARIANT = {
  ModelName: 'Model-ProductionModel',
  VariantName: 'production',
  InfrastructureConfig: { InfrastructureType: 'RealTimeInference', RealTimeInferenceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 } },
};
const SHADOW_VARIANT = { ...PRODUCTION_VARIANT, ModelName: 'Model-CandidateModel', VariantName: 'candidate' };
const SHADOW_MODE_CONFIG = {
  SourceModelVariantName: 'production',
  ShadowModelVariants: [{ ShadowModelVariantName: 'candidate', SamplingPercentage: 100 }],
};

describe('without an outcome', () => {
  test('the template has no DesiredState or StatusReason, both variants and the shadow configuration', () => {
    const { parts } = setup();
    const properties = propertiesOf(parts);
    expect(properties.DesiredState).toBeUndefined();
    expect(properties.StatusReason).toBeUndefined();
    expect(properties.ModelVariants).toEqual([PRODUCTION_VARIANT, SHADOW_VARIANT]);
    expect(properties.ShadowModeConfig).toEqual(SHADOW_MODE_CONFIG);
  });
});

describe('startNow()', () => {
  test('asks for Running and changes nothing else', () => {
    const { parts, experiment } = setup();
    experiment.startNow();

    const properties = propertiesOf(parts);
    expect(properties.DesiredState).toBe('Running');
    expect(properties.StatusReason).toBeUndefined();
    expect(properties.ModelVariants).toEqual([PRODUCTION_VARIANT, SHADOW_VARIANT]);
    expect(properties.ShadowModeConfig).toEqual(SHADOW_MODE_CONFIG);
    expect(schemaErrors(properties)).toEqual([]);
  });

  test('fails without a schedule, since the test then starts when it is created', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment();
    expect(() => experiment.startNow()).toThrow(/startNow\(\) needs a schedule; without one, SageMaker starts the test as soon as it is created/);
  });
});

/** The warning that a template listing one variant can only end a running test. */
const ENDS_EXISTING_TEST_ONLY = 'cdk-sagemaker-inference-experiment:conclusionEndsExistingTestOnly';

function expectEndsExistingTestOnly(parts: ShadowTestParts, method: string): void {
  Annotations.fromStack(parts.stack).hasWarning('/TestStack/Experiment', Match.stringLikeRegexp(
    `${method}\\(\\) lists one variant and no ShadowModeConfig, so this template can end a test that is running, but it ` +
    'cannot create one.*Deploy it to every stack that runs the test, then remove the experiment from the app and make ' +
    `the endpoint configuration match what the endpoint now serves.*\\[ack: ${ENDS_EXISTING_TEST_ONLY}\\]`));
}

describe('promoteShadow()', () => {
  test('asks for Completed with only the shadow variant, which the handler promotes in place of production', () => {
    const { parts, experiment } = setup();
    experiment.promoteShadow({ reason: 'p99 latency 12% lower, same error rate' });

    const properties = propertiesOf(parts);
    expect(properties.DesiredState).toBe('Completed');
    expect(properties.StatusReason).toBe('p99 latency 12% lower, same error rate');
    expect(properties.ModelVariants).toEqual([SHADOW_VARIANT]);
    expect(properties.ShadowModeConfig).toBeUndefined();
    expect(handlerStopActions(properties, 'production', 'candidate')).toEqual({ production: 'Remove', candidate: 'Promote' });
    expect(schemaErrors(properties)).toEqual([]);
    expectEndsExistingTestOnly(parts, 'promoteShadow');
  });

  // The handler sends ModelVariants as the variants the endpoint keeps, so the promoted variant is deployed with the
  // instance settings that the template gives it.
  const shadowModeWithOwnInstances = (parts: ShadowTestParts, samplingPercentage = 100) => ShadowModeConfig.of({
    production: parts.production({ instanceType: InstanceType.ML_C5_XLARGE, instanceCount: 4 }),
    shadow: parts.shadow({ instanceType: InstanceType.ML_G5_XLARGE, instanceCount: 1 }),
    samplingPercentage,
  });

  test('keeps the production variant\'s instance type and count by default, as AWS recommends', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ shadowMode: shadowModeWithOwnInstances(parts) }).promoteShadow();

    expect(propertiesOf(parts).ModelVariants).toEqual([{
      ...SHADOW_VARIANT,
      InfrastructureConfig: { InfrastructureType: 'RealTimeInference', RealTimeInferenceConfig: { InstanceType: 'ml.c5.xlarge', InstanceCount: 4 } },
    }]);
  });

  test('keeps the shadow variant\'s own instance type and count when asked to', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ shadowMode: shadowModeWithOwnInstances(parts) })
      .promoteShadow({ instanceSettings: PromotedInstanceSettings.SHADOW });

    expect(propertiesOf(parts).ModelVariants).toEqual([{
      ...SHADOW_VARIANT,
      InfrastructureConfig: { InfrastructureType: 'RealTimeInference', RealTimeInferenceConfig: { InstanceType: 'ml.g5.xlarge', InstanceCount: 1 } },
    }]);
  });

  test('warns when the shadow\'s own instances are promoted after less than all of the traffic', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment({ shadowMode: shadowModeWithOwnInstances(parts, 40) });
    experiment.promoteShadow({ instanceSettings: PromotedInstanceSettings.SHADOW });

    Annotations.fromStack(parts.stack).hasWarning('/TestStack/Experiment', Match.stringLikeRegexp(
      'The shadow variant is promoted with its own instances after receiving 40% of the requests.*Run the test with ' +
      'samplingPercentage: 100 before promoting.*\\[ack: cdk-sagemaker-inference-experiment:promoteBelowFullSampling\\]'));
  });

  test('does not warn of the sampling when production\'s instances are kept, or after a test at full traffic', () => {
    const below = new ShadowTestParts(newStack());
    below.experiment({ shadowMode: shadowModeWithOwnInstances(below, 40) }).promoteShadow();
    const full = new ShadowTestParts(newStack());
    full.experiment({ shadowMode: shadowModeWithOwnInstances(full) }).promoteShadow({ instanceSettings: PromotedInstanceSettings.SHADOW });

    for (const parts of [below, full]) {
      expect(Annotations.fromStack(parts.stack).findWarning('*', Match.stringLikeRegexp('promoteBelowFullSampling'))).toEqual([]);
    }
  });
});

describe('keepProduction()', () => {
  test('asks for Completed with only the production variant, so the handler removes the shadow', () => {
    const { parts, experiment } = setup();
    experiment.keepProduction({ reason: 'shadow error rate 3x production' });

    const properties = propertiesOf(parts);
    expect(properties.DesiredState).toBe('Completed');
    expect(properties.StatusReason).toBe('shadow error rate 3x production');
    expect(properties.ModelVariants).toEqual([PRODUCTION_VARIANT]);
    expect(properties.ShadowModeConfig).toBeUndefined();
    expect(handlerStopActions(properties, 'production', 'candidate')).toEqual({ production: 'Retain', candidate: 'Remove' });
    expect(schemaErrors(properties)).toEqual([]);
    expectEndsExistingTestOnly(parts, 'keepProduction');
  });
});

describe('cancel()', () => {
  test('asks for Cancelled with only the production variant, so the handler removes the shadow and nothing stays billed', () => {
    const { parts, experiment } = setup();
    experiment.cancel({ reason: 'the capture bucket filled up' });

    const properties = propertiesOf(parts);
    expect(properties.DesiredState).toBe('Cancelled');
    expect(properties.StatusReason).toBe('the capture bucket filled up');
    expect(properties.ModelVariants).toEqual([PRODUCTION_VARIANT]);
    expect(properties.ShadowModeConfig).toBeUndefined();
    expect(handlerStopActions(properties, 'production', 'candidate')).toEqual({ production: 'Retain', candidate: 'Remove' });
    expect(schemaErrors(properties)).toEqual([]);
    expect(serviceRuleViolations(properties)).toEqual([]);
    expectEndsExistingTestOnly(parts, 'cancel');
  });

  test('retains both variants only when asked to, and then can still create the test', () => {
    const { parts, experiment } = setup();
    experiment.cancel({ retainShadow: true });

    const properties = propertiesOf(parts);
    expect(properties.DesiredState).toBe('Cancelled');
    expect(properties.ModelVariants).toEqual([PRODUCTION_VARIANT, SHADOW_VARIANT]);
    expect(properties.ShadowModeConfig).toEqual(SHADOW_MODE_CONFIG);
    expect(handlerStopActions(properties, 'production', 'candidate')).toEqual({ production: 'Retain', candidate: 'Retain' });
    expect(Annotations.fromStack(parts.stack).findWarning('*', Match.stringLikeRegexp(ENDS_EXISTING_TEST_ONLY))).toEqual([]);
  });
});

describe('a template that can create the test', () => {
  // CreateInferenceExperiment requires ShadowModeConfig, and the handler ignores DesiredState on create: a template
  // can create the test as long as it lists both variants and the shadow configuration.
  test.each([
    ['no outcome', (_: InferenceExperiment) => undefined],
    ['startNow()', (e: InferenceExperiment) => e.startNow()],
    ['cancel({ retainShadow: true })', (e: InferenceExperiment) => e.cancel({ retainShadow: true })],
  ])('is written for %s, without a warning', (_, conclude) => {
    const { parts, experiment } = setup();
    conclude(experiment);
    const properties = propertiesOf(parts);
    expect(properties.ShadowModeConfig).toEqual(SHADOW_MODE_CONFIG);
    expect(properties.ModelVariants).toHaveLength(2);
    expect(Annotations.fromStack(parts.stack).findWarning('*', Match.stringLikeRegexp(ENDS_EXISTING_TEST_ONLY))).toEqual([]);
  });
});

describe('impossible combinations', () => {
  test.each([
    ['promoteShadow', 'keepProduction'],
    ['keepProduction', 'cancel'],
    ['cancel', 'promoteShadow'],
    ['startNow', 'promoteShadow'],
    ['promoteShadow', 'promoteShadow'],
  ] as const)('fails for %s() then %s()', (first, second) => {
    const { experiment } = setup();
    experiment[first]();
    expect(() => experiment[second]()).toThrow(new RegExp(`${second}\\(\\) conflicts with ${first}\\(\\), called before; a shadow test has one outcome`));
  });

  test.each([['an empty reason', ''], ['a reason of 1025 characters', 'r'.repeat(1025)]])('fails for %s', (_, reason) => {
    const { experiment } = setup();
    expect(() => experiment.cancel({ reason })).toThrow(/reason: got .*; must be (at least 1|at most 1024) character/);
  });

  test('accepts a reason of 1024 characters, and a token', () => {
    const { experiment } = setup();
    expect(() => experiment.keepProduction({ reason: 'r'.repeat(1024) })).not.toThrow();
    expect(() => setup().experiment.cancel({ reason: Token.asString({ Ref: 'Reason' }) })).not.toThrow();
  });
});
