/*
 * Callers in plain JavaScript (and values that cross the jsii bridge as any) get an Error that names the property and
 * what it expects, never a TypeError from inside the construct or aws-cdk-lib. The calls below are typed `any` on
 * purpose: they are what TypeScript would refuse.
 */
import { Duration } from 'aws-cdk-lib';
import * as lib from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';

const js: any = lib;

/** Runs `call` and returns its error, checking that it is a plain Error rather than a TypeError. */
function errorOf(call: () => unknown): string {
  try {
    call();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).constructor).toBe(Error);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('InferenceExperiment', () => {
  const parts = () => new ShadowTestParts(newStack());

  test.each([
    ['no props', (p: ShadowTestParts) => undefined, /props: got nothing; expects an object of properties/],
    ['no shadowMode', (p: ShadowTestParts) => ({ endpoint: p.endpoint }), /shadowMode: got nothing; expects a ShadowModeConfig, from ShadowModeConfig\.of\(\)/],
    ['an endpoint given as a string', (p: ShadowTestParts) => ({ ...p.minimalProps(), endpoint: 'my-endpoint' }),
      /endpoint: got a string \("my-endpoint"\); expects a CfnEndpoint, an aws_sagemaker\.IEndpoint or ExistingEndpoint\.fromEndpointName\(\)/],
    ['the props of ShadowModeConfig.of() instead of its result', (p: ShadowTestParts) => ({
      endpoint: p.endpoint, shadowMode: { production: p.production(), shadow: p.shadow(), samplingPercentage: 10 },
    }), /shadowMode: got an object; expects a ShadowModeConfig/],
    ['a role ARN instead of a role', (p: ShadowTestParts) => ({ ...p.minimalProps(), role: 'arn:aws:iam::123456789012:role/r' }), /role: got a string .*; expects an iam\.IRole/],
    ['a key ARN instead of a key', (p: ShadowTestParts) => ({ ...p.minimalProps(), volumeEncryptionKey: 'arn:aws:kms:us-east-1:1:key/k' }), /volumeEncryptionKey: got a string .*; expects a kms\.IKey/],
    ['a schedule of dates', (p: ShadowTestParts) => ({ ...p.minimalProps(), schedule: { startTime: new Date(), endTime: new Date() } }), /schedule: got an object; expects a Schedule/],
    ['a capture URI instead of a DataCapture', (p: ShadowTestParts) => ({ ...p.minimalProps(), dataCapture: 's3://bucket/x' }), /dataCapture: got a string .*; expects a DataCapture/],
    ['tags as a list', (p: ShadowTestParts) => ({ ...p.minimalProps(), tags: [{ key: 'a', value: 'b' }] }), /tags: got an array; expects an object whose values are strings/],
    ['a number as the name', (p: ShadowTestParts) => ({ ...p.minimalProps(), inferenceExperimentName: 42 }), /inferenceExperimentName: got a number \(42\); expects a string/],
  ])('%s', (_case, propsOf, expected) => {
    const p = parts();
    expect(errorOf(() => new js.InferenceExperiment(p.stack, 'Experiment', propsOf(p)))).toMatch(expected);
  });

  test('a scope that is not a construct', () => {
    expect(errorOf(() => new js.InferenceExperiment('stack', 'Experiment', parts().minimalProps()))).toMatch(/scope: got a string \("stack"\); expects a construct/);
  });

  test('imports', () => {
    const stack = newStack();
    expect(errorOf(() => js.InferenceExperiment.fromInferenceExperimentName(stack, 'A', 42))).toMatch(/inferenceExperimentName: got a number \(42\); expects a string/);
    expect(errorOf(() => js.InferenceExperiment.fromInferenceExperimentAttributes(stack, 'B', { inferenceExperimentName: 'x', role: 'r' }))).toMatch(/role: got a string/);
  });

  test('conclusions', () => {
    const experiment = parts().experiment();
    expect(errorOf(() => (experiment as any).promoteShadow('better latency'))).toMatch(/promoteShadow\(\) is invalid[\s\S]*options: got a string \("better latency"\); expects an object of properties/);
    expect(errorOf(() => (experiment as any).promoteShadow({ instanceSettings: 'shadow' })))
      .toMatch(/options\.instanceSettings: got a string \("shadow"\); expects PromotedInstanceSettings\.PRODUCTION or PromotedInstanceSettings\.SHADOW/);
    expect(errorOf(() => (experiment as any).cancel({ retainShadow: 'yes' }))).toMatch(/options\.retainShadow: got a string \("yes"\); expects true or false/);
    expect(errorOf(() => (experiment as any).keepProduction({ reason: 42 }))).toMatch(/options\.reason: got a number \(42\); expects a string/);
  });

  test('alarms', () => {
    const metrics = parts().experiment().metrics;
    const stack = newStack('Alarms');
    expect(errorOf(() => (metrics as any).createShadowErrorRateAlarm(stack, 'A'))).toMatch(/createShadowErrorRateAlarm\(\) is invalid[\s\S]*options: got nothing; expects an object of properties/);
    expect(errorOf(() => (metrics as any).createLatencyRegressionAlarm(stack, 'B', { maxRegressionPercent: '10%' })))
      .toMatch(/options\.maxRegressionPercent: got a string \("10%"\); expects a number/);
    expect(errorOf(() => (metrics as any).createDiskUtilizationAlarm(stack, 'C', { period: 60 }))).toMatch(/options\.period: got a number \(60\); expects a Duration/);
  });

  test('grants', () => {
    const experiment = parts().experiment();
    for (const grant of ['create', 'read', 'update', 'delete', 'list', 'start', 'stop']) {
      expect(errorOf(() => (experiment.grants as any)[grant]('arn:aws:iam::123456789012:role/r'))).toMatch(/grantee: got a string .*; expects an iam\.IGrantable/);
    }
  });
});

