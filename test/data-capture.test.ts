import { aws_kms as kms, aws_s3 as s3 } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DataCapture } from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';

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
