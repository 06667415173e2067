import { StringConcat, Token, Tokenization } from 'aws-cdk-lib';
import * as rules from './rules';
import { s3UriKeyPrefix, s3UriParts } from './s3-uri';
import { DataCaptureSpec, ScheduleSpec, ShadowModeSpec, VariantSpec } from './shadow-test-specs';
import { ProblemCollector } from './validation';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Checks the variants, their names, instances and the sampling percentage of a shadow test. */
export function checkShadowMode(problems: ProblemCollector, property: string, shadowMode: ShadowModeSpec): void {
  checkModelVariant(problems, `${property}.production`, shadowMode.production);
  checkModelVariant(problems, `${property}.shadow`, shadowMode.shadow);

  const productionName = shadowMode.production.variantName;
  const shadowName = shadowMode.shadow.variantName;
  if (!Token.isUnresolved(productionName) && productionName === shadowName) {
    problems.add(`${property}.shadow.variantName`, shadowName,
      'must differ from the production variant\'s name: SageMaker routes requests to variants by name');
  }
  problems.checkInteger(`${property}.samplingPercentage`, shadowMode.samplingPercentage, rules.SAMPLING_PERCENTAGE);
}

function checkModelVariant(problems: ProblemCollector, property: string, variant: VariantSpec): void {
  problems.checkString(`${property}.variantName`, variant.variantName, rules.VARIANT_NAME);
  problems.checkString(`${property}.instanceType`, variant.instanceType.name, rules.INSTANCE_TYPE);
  problems.checkInteger(`${property}.instanceCount`, variant.instanceCount, rules.INSTANCE_COUNT);
}

/** Checks that a schedule is a real window of 1 hour to 30 days. */
export function checkSchedule(problems: ProblemCollector, property: string, schedule: ScheduleSpec): void {
  const start = schedule.startTime.getTime();
  const end = schedule.endTime.getTime();
  if (Number.isNaN(start)) {
    problems.add(`${property}.startTime`, schedule.startTime, 'must be a valid date');
  }
  if (Number.isNaN(end)) {
    problems.add(`${property}.endTime`, schedule.endTime, 'must be a valid date');
  }
  if (Number.isNaN(start) || Number.isNaN(end)) {
    return;
  }
  // The handler parses the instants as ISO-8601, whose years have four digits: JavaScript writes others as +010000.
  for (const [name, date] of [['startTime', schedule.startTime], ['endTime', schedule.endTime]] as const) {
    if (!/^\d{4}-/.test(date.toISOString())) {
      problems.add(`${property}.${name}`, date, 'must be in a year from 0 to 9999, which ISO-8601 writes with four digits');
    }
  }
  const length = end - start;
  if (length <= 0) {
    problems.add(`${property}.endTime`, schedule.endTime, `must be after the start time ${schedule.startTime.toISOString()}`);
  } else if (length < rules.MIN_SCHEDULE_HOURS * HOUR_MS) {
    problems.addDescribed(property, describeLength(length),
      `a shadow test must run for at least ${rules.MIN_SCHEDULE_HOURS} hour`);
  } else if (length > rules.MAX_SCHEDULE_DAYS * DAY_MS) {
    problems.addDescribed(property, describeLength(length),
      `a shadow test can run for at most ${rules.MAX_SCHEDULE_DAYS} days`);
  }
}

function describeLength(milliseconds: number): string {
  const seconds = milliseconds / 1000;
  return `a window of ${seconds} seconds (${(seconds / 86_400).toFixed(3)} days)`;
}

/** Checks the destination, key and content types of a data capture. */
export function checkDataCapture(problems: ProblemCollector, property: string, dataCapture: DataCaptureSpec): void {
  if (dataCapture.bucket !== undefined) {
    checkPrefix(problems, `${property}.prefix`, dataCapture.prefix, dataCapture.bucket.bucketRef.bucketName);
  } else {
    checkDestinationUri(problems, `${property}.destination`, dataCapture.destination);
  }
  const key = dataCapture.encryptionKey?.keyRef.keyArn;
  problems.checkString(`${property}.encryptionKey`, key, rules.KMS_KEY);
  checkContentTypes(problems, `${property}.csvContentTypes`, dataCapture.csvContentTypes);
  checkContentTypes(problems, `${property}.jsonContentTypes`, dataCapture.jsonContentTypes);
}

/** The characters that the `.` of the destination's pattern does not match. */
const LINE_BREAK = /[\n\r\u2028\u2029]/;

/** S3's longest object key, in bytes of UTF-8: the keys of the captured data start with the prefix. */
const MAX_KEY_BYTES = 1024;

/**
 * Checks a destination given as a URI. One with tokens is checked in its text around them, which is known at synth
 * time and must already fit.
 */
function checkDestinationUri(problems: ProblemCollector, property: string, uri: string): void {
  problems.checkString(property, uri, rules.DESTINATION);
  const parts = s3UriParts(uri);
  if (parts !== undefined) {
    problems.checkString(property, parts.bucketName, rules.BUCKET_NAME);
  }
  if (Token.isUnresolved(uri)) {
    if (!startsWithToken(uri) && !/^(s3|https):\/\//.test(uri)) {
      problems.add(property, uri, 'must start with s3:// or https://');
    }
    checkLiteralText(problems, property, uri, rules.DESTINATION.maxLength!, '');
  }
  const keyPrefix = s3UriKeyPrefix(uri);
  if (keyPrefix !== undefined) {
    checkKeyBytes(problems, property, uri, keyPrefix);
  }
}