describe('builders and references', () => {
  const stack = () => newStack();

  test('ModelVariant.realTime()', () => {
    const model = js.ExistingModel.fromModelName(stack(), 'M', 'm');
    expect(errorOf(() => js.ModelVariant.realTime())).toMatch(/^ModelVariant\.realTime\(\) is invalid \(1 problem\):\n {2}- props: got nothing/);
    expect(errorOf(() => js.ModelVariant.realTime({ variantName: 'v', model, instanceType: 'ml.m5.xlarge' })))
      .toMatch(/instanceType: got a string \("ml\.m5\.xlarge"\); expects an InstanceType, such as InstanceType\.ML_M5_XLARGE or InstanceType\.of\('ml\.m5\.xlarge'\)/);
    expect(errorOf(() => js.ModelVariant.realTime({ variantName: 'v', model: 'my-model', instanceType: lib.InstanceType.ML_M5_XLARGE })))
      .toMatch(/model: got a string \("my-model"\); expects a CfnModel or ExistingModel\.fromModelName\(\)/);
    expect(errorOf(() => js.ModelVariant.realTime({ variantName: 7, model, instanceType: lib.InstanceType.ML_M5_XLARGE, instanceCount: '2' })))
      .toMatch(/2 problems[\s\S]*variantName: got a number \(7\)[\s\S]*instanceCount: got a string \("2"\); expects a number/);
  });

  test('ShadowModeConfig.of()', () => {
    expect(errorOf(() => js.ShadowModeConfig.of({ production: 'production', shadow: undefined, samplingPercentage: '50' })))
      .toMatch(/3 problems[\s\S]*production: got a string[\s\S]*shadow: got nothing; expects a ModelVariant[\s\S]*samplingPercentage: got a string \("50"\); expects a number/);
  });

  test('Schedule', () => {
    expect(errorOf(() => js.Schedule.between('2027-01-01', new Date()))).toMatch(/startTime: got a string \("2027-01-01"\); expects a Date/);
    expect(errorOf(() => js.Schedule.startingAt(new Date(), 7))).toMatch(/duration: got a number \(7\); expects a Duration, such as Duration\.days\(7\)/);
    expect(() => lib.Schedule.startingAt(new Date('2027-01-01T00:00:00Z'), Duration.days(7))).not.toThrow();
  });

  test('DataCapture', () => {
    expect(errorOf(() => js.DataCapture.toBucket('my-bucket'))).toMatch(/bucket: got a string \("my-bucket"\); expects an s3\.IBucket/);
    expect(errorOf(() => js.DataCapture.toS3Uri('s3://b/p', { encryptionKey: 'alias/k', jsonContentTypes: 'application/json' })))
      .toMatch(/options\.encryptionKey: got a string[\s\S]*options\.jsonContentTypes: got a string .*; expects an array of strings/);
  });

  test('references by name, instance types and metrics', () => {
    expect(errorOf(() => js.ExistingEndpoint.fromEndpointName(stack(), 'E'))).toMatch(/endpointName: got nothing; expects a string/);
    expect(errorOf(() => js.ExistingModel.fromModelName(stack(), 'M', { name: 'm' }))).toMatch(/modelName: got an object; expects a string/);
    expect(errorOf(() => js.InstanceType.of(undefined))).toMatch(/InstanceType\.of\(\) is invalid[\s\S]*instanceType: got nothing; expects a string/);
    expect(errorOf(() => js.ShadowTestMetrics.of({ endpointName: 'e', productionVariantName: 'p' }))).toMatch(/shadowVariantName: got nothing; expects a string/);
    expect(errorOf(() => new js.ShadowTestDashboard(stack(), 'D', { metrics: { endpointName: 'e' } }))).toMatch(/metrics: got an object; expects a ShadowTestMetrics/);
  });
});
