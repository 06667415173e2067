import { aws_kms as kms, aws_s3 as s3, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DataCapture } from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';

/** Defines an experiment that captures to `capture`, and synthesizes it. */
function experimentWith(capture: (parts: ShadowTestParts) => DataCapture): () => void {
  return () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ dataCapture: capture(parts) });
    Template.fromStack(parts.stack);
  };
}

/** A deploy-time value, as a template's parameter gives it. */
function parameter(stack: Stack, id: string): string {
  return new CfnParameter(stack, id).valueAsString;
}

/** Every way to name the bucket of a capture: its name is known at synth time for some, at deploy time for others. */
const BUCKETS: Array<[string, (stack: Stack) => s3.IBucket]> = [
  ['a bucket of the app', (stack) => new s3.Bucket(stack, 'Captures')],
  ['a bucket imported by name', (stack) => s3.Bucket.fromBucketName(stack, 'Captures', 'amzn-s3-demo-bucket')],
  ['a bucket imported by ARN', (stack) => s3.Bucket.fromBucketArn(stack, 'Captures', 'arn:aws:s3:::amzn-s3-demo-bucket')],
  ['a bucket whose name is a parameter', (stack) => s3.Bucket.fromBucketName(stack, 'Captures', parameter(stack, 'CaptureBucket'))],
];

/** Every way to give the capture a bucket and a prefix: as a bucket, or in a URI of a bucket's name. */
const DESTINATIONS: Array<[string, (stack: Stack, prefix: string) => DataCapture]> = [
  ...BUCKETS.map(([kind, bucketOf]): [string, (stack: Stack, prefix: string) => DataCapture] =>
    [`toBucket() with ${kind}`, (stack, prefix) => DataCapture.toBucket(bucketOf(stack), { prefix })]),
  ...BUCKETS.map(([kind, bucketOf]): [string, (stack: Stack, prefix: string) => DataCapture] =>
    [`toS3Uri() with the name of ${kind}`, (stack, prefix) => DataCapture.toS3Uri(`s3://${bucketOf(stack).bucketName}/${prefix}`)]),
];

/** The problem that a destination of `kind` reports for its prefix: on the prefix itself, or on the URI. */
function reported(kind: string, problem: string): RegExp {
  const property = kind.startsWith('toBucket()') ? 'dataCapture\\.prefix' : 'dataCapture\\.destination';
  return new RegExp(`${property}: got [\\s\\S]*; (must|its key prefix must) (${problem})`);
}

/** A line break, in the words of the check, or of the destination's pattern that a URI known at synth time fails. */
const LINE_BREAK_REFUSED = 'not contain a line break|match \\^\\(https\\|s3\\)';

function dataStorageConfigOf(capture: (parts: ShadowTestParts) => DataCapture): any {
  const parts = new ShadowTestParts(newStack());
  parts.experiment({ dataCapture: capture(parts) });
  const [experiment] = Object.values(Template.fromStack(parts.stack).findResources('AWS::SageMaker::InferenceExperiment'));
  return experiment.Properties.DataStorageConfig;
}

describe('DataCapture', () => {
  test('toBucket() writes the bucket and prefix as an s3:// URI', () => {
    expect(dataStorageConfigOf((parts) => DataCapture.toBucket(new s3.Bucket(parts.stack, 'Bucket'), { prefix: 'captures/' })))
      .toEqual({ Destination: { 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^Bucket/) }, '/captures/']] } });
  });

  test('toBucket() without a prefix writes the root of the bucket', () => {
    const parts = new ShadowTestParts(newStack());
    const bucket = s3.Bucket.fromBucketName(parts.stack, 'Bucket', 'amzn-s3-demo-bucket');
    parts.experiment({ dataCapture: DataCapture.toBucket(bucket) });
    Template.fromStack(parts.stack).hasResourceProperties('AWS::SageMaker::InferenceExperiment', {
      DataStorageConfig: { Destination: 's3://amzn-s3-demo-bucket' },
    });
  });

  test('toS3Uri() writes the URI, the key and both content type lists', () => {
    expect(dataStorageConfigOf((parts) => DataCapture.toS3Uri('s3://amzn-s3-demo-bucket/shadow/', {
      encryptionKey: kms.Key.fromKeyArn(parts.stack, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
      csvContentTypes: ['text/csv'],
      jsonContentTypes: ['application/json', 'application/jsonlines'],
    }))).toEqual({
      Destination: 's3://amzn-s3-demo-bucket/shadow/',
      KmsKey: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ContentType: {
        CsvContentTypes: ['text/csv'],
        JsonContentTypes: ['application/json', 'application/jsonlines'],
      },
    });
  });

  test('exposes the bucket and prefix it was given', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const capture = DataCapture.toBucket(bucket, { prefix: 'p/' });
    expect(capture.bucket).toBe(bucket);
    expect(capture.prefix).toBe('p/');
    expect(DataCapture.toS3Uri('s3://b/p').bucket).toBeUndefined();
  });
});

