import { aws_iam as iam, aws_kms as kms, aws_s3 as s3, CfnParameter, Duration, Tags, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  DataCapture,
  DataCaptureOptions,
  ExistingEndpoint,
  ExistingModel,
  InferenceExperimentProps,
  InstanceType,
  ModelVariant,
  Schedule,
  ShadowModeConfig,
} from '../src';
import { newStack, ShadowTestParts, takeTemplateFindings, VALIDATES_TEMPLATES, VariantOverrides } from './helpers/fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = new Date('2027-03-01T00:00:00Z');

function setup(): ShadowTestParts {
  return new ShadowTestParts(newStack());
}

/** Builds an experiment from `props`, on top of valid minimal properties. */
function build(props: (parts: ShadowTestParts) => Partial<InferenceExperimentProps>): () => void {
  return () => {
    const parts = setup();
    parts.experiment(props(parts));
    Template.fromStack(parts.stack);
  };
}

function withShadowMode(
  production: VariantOverrides,
  shadow: VariantOverrides,
  samplingPercentage = 100,
): (parts: ShadowTestParts) => Partial<InferenceExperimentProps> {
  return (parts) => ({
    shadowMode: ShadowModeConfig.of({ production: parts.production(production), shadow: parts.shadow(shadow), samplingPercentage }),
  });
}

function withCapture(options: DataCaptureOptions & { prefix?: string }): (parts: ShadowTestParts) => Partial<InferenceExperimentProps> {
  return (parts) => ({ dataCapture: DataCapture.toBucket(new s3.Bucket(parts.stack, 'Bucket'), options) });
}

function withSchedule(schedule: Schedule): (parts: ShadowTestParts) => Partial<InferenceExperimentProps> {
  return () => ({ schedule });
}