/** Checks a key prefix in a bucket; one with tokens is checked in its text around them, as the bucket's name is not. */
function checkPrefix(problems: ProblemCollector, property: string, prefix: string | undefined, bucketName: string): void {
  if (prefix === undefined) {
    return;
  }
  // A token's placeholder starts with "$", so this sees the slash of a literal start only.
  if (prefix.startsWith('/')) {
    problems.add(property, prefix, 'must not start with "/": it is appended to "s3://<bucket>/"');
  }
  // A bucket name that is a token is at most 63 characters long, so the destination fits when the prefix does.
  const bucketNameLength = Token.isUnresolved(bucketName) ? rules.MAX_BUCKET_NAME_LENGTH : [...bucketName].length;
  const maxPrefixLength = rules.DESTINATION.maxLength! - 's3://'.length - bucketNameLength - '/'.length;
  checkLiteralText(problems, property, prefix, maxPrefixLength, `, so that the destination URI fits in ${rules.DESTINATION.maxLength}`);
  checkKeyBytes(problems, property, prefix, prefix);
}

/**
 * Checks that the text of `value` around its tokens has no line break, which the destination's pattern refuses,
 * and at most `maxLength` characters (`why` says where the limit comes from).
 */
function checkLiteralText(problems: ProblemCollector, property: string, value: string, maxLength: number, why: string): void {
  // Tokens' placeholders hold no line break.
  if (LINE_BREAK.test(value)) {
    problems.add(property, value, 'must not contain a line break (\\n, \\r, U+2028 or U+2029), which the destination URI pattern refuses');
  }
  const length = [...literalText(value)].length;
  if (length > maxLength) {
    const counted = Token.isUnresolved(value) ? `; without its tokens it has ${length}` : '';
    problems.add(property, value, `must be at most ${maxLength} characters long${why}${counted}`);
  }
}

/** Checks that the key prefix `keyPrefix` of `value` (the value itself, or its part) fits in an S3 object key. */
function checkKeyBytes(problems: ProblemCollector, property: string, value: string, keyPrefix: string): void {
  const bytes = Buffer.byteLength(literalText(keyPrefix), 'utf8');
  if (bytes > MAX_KEY_BYTES) {
    const subject = keyPrefix === value ? 'must' : 'its key prefix must';
    const counted = Token.isUnresolved(keyPrefix) ? 'without its tokens it has' : 'it has';
    problems.add(property, value, `${subject} be at most ${MAX_KEY_BYTES} bytes long in UTF-8, the longest S3 object key ` +
      `(${counted} ${bytes})`);
  }
}

/** The text of `value` without its tokens, which are known only at deploy time. */
function literalText(value: string): string {
  return Tokenization.reverseString(value).mapTokens({ mapToken: () => '' }).join(new StringConcat()) ?? '';
}

function startsWithToken(value: string): boolean {
  return Tokenization.reverseString(value).firstToken !== undefined;
}

function checkContentTypes(problems: ProblemCollector, property: string, contentTypes: string[] | undefined): void {
  if (contentTypes === undefined || Token.isUnresolved(contentTypes)) {
    return;
  }
  problems.checkCount(property, contentTypes, rules.CONTENT_TYPE_COUNT.min, rules.CONTENT_TYPE_COUNT.max);
  contentTypes.forEach((contentType, index) => problems.checkString(`${property}[${index}]`, contentType, rules.CONTENT_TYPE));
}

/**
 * Checks tags as CloudFormation will receive them: the resource's own, and those of its stacks (`inherited`), which
 * CloudFormation adds to the resource's.
 */
export function checkTags(
  problems: ProblemCollector,
  property: string,
  tags: ReadonlyArray<{ key: string; value: string }>,
  inherited: ReadonlyArray<{ key: string; value: string }> = [],
): void {
  const own = new Set(tags.map((tag) => tag.key));
  const added = inherited.filter((tag) => !own.has(tag.key));
  const count = own.size + added.length;
  if (count > rules.MAX_TAGS) {
    const origin = added.length > 0 ? ` (${own.size} of the experiment's own, ${added.length} of its stack's, which CloudFormation adds)` : '';
    problems.addDescribed(property, `${count} tags${origin}`, `a resource can have at most ${rules.MAX_TAGS} tags`);
  }
  checkTagValues(problems, property, tags);
  checkTagValues(problems, `${property} (of the stack)`, added);
}

function checkTagValues(problems: ProblemCollector, property: string, tags: ReadonlyArray<{ key: string; value: string }>): void {
  for (const { key, value } of tags) {
    problems.checkString(`${property}[${JSON.stringify(key)}] key`, key, rules.TAG_KEY);
    problems.checkString(`${property}[${JSON.stringify(key)}] value`, value, rules.TAG_VALUE);
    if (!Token.isUnresolved(key) && key.toLowerCase().startsWith('aws:')) {
      problems.add(`${property}[${JSON.stringify(key)}] key`, key, 'must not start with "aws:", which AWS reserves');
    }
  }
}