describe.each(DESTINATIONS)('the prefix of %s', (kind, destination) => {
  // A line break slips in when the prefix is read from a file or an environment variable, or written over two lines.
  test.each([
    ['a trailing new line', 'shadow-tests/\n'],
    ['a carriage return', 'shadow-tests\r\n'],
    ['a line separator', 'shadow\u2028tests/'],
  ])('refuses %s, which the destination\'s pattern does not match', (_, prefix) => {
    expect(experimentWith((parts) => destination(parts.stack, prefix))).toThrow(reported(kind, LINE_BREAK_REFUSED));
  });

  test('refuses a line break around a token, and accepts the token', () => {
    expect(experimentWith((parts) => destination(parts.stack, `shadow-tests/${parameter(parts.stack, 'Team')}\n`)))
      .toThrow(reported(kind, LINE_BREAK_REFUSED));
    expect(experimentWith((parts) => destination(parts.stack, `shadow-tests/${parameter(parts.stack, 'Team')}/`))).not.toThrow();
    expect(experimentWith((parts) => destination(parts.stack, parameter(parts.stack, 'Prefix')))).not.toThrow();
  });

  test('refuses a prefix whose text around its tokens is too long already', () => {
    expect(experimentWith((parts) => destination(parts.stack, `${parameter(parts.stack, 'Team')}/${'p'.repeat(520)}`)))
      .toThrow(reported(kind, 'be at most \\d+ characters long.*without its tokens it has \\d+'));
  });

  test('refuses a prefix longer than the longest S3 object key in UTF-8', () => {
    // 400 characters, which fit in the URI, of 3 bytes each in UTF-8.
    expect(experimentWith((parts) => destination(parts.stack, '影'.repeat(400))))
      .toThrow(reported(kind, 'be at most 1024 bytes long in UTF-8, the longest S3 object key \\(it has 1200\\)'));
    expect(experimentWith((parts) => destination(parts.stack, '影'.repeat(341)))).not.toThrow();
  });
});

describe('the destination of a capture', () => {
  test('refuses a prefix of toBucket() that starts with a slash, before a token too', () => {
    expect(experimentWith((parts) => DataCapture.toBucket(new s3.Bucket(parts.stack, 'Captures'), {
      prefix: `/${parameter(parts.stack, 'Team')}/captures/`,
    }))).toThrow(/dataCapture\.prefix: got .*; must not start with "\/"/);
  });

  test('refuses a URI with a token whose scheme is neither s3 nor https', () => {
    for (const scheme of ['S3://', 's3:/', 'http://']) {
      expect(experimentWith((parts) => DataCapture.toS3Uri(`${scheme}${new s3.Bucket(parts.stack, 'Captures').bucketName}/captures/`)))
        .toThrow(/dataCapture\.destination: got .*; must start with s3:\/\/ or https:\/\//);
    }
  });

  test('accepts a URI that is a token, or starts with one', () => {
    expect(experimentWith(() => DataCapture.toS3Uri(Fn.importValue('CaptureUri')))).not.toThrow();
    expect(experimentWith(() => DataCapture.toS3Uri(`${Fn.importValue('CaptureUri')}/shadow-tests/`))).not.toThrow();
  });
});