describe('inferenceExperimentName', () => {
  test('accepts 120 characters', () => {
    expect(build(() => ({ inferenceExperimentName: 'a'.repeat(120) }))).not.toThrow();
  });
  test('fails with 121 characters', () => {
    expect(build(() => ({ inferenceExperimentName: 'a'.repeat(121) })))
      .toThrow(/inferenceExperimentName: got "a+…"; must be at most 120 characters long \(it has 121\)/);
  });
  test('fails when empty', () => {
    expect(build(() => ({ inferenceExperimentName: '' }))).toThrow(/inferenceExperimentName: got ""; must be at least 1 character long/);
  });
  test.each(['under_score', '-leading', 'trailing-', 'dot.ted', 'spa ce', 'ünïcode'])('fails for %s', (name) => {
    expect(build(() => ({ inferenceExperimentName: name })))
      .toThrow(/inferenceExperimentName: got .*; must match \^\[a-zA-Z0-9\]\(-\*\[a-zA-Z0-9\]\)\{0,119\}\$ \(letters, digits and hyphens/);
  });
  test('accepts consecutive hyphens, as the API pattern does', () => {
    expect(build(() => ({ inferenceExperimentName: 'a--b' }))).not.toThrow();
  });
});

describe('description', () => {
  test('fails when empty', () => {
    expect(build(() => ({ description: '' }))).toThrow(/description: got ""; must be at least 1 character long/);
  });
  test('accepts 1024 characters and fails with 1025', () => {
    expect(build(() => ({ description: 'd'.repeat(1024) }))).not.toThrow();
    expect(build(() => ({ description: 'd'.repeat(1025) }))).toThrow(/description: .*must be at most 1024 characters long/);
  });
  test('counts characters, not UTF-16 code units', () => {
    expect(build(() => ({ description: '😀'.repeat(1024) }))).not.toThrow();
  });
});

describe('role', () => {
  test('fails for a literal ARN that is not an IAM role ARN', () => {
    expect(build((parts) => ({ role: iam.Role.fromRoleArn(parts.stack, 'User', 'arn:aws:iam::123456789012:user/someone') })))
      .toThrow(/role: got "arn:aws:iam::123456789012:user\/someone"; must match .* \(an IAM role ARN\)/);
  });
  test('accepts a literal role ARN with a path', () => {
    expect(build((parts) => ({ role: iam.Role.fromRoleArn(parts.stack, 'R', 'arn:aws:iam::123456789012:role/service/shadow') })))
      .not.toThrow();
  });
});

describe('endpoint', () => {
  test.each(['under_score', 'e'.repeat(64), 'trailing-'])('fails for the name %s', (name) => {
    expect(build((parts) => ({ endpoint: ExistingEndpoint.fromEndpointName(parts.stack, 'E', name) })))
      .toThrow(/endpoint: got .*; must (match|be at most 63)/);
  });
  test('accepts 63 characters', () => {
    expect(build((parts) => ({ endpoint: ExistingEndpoint.fromEndpointName(parts.stack, 'E', 'e'.repeat(63)) }))).not.toThrow();
  });
});

describe('model', () => {
  test.each(['bad_model', 'trailing-', 'm'.repeat(64)])('fails for the name %s', (name) => {
    expect(build((parts) => ({
      shadowMode: ShadowModeConfig.of({
        production: parts.production(),
        shadow: ModelVariant.realTime({
          variantName: 'shadow',
          model: ExistingModel.fromModelName(parts.stack, 'M', name),
          instanceType: InstanceType.ML_M5_LARGE,
        }),
        samplingPercentage: 100,
      }),
    }))).toThrow(/shadowMode.shadow.model: got .*; must (match|be at most 63)/);
  });
});

describe('variants', () => {
  test('fails when the production and shadow variants have the same name', () => {
    expect(build(withShadowMode({ variantName: 'same' }, { variantName: 'same' })))
      .toThrow(/shadowMode.shadow.variantName: got "same"; must differ from the production variant's name/);
  });
  test.each(['-lead', 'trail-', 'under_score', 'v'.repeat(64)])('fails for the variant name %s', (name) => {
    expect(build(withShadowMode({ variantName: name }, {})))
      .toThrow(/shadowMode.production.variantName: got .*; must (match|be at most 63)/);
  });
  test('accepts a variant name of 63 characters with inner hyphens', () => {
    expect(build(withShadowMode({ variantName: `a-${'b'.repeat(61)}` }, {}))).not.toThrow();
  });
  test.each([0, -1, 1.5])('fails for an instance count of %s', (instanceCount) => {
    expect(build(withShadowMode({}, { instanceCount })))
      .toThrow(new RegExp(`shadowMode.shadow.instanceCount: got ${instanceCount}; must be a whole number from 1 to 2147483647`));
  });
  test('fails for an instance type that is not an ML instance type', () => {
    expect(build(withShadowMode({ instanceType: InstanceType.of('m5.large') }, {})))
      .toThrow(/shadowMode.production.instanceType: got "m5.large"; must match .* \(an ML instance type such as ml.m5.xlarge\)/);
  });
  test('accepts an instance type newer than the library', () => {
    expect(build(withShadowMode({ instanceType: InstanceType.of('ml.g9.96xlarge') }, {}))).not.toThrow();
    // A template validation that knows no such type warns of it, in the experiment (E3642, not offered in the region)
    // and in the endpoint configuration written from the same variant (W3030, not in the schema's list).
    expect(takeTemplateFindings()).toEqual(VALIDATES_TEMPLATES ? ['E3642', 'W3030'] : []);
  });
});

describe('samplingPercentage', () => {
  test.each([0, 1, 100])('accepts %s', (samplingPercentage) => {
    expect(build(withShadowMode({}, {}, samplingPercentage))).not.toThrow();
  });
  test.each([101, -1, 50.5, Number.NaN])('fails for %s', (samplingPercentage) => {
    expect(build(withShadowMode({}, {}, samplingPercentage)))
      .toThrow(/shadowMode.samplingPercentage: got .*; must be a whole number from 0 to 100/);
  });
});

describe('schedule', () => {
  test('accepts exactly 30 days and exactly 1 hour', () => {
    expect(build(withSchedule(Schedule.startingAt(START, Duration.days(30))))).not.toThrow();
    expect(build(withSchedule(Schedule.startingAt(START, Duration.hours(1))))).not.toThrow();
  });
  test('fails for 30 days and 1 second', () => {
    expect(build(withSchedule(Schedule.between(START, new Date(START.getTime() + 30 * DAY + 1000)))))
      .toThrow(/schedule: got a window of 2592001 seconds \(30.000 days\); a shadow test can run for at most 30 days/);
  });
  test('fails for less than an hour', () => {
    expect(build(withSchedule(Schedule.startingAt(START, Duration.minutes(59)))))
      .toThrow(/schedule: got a window of 3540 seconds .*; a shadow test must run for at least 1 hour/);
  });
  test('fails when the end is not after the start', () => {
    expect(build(withSchedule(Schedule.between(START, START))))
      .toThrow(/schedule.endTime: got 2027-03-01T00:00:00.000Z; must be after the start time 2027-03-01T00:00:00.000Z/);
    expect(build(withSchedule(Schedule.between(START, new Date(START.getTime() - HOUR)))))
      .toThrow(/schedule.endTime: got 2027-02-28T23:00:00.000Z; must be after the start time/);
  });
  test('fails for an invalid date instead of crashing', () => {
    expect(build(withSchedule(Schedule.between(new Date('not a date'), START))))
      .toThrow(/schedule.startTime: got an invalid date; must be a valid date/);
    expect(build(withSchedule(Schedule.startingAt(new Date(Number.NaN), Duration.days(1)))))
      .toThrow(/schedule.startTime: got an invalid date.*\n.*schedule.endTime: got an invalid date/);
  });
  test('fails for a duration that is a token', () => {
    const stack = newStack();
    const days = new CfnParameter(stack, 'Days', { type: 'Number' }).valueAsNumber;
    expect(() => Schedule.startingAt(START, Duration.days(days))).toThrow(/Schedule.startingAt: the duration must be a concrete value/);
  });
});

describe('volumeEncryptionKey', () => {
  test('fails for a literal key identifier with characters the API forbids', () => {
    expect(build((parts) => ({ volumeEncryptionKey: kms.Key.fromKeyArn(parts.stack, 'K', 'arn:aws:kms:us-east-1:123456789012:key/a b') })))
      .toThrow(/volumeEncryptionKey: got "arn:aws:kms:us-east-1:123456789012:key\/a b"; must match/);
  });
});

describe('dataCapture', () => {
  test('fails for a URI that is not s3:// or https://', () => {
    expect(build(() => ({ dataCapture: DataCapture.toS3Uri('ftp://bucket/prefix') })))
      .toThrow(/dataCapture.destination: got "ftp:\/\/bucket\/prefix"; must match .* \(an s3:\/\/ or https:\/\/ URI\)/);
  });
  test.each(['s3://0.-a/shadow/', 's3://Upper/x', 's3://ab', 's3://192.168.1.1/x', 's3://a..b/x'])(
    'fails for the s3:// URI %s, whose bucket name S3 refuses', (uri) => {
      expect(build(() => ({ dataCapture: DataCapture.toS3Uri(uri) })))
        .toThrow(/dataCapture.destination: got .*; must match .* \(an S3 bucket name: 3 to 63 lower-case letters/);
    });
  test('fails for a URI longer than 512 characters', () => {
    expect(build(() => ({ dataCapture: DataCapture.toS3Uri(`s3://bucket/${'p'.repeat(501)}`) })))
      .toThrow(/dataCapture.destination: .*must be at most 512 characters long \(it has 513\)/);
  });
  test('fails for a prefix that starts with a slash', () => {
    expect(build(withCapture({ prefix: '/captures' }))).toThrow(/dataCapture.prefix: got "\/captures"; must not start with "\/"/);
  });
  test('fails for a prefix too long for any bucket name', () => {
    expect(build(withCapture({ prefix: 'p'.repeat(443) }))).not.toThrow();
    expect(build(withCapture({ prefix: 'p'.repeat(444) })))
      .toThrow(/dataCapture.prefix: .*must be at most 443 characters long, so that the destination URI fits in 512/);
  });
  test('fails for empty content type lists instead of dropping them', () => {
    expect(build(withCapture({ csvContentTypes: [] }))).toThrow(/dataCapture.csvContentTypes: got 0 items; must have from 1 to 10 items/);
  });
  test('fails for more than 10 content types', () => {
    const types = Array.from({ length: 11 }, (_, i) => `application/x-type${i}`);
    expect(build(withCapture({ jsonContentTypes: types }))).toThrow(/dataCapture.jsonContentTypes: got 11 items; must have from 1 to 10 items/);
  });
  test.each(['json', 'application/', '/json', 'application/-json', 'a'.repeat(251) + '/jsonx'])(
    'fails for the content type %s', (contentType) => {
      expect(build(withCapture({ jsonContentTypes: [contentType] }))).toThrow(/dataCapture.jsonContentTypes\[0\]: got .*; must (match|be at most 256)/);
    });
  test('fails for a literal encryption key with characters the API forbids', () => {
    expect(build((parts) => ({
      dataCapture: DataCapture.toS3Uri('s3://bucket', { encryptionKey: kms.Key.fromKeyArn(parts.stack, 'K', 'arn:aws:kms:us-east-1:123456789012:key/a+b') }),
    }))).toThrow(/dataCapture.encryptionKey: got .*; must match/);
  });
});

describe('tags', () => {
  test('fails for a key longer than 128 characters and a value longer than 256', () => {
    expect(build(() => ({ tags: { ['k'.repeat(129)]: 'v'.repeat(257) } })))
      .toThrow(/key: got "k+…"; must be at most 128 characters long[\s\S]*value: got "v+…"; must be at most 256 characters long/);
  });
  test('fails for a key that starts with aws:', () => {
    expect(build(() => ({ tags: { 'aws:owner': 'me' } }))).toThrow(/tags\["aws:owner"\] key: got "aws:owner"; must not start with "aws:"/);
  });
  test('fails for characters outside the allowed set', () => {
    expect(build(() => ({ tags: { 'owner!': 'me' } }))).toThrow(/tags\["owner!"\] key: got "owner!"; must match/);
    expect(build(() => ({ tags: { owner: '😀' } }))).toThrow(/tags\["owner"\] value: got "😀"; must match/);
  });
  test('accepts letters of any script and an empty value', () => {
    expect(build(() => ({ tags: { équipe: 'données', チーム: '' } }))).not.toThrow();
  });
  test('fails for more than 50', () => {
    const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`tag${i}`, 'v']));
    expect(build(() => ({ tags }))).toThrow(/tags: got 51 tags; a resource can have at most 50 tags/);
  });
});

