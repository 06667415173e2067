import { Token } from 'aws-cdk-lib';
import * as rules from './rules';
import { s3UriParts } from './s3-uri';
import { ProblemCollector } from './validation';
import { DataCapture } from '../data-capture';
import { ModelVariant } from '../model-variant';
import { Schedule } from '../schedule';
import { ShadowModeConfig } from '../shadow-mode-config';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Checks the variants, their names, instances and the sampling percentage of a shadow test. */
export function checkShadowMode(problems: ProblemCollector, property: string, shadowMode: ShadowModeConfig): void {
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

function checkModelVariant(problems: ProblemCollector, property: string, variant: ModelVariant): void {
  problems.checkString(`${property}.variantName`, variant.variantName, rules.VARIANT_NAME);
  problems.checkString(`${property}.instanceType`, variant.instanceType.name, rules.INSTANCE_TYPE);
  problems.checkInteger(`${property}.instanceCount`, variant.instanceCount, rules.INSTANCE_COUNT);
}

/** Checks that a schedule is a real window of 1 hour to 30 days. */
export function checkSchedule(problems: ProblemCollector, property: string, schedule: Schedule): void {
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
export function checkDataCapture(problems: ProblemCollector, property: string, dataCapture: DataCapture): void {
  if (dataCapture.bucket !== undefined) {
    checkPrefix(problems, `${property}.prefix`, dataCapture.prefix, dataCapture.bucket.bucketRef.bucketName);
  }
  problems.checkString(`${property}.destination`, dataCapture.destination, rules.DESTINATION);
  const s3Uri = dataCapture.bucket === undefined ? s3UriParts(dataCapture.destination) : undefined;
  if (s3Uri !== undefined) {
    problems.checkString(`${property}.destination`, s3Uri.bucketName, rules.BUCKET_NAME);
  }
  const key = dataCapture.encryptionKey?.keyRef.keyArn;
  problems.checkString(`${property}.encryptionKey`, key, rules.KMS_KEY);
  checkContentTypes(problems, `${property}.csvContentTypes`, dataCapture.csvContentTypes);
  checkContentTypes(problems, `${property}.jsonContentTypes`, dataCapture.jsonContentTypes);
}

function checkPrefix(problems: ProblemCollector, property: string, prefix: string | undefined, bucketName: string): void {
  if (prefix === undefined || Token.isUnresolved(prefix)) {
    return;
  }
  if (prefix.startsWith('/')) {
    problems.add(property, prefix, 'must not start with "/": it is appended to "s3://<bucket>/"');
  }
  // A bucket name that is a token is at most 63 characters long, so the destination fits when the prefix does.
  const bucketNameLength = Token.isUnresolved(bucketName) ? rules.MAX_BUCKET_NAME_LENGTH : [...bucketName].length;
  const maxPrefixLength = rules.DESTINATION.maxLength! - 's3://'.length - bucketNameLength - '/'.length;
  if ([...prefix].length > maxPrefixLength) {
    problems.add(property, prefix,
      `must be at most ${maxPrefixLength} characters long, so that the destination URI fits in ${rules.DESTINATION.maxLength}`);
  }
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
