import { aws_kms as kmsRefs, aws_s3 as s3Refs } from 'aws-cdk-lib/interfaces';
import { BUCKET, checkKind, KEY, PROPS, STRING, STRING_LIST } from './private/kinds';
import { ProblemCollector } from './private/validation';

/**
 * Options for capturing a shadow test's inference requests and responses.
 */
export interface DataCaptureOptions {
  /**
   * The KMS key that SageMaker uses to encrypt the captured data at rest with Amazon S3 server-side encryption.
   *
   * @default - the captured data is encrypted as the destination bucket's default encryption says
   */
  readonly encryptionKey?: kmsRefs.IKeyRef;

  /**
   * The content type headers that SageMaker treats as CSV and captures as such: from 1 to 10 MIME types.
   *
   * @default - none: data of these types is captured base64-encoded
   */
  readonly csvContentTypes?: string[];

  /**
   * The content type headers that SageMaker treats as JSON and captures as such: from 1 to 10 MIME types.
   *
   * @default - none: data of these types is captured base64-encoded
   */
  readonly jsonContentTypes?: string[];
}

/**
 * Options for capturing a shadow test's data to an S3 bucket.
 */
export interface BucketDataCaptureOptions extends DataCaptureOptions {
  /**
   * The key prefix under which the captured data is stored, such as `shadow-tests/`. It must not start with `/` nor
   * hold a line break, and must fit, with the bucket's name, in a destination URI of 512 characters and, in UTF-8, in
   * an S3 object key of 1024 bytes. A prefix that holds tokens is checked in its text around them.
   *
   * @default - the root of the bucket
   */
  readonly prefix?: string;
}

/**
 * Where and how a shadow test captures the inference requests and responses of its variants.
 *
 * Data capture can be turned on or off only before the test starts.
 *
 * @example
 * const toBucket = DataCapture.toBucket(bucket, {
 *   prefix: 'shadow-tests/',
 *   encryptionKey: key,
 *   jsonContentTypes: ['application/json'],
 * });
 * const toUri = DataCapture.toS3Uri('s3://amzn-s3-demo-bucket/shadow-tests/');
 */
export class DataCapture {
  /**
   * Capture to an S3 bucket, under an optional prefix.
   *
   * @param bucket the bucket that receives the captured data
   * @param options the prefix, encryption key and content types
   */
  public static toBucket(bucket: s3Refs.IBucketRef, options: BucketDataCaptureOptions = {}): DataCapture {
    const problems = new ProblemCollector();
    checkKind(problems, 'bucket', bucket, BUCKET);
    checkOptions(problems, options);
    checkKind(problems, 'options.prefix', options?.prefix, STRING, true);
    problems.throwIfAny('DataCapture.toBucket()');
    const bucketName = bucket.bucketRef.bucketName;
    const destination = options.prefix === undefined ? `s3://${bucketName}` : `s3://${bucketName}/${options.prefix}`;
    return new DataCapture(destination, options, bucket, options.prefix);
  }

  /**
   * Capture to an S3 location given as a URI, such as `s3://amzn-s3-demo-bucket/shadow-tests/`.
   *
   * @param destinationUri an `s3://` or `https://` URI of at most 512 characters, without a line break; one that holds
   * tokens is checked in its text around them
   * @param options the encryption key and content types
   */
  public static toS3Uri(destinationUri: string, options: DataCaptureOptions = {}): DataCapture {
    const problems = new ProblemCollector();
    checkKind(problems, 'destinationUri', destinationUri, STRING);
    checkOptions(problems, options);
    problems.throwIfAny('DataCapture.toS3Uri()');
    return new DataCapture(destinationUri, options);
  }

  /** The S3 URI that receives the captured data. */
  public readonly destination: string;

  /** The KMS key that encrypts the captured data, if one is given. */
  public readonly encryptionKey?: kmsRefs.IKeyRef;

  /** The content types captured as CSV, if any are given. */
  public readonly csvContentTypes?: string[];

  /** The content types captured as JSON, if any are given. */
  public readonly jsonContentTypes?: string[];

  /** The bucket that receives the captured data, when it was given as a bucket. */
  public readonly bucket?: s3Refs.IBucketRef;

  /** The key prefix in `bucket`, when one was given. */
  public readonly prefix?: string;

  private constructor(
    destination: string,
    options: DataCaptureOptions,
    bucket?: s3Refs.IBucketRef,
    prefix?: string,
  ) {
    this.destination = destination;
    this.encryptionKey = options.encryptionKey;
    this.csvContentTypes = options.csvContentTypes;
    this.jsonContentTypes = options.jsonContentTypes;
    this.bucket = bucket;
    this.prefix = prefix;
  }
}

function checkOptions(problems: ProblemCollector, options: DataCaptureOptions): void {
  if (checkKind(problems, 'options', options, PROPS)) {
    checkKind(problems, 'options.encryptionKey', options.encryptionKey, KEY, true);
    checkKind(problems, 'options.csvContentTypes', options.csvContentTypes, STRING_LIST, true);
    checkKind(problems, 'options.jsonContentTypes', options.jsonContentTypes, STRING_LIST, true);
  }
}
