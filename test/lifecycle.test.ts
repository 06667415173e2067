import { Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { InferenceExperiment, Schedule, ShadowModeConfig } from '../src';
import { deployedExperimentProperties, handlerStopActions, schemaErrors } from './helpers/cloudformation';
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
  });

  test('warns when the shadow variant did not receive all of the traffic', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment({
      shadowMode: ShadowModeConfig.of({ production: parts.production(), shadow: parts.shadow(), samplingPercentage: 40 }),
    });
    experiment.promoteShadow();

    Annotations.fromStack(parts.stack).hasWarning('/TestStack/Experiment', Match.stringLikeRegexp(
      'The shadow variant is promoted after receiving 40% of the requests.*Run the test with samplingPercentage: 100 before promoting' +
      '.*\\[ack: cdk-sagemaker-inference-experiment:promoteBelowFullSampling\\]'));
  });

  test('does not warn after a test at full traffic', () => {
    const { parts, experiment } = setup();
    experiment.promoteShadow();
    expect(Annotations.fromStack(parts.stack).findWarning('*', Match.anyValue())).toEqual([]);
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
  });
});

describe('cancel()', () => {
  test('asks for Cancelled with both variants, which the handler retains', () => {
    const { parts, experiment } = setup();
    experiment.cancel();

    const properties = propertiesOf(parts);
    expect(properties.DesiredState).toBe('Cancelled');
    expect(properties.StatusReason).toBeUndefined();
    expect(properties.ModelVariants).toEqual([PRODUCTION_VARIANT, SHADOW_VARIANT]);
    expect(properties.ShadowModeConfig).toEqual(SHADOW_MODE_CONFIG);
    expect(handlerStopActions(properties, 'production', 'candidate')).toEqual({ production: 'Retain', candidate: 'Retain' });
    expect(schemaErrors(properties)).toEqual([]);
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
