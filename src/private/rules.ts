import { StringRule } from './validation';

/*
 * The rules that AWS::SageMaker::InferenceExperiment and the SageMaker API impose on each value.
 *
 * Where the SageMaker API's pattern is stricter than the CloudFormation registry schema's, the API's is used:
 * a template that passes the schema but not the API fails at deploy time. Patterns are anchored at both ends
 * because the API matches whole values.
 */

const ALPHANUMERIC_WITH_HYPHENS = 'letters, digits and hyphens, starting and ending with a letter or digit';

/** `Name`: API pattern `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}` (the schema has none). */
export const EXPERIMENT_NAME: StringRule = {
  minLength: 1,
  maxLength: 120,
  pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}$/,
  patternDescription: ALPHANUMERIC_WITH_HYPHENS,
};

/** `Description`: the schema requires at least one character. */
export const DESCRIPTION: StringRule = { minLength: 1, maxLength: 1024 };

/** `RoleArn`. */
export const ROLE_ARN: StringRule = {
  minLength: 20,
  maxLength: 2048,
  pattern: /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/,
  patternDescription: 'an IAM role ARN',
};

/** `EndpointName`: API pattern `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`. */
export const ENDPOINT_NAME: StringRule = {
  minLength: 1,
  maxLength: 63,
  pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/,
  patternDescription: ALPHANUMERIC_WITH_HYPHENS,
};

/** `ModelVariants[].ModelName`: API pattern `[a-zA-Z0-9]([\-a-zA-Z0-9]*[a-zA-Z0-9])?`. */
export const MODEL_NAME: StringRule = {
  minLength: 1,
  maxLength: 63,
  pattern: /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/,
  patternDescription: ALPHANUMERIC_WITH_HYPHENS,
};

/** `VariantName`, `SourceModelVariantName` and `ShadowModelVariantName`. */
export const VARIANT_NAME: StringRule = {
  minLength: 1,
  maxLength: 63,
  pattern: /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/,
  patternDescription: ALPHANUMERIC_WITH_HYPHENS,
};

/**
 * `RealTimeInferenceConfig.InstanceType`: the schema has no enum and the API's grows often, so only the shape of
 * an ML instance type name is checked.
 */
export const INSTANCE_TYPE: StringRule = {
  pattern: /^ml\.[a-z0-9-]+\.[a-z0-9-]+$/,
  patternDescription: 'an ML instance type such as ml.m5.xlarge',
};

/** `InstanceCount`: a variant with no instance cannot serve a request; the API's integers have 32 bits. */
export const INSTANCE_COUNT = { min: 1, max: 2_147_483_647 };

/** `SamplingPercentage`. */
export const SAMPLING_PERCENTAGE = { min: 0, max: 100 };

/** `KmsKey` and `DataStorageConfig.KmsKey`: API pattern `[a-zA-Z0-9:/_-]*`. */
export const KMS_KEY: StringRule = {
  maxLength: 2048,
  pattern: /^[a-zA-Z0-9:/_-]*$/,
  patternDescription: 'a KMS key ID, key ARN, alias name or alias ARN',
};

/** `DataStorageConfig.Destination`. */
export const DESTINATION: StringRule = {
  maxLength: 512,
  pattern: /^(https|s3):\/\/([^/])\/?(.*)$/,
  patternDescription: 'an s3:// or https:// URI',
};

/** The longest S3 bucket name; it bounds a destination built from a bucket whose name is a token. */
export const MAX_BUCKET_NAME_LENGTH = 63;

/** The bucket name of an `s3://` destination: S3's naming rules, as aws-cdk-lib checks them. */
export const BUCKET_NAME: StringRule = {
  pattern: /^(?!\d+\.\d+\.\d+\.\d+$)(?!.*(\.\.|\.-|-\.))[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  patternDescription: 'an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit',
};

/** `CsvContentTypes` and `JsonContentTypes` items. */
export const CONTENT_TYPE: StringRule = {
  minLength: 1,
  maxLength: 256,
  pattern: /^[a-zA-Z0-9](-*[a-zA-Z0-9])*\/[a-zA-Z0-9](-*[a-zA-Z0-9.])*$/,
  patternDescription: 'a MIME type such as text/csv or application/json',
};

/** How many content types each list holds. */
export const CONTENT_TYPE_COUNT = { min: 1, max: 10 };

/** `StatusReason`. */
export const STATUS_REASON: StringRule = { minLength: 1, maxLength: 1024 };

const TAG_CHARACTERS = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
const TAG_CHARACTERS_DESCRIPTION = 'Unicode letters, digits, white space and _ . : / = + - @';

/** `Tags[].Key`. */
export const TAG_KEY: StringRule = {
  minLength: 1,
  maxLength: 128,
  pattern: TAG_CHARACTERS,
  patternDescription: TAG_CHARACTERS_DESCRIPTION,
};

/** `Tags[].Value`. */
export const TAG_VALUE: StringRule = {
  maxLength: 256,
  pattern: TAG_CHARACTERS,
  patternDescription: TAG_CHARACTERS_DESCRIPTION,
};

/** `Tags`. */
export const MAX_TAGS = 50;

/** Schedule: at most 30 days (API), and at least an hour so that a test can collect anything. */
export const MAX_SCHEDULE_DAYS = 30;
export const MIN_SCHEDULE_HOURS = 1;
