import { Token } from 'aws-cdk-lib';

/** The bucket name and key prefix of an `s3://` URI. */
export interface S3UriParts {
  readonly bucketName: string;
  readonly prefix: string;
}

/** The parts of `uri` when it is an `s3://` URI known at synth time; undefined for a token or another scheme. */
export function s3UriParts(uri: string): S3UriParts | undefined {
  const match = Token.isUnresolved(uri) ? null : /^s3:\/\/([^/]*)\/?([\s\S]*)$/.exec(uri);
  return match ? { bucketName: match[1], prefix: match[2] } : undefined;
}

/**
 * The key prefix of an `s3://` URI, with the tokens it holds: `captures/${token}` for
 * `s3://${bucketToken}/captures/${token}` (a token's placeholder holds no slash). Undefined for another scheme, and
 * for a URI that starts with a token.
 */
export function s3UriKeyPrefix(uri: string): string | undefined {
  return /^s3:\/\/[^/]*\/?([\s\S]*)$/.exec(uri)?.[1];
}