test('reports every problem at once, naming each property', () => {
  const run = build((parts) => ({
    inferenceExperimentName: 'bad_name',
    description: '',
    shadowMode: ShadowModeConfig.of({
      production: parts.production({ variantName: 'same', instanceCount: 0 }),
      shadow: parts.shadow({ variantName: 'same' }),
      samplingPercentage: 101,
    }),
  }));
  expect(run).toThrow(/InferenceExperiment 'TestStack\/Experiment' is invalid \(5 problems\):/);
  for (const property of ['inferenceExperimentName', 'description', 'shadowMode.production.instanceCount',
    'shadowMode.shadow.variantName', 'shadowMode.samplingPercentage']) {
    expect(run).toThrow(new RegExp(`\\n  - ${property.replace(/\./g, '\\.')}: got`));
  }
});

test('skips values that are tokens, known only at deploy time', () => {
  const parts = setup();
  const text = (name: string) => new CfnParameter(parts.stack, `Parameter${name}`).valueAsString;
  const percentage = new CfnParameter(parts.stack, 'Percentage', { type: 'Number' }).valueAsNumber;
  expect(Token.isUnresolved(percentage)).toBe(true);

  const experiment = parts.experiment({
    inferenceExperimentName: text('Name'),
    description: text('Description'),
    endpoint: ExistingEndpoint.fromEndpointName(parts.stack, 'E', text('Endpoint')),
    shadowMode: ShadowModeConfig.of({
      production: parts.production({ variantName: text('Production') }),
      shadow: parts.shadow({ variantName: text('Shadow'), instanceType: InstanceType.of(text('Type')) }),
      samplingPercentage: percentage,
    }),
    dataCapture: DataCapture.toS3Uri(text('Destination'), { jsonContentTypes: [text('ContentType')] }),
    tags: { [text('TagKey')]: text('TagValue') },
  });
  Tags.of(experiment).add('stage', text('Stage'));

  expect(() => Template.fromStack(parts.stack)).not.toThrow();
});
