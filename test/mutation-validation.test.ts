/*
 * The contract of the input checks (src/private/validation.ts) and of the rules they apply (src/private/rules.ts):
 * which values each rule accepts and refuses, and the messages that a user reads. Written from the survivors of
 * mutation testing (`npx projen mutation`): the construct's tests go through whole experiments, and rarely reach the
 * edges of each rule.
 */
import { Token } from 'aws-cdk-lib';
import * as rules from '../src/private/rules';
import { NumberRule, ProblemCollector, StringRule } from '../src/private/validation';

/** The problems that checking `value` against `rule` finds, as the error lists them. */
function stringProblems(value: string | undefined, rule: StringRule): string[] {
  const problems = new ProblemCollector();
  problems.checkString('value', value, rule);
  return problemsOf(problems);
}

function problemsOf(problems: ProblemCollector): string[] {
  if (problems.isEmpty) {
    return [];
  }
  return problems.message('it').split('\n').slice(1).map((line) => line.replace(/^ {2}- /, ''));
}

function integerProblems(value: number | undefined, rule: NumberRule): string[] {
  const problems = new ProblemCollector();
  problems.checkInteger('value', value, rule);
  return problemsOf(problems);
}

function numberProblems(value: number | undefined, rule: NumberRule): string[] {
  const problems = new ProblemCollector();
  problems.checkNumber('value', value, rule);
  return problemsOf(problems);
}

function countProblems(items: unknown[] | undefined, min: number, max: number): string[] {
  const problems = new ProblemCollector();
  problems.checkCount('value', items, min, max);
  return problemsOf(problems);
}

describe('the rules of each value', () => {
  const cases: Array<[string, StringRule, string[], string[]]> = [
    ['ROLE_ARN', rules.ROLE_ARN,
      ['arn:aws:iam::123456789012:role/name', 'arn:aws-cn:iam::123456789012:role/path/name', 'arn:aws-us-gov:iam::123456789012:roleName'],
      ['xarn:aws:iam::123456789012:role/name', 'arn:aws:iam::123456789012:role/name with space']],
    ['MODEL_NAME', rules.MODEL_NAME,
      ['m', 'model', 'my-model', 'abc-d', 'a--b'],
      ['-model', 'model-', 'my_model']],
    ['VARIANT_NAME', rules.VARIANT_NAME,
      ['v', 'production', 'shadow-2'],
      ['-v', 'v-', 'v.1']],
    ['INSTANCE_TYPE', rules.INSTANCE_TYPE,
      ['ml.m5.xlarge', 'ml.g5.12xlarge', 'ml.inf2.xlarge'],
      ['xml.m5.xlarge', 'ml.m5.xlarge ', 'm5.xlarge', 'ml.m5']],
    ['KMS_KEY', rules.KMS_KEY,
      ['', 'abc', '1234abcd-12ab-34cd-56ef-1234567890ab', 'alias/my-key', 'arn:aws:kms:us-east-1:123456789012:key/abc'],
      ['alias/my key', 'key!']],
    ['DESTINATION', rules.DESTINATION,
      ['s3://b', 's3://bucket', 's3://bucket/prefix/', 'https://bucket.s3.amazonaws.com/prefix'],
      ['xs3://bucket', 's3:///bucket', 's3://bucket/prefix\nmore', 'ftp://bucket']],
    ['BUCKET_NAME', rules.BUCKET_NAME,
      ['abc', 'my-bucket', 'my.bucket.1', '1.2.3.4a', 'a'.repeat(63)],
      ['ab', 'my-bucket-', '-bucket', 'My-Bucket', 'abc..d', 'abc.-d', 'abc-.d', '192.168.10.10', '1.2.3.4', 'a'.repeat(64)]],
    ['CONTENT_TYPE', rules.CONTENT_TYPE,
      ['text/csv', 'application/json', 'application/x-ndjson', 'application/vnd.x.v2', 'a-b--c/d'],
      ['-text/csv', 'text/csv;', 'text', 'text/-csv', 'text/csv/x']],
    ['EXPERIMENT_NAME', rules.EXPERIMENT_NAME,
      ['e', 'my-experiment', 'a--b', 'a'.repeat(120)],
      ['-e', 'e-', 'my_experiment', 'a'.repeat(121)]],
    ['ENDPOINT_NAME', rules.ENDPOINT_NAME,
      ['e', 'my-endpoint', 'a'.repeat(63)],
      ['-e', 'e-', 'my.endpoint', 'a'.repeat(64)]],
    ['TAG_KEY', rules.TAG_KEY,
      ['k', 'team name', 'Équipe_1:a/b=c+d-e@f.g'],
      ['', 'a*b', 'k'.repeat(129)]],
    ['TAG_VALUE', rules.TAG_VALUE,
      ['', 'v', 'v'.repeat(256)],
      ['a#b', 'v'.repeat(257)]],
    ['DESCRIPTION', rules.DESCRIPTION, ['d', 'd'.repeat(1024)], ['', 'd'.repeat(1025)]],
    ['STATUS_REASON', rules.STATUS_REASON, ['r', 'r'.repeat(1024)], ['', 'r'.repeat(1025)]],
  ];

  describe.each(cases)('%s', (_name, rule, accepted, refused) => {
    test.each(accepted.map((value) => [value]))('accepts %j', (value) => {
      expect(stringProblems(value, rule)).toEqual([]);
    });
    test.each(refused.map((value) => [value]))('refuses %j', (value) => {
      expect(stringProblems(value, rule)).not.toEqual([]);
    });
  });

  test.each([
    ['KMS_KEY', rules.KMS_KEY, 'key!', 'a KMS key ID, key ARN, alias name or alias ARN'],
    ['CONTENT_TYPE', rules.CONTENT_TYPE, 'text', 'a MIME type such as text/csv or application/json'],
    ['TAG_KEY', rules.TAG_KEY, 'a*b', 'Unicode letters, digits, white space and _ . : / = + - @'],
    ['ROLE_ARN', rules.ROLE_ARN, 'arn:aws:iam::123456789012:user/name', 'an IAM role ARN'],
  ] as Array<[string, StringRule, string, string]>)('a value refused by %s is explained in words', (_name, rule, value, words) => {
    expect(stringProblems(value, rule)).toEqual([`value: got ${JSON.stringify(value)}; must match ${rule.pattern!.source} (${words})`]);
  });

  test('the numeric bounds are the API\'s', () => {
    expect(rules.INSTANCE_COUNT).toEqual({ min: 1, max: 2_147_483_647 });
    expect(rules.SAMPLING_PERCENTAGE).toEqual({ min: 0, max: 100 });
    expect(rules.CONTENT_TYPE_COUNT).toEqual({ min: 1, max: 10 });
  });
});

describe('ProblemCollector', () => {
  describe('checkString', () => {
    test('a value as long as the bounds is accepted', () => {
      expect(stringProblems('ab', { minLength: 2, maxLength: 2 })).toEqual([]);
    });

    test('too short and too long values, counted in characters', () => {
      expect(stringProblems('a', { minLength: 2 })).toEqual(['value: got "a"; must be at least 2 characters long']);
      expect(stringProblems('', { minLength: 1 })).toEqual(['value: got ""; must be at least 1 character long']);
      expect(stringProblems('abc', { maxLength: 2 })).toEqual(['value: got "abc"; must be at most 2 characters long (it has 3)']);
      expect(stringProblems('ab', { maxLength: 1 })).toEqual(['value: got "ab"; must be at most 1 character long (it has 2)']);
      expect(stringProblems('😀😀', { maxLength: 2 })).toEqual([]);
    });

    test('a pattern without a description is shown alone', () => {
      expect(stringProblems('b', { pattern: /^a$/ })).toEqual(['value: got "b"; must match ^a$']);
    });

    test('a value both too long and off the pattern has both problems', () => {
      expect(stringProblems('bb', { maxLength: 1, pattern: /^a*$/, patternDescription: 'only a' })).toEqual([
        'value: got "bb"; must be at most 1 character long (it has 2)',
        'value: got "bb"; must match ^a*$ (only a)',
      ]);
    });

    test('undefined values and tokens are not checked', () => {
      expect(stringProblems(undefined, { minLength: 1, pattern: /^a$/ })).toEqual([]);
      expect(stringProblems(Token.asString({ Ref: 'P' }), { maxLength: 1, pattern: /^a$/ })).toEqual([]);
    });

    test('a long value is shown shortened to 80 characters', () => {
      const long = `${'a'.repeat(80)}b`;
      expect(stringProblems(long, { pattern: /^c$/ })).toEqual([`value: got "${'a'.repeat(80)}…"; must match ^c$`]);
      const eighty = 'a'.repeat(80);
      expect(stringProblems(eighty, { pattern: /^c$/ })).toEqual([`value: got "${eighty}"; must match ^c$`]);
    });
  });

  describe('checkInteger', () => {
    test.each([
      [{ min: 1, max: 3 }, ' from 1 to 3'],
      [{ min: 1 }, ' of at least 1'],
      [{ max: -1 }, ' of at most -1'],
      [{}, ''],
    ] as Array<[NumberRule, string]>)('a fraction, for %j, is refused with the range', (rule, range) => {
      expect(integerProblems(0.5, rule)).toEqual([`value: got 0.5; must be a whole number${range}`]);
    });

    test('the bounds are inclusive', () => {
      expect(integerProblems(1, { min: 1, max: 3 })).toEqual([]);
      expect(integerProblems(3, { min: 1, max: 3 })).toEqual([]);
      expect(integerProblems(0, { min: 1, max: 3 })).toEqual(['value: got 0; must be a whole number from 1 to 3']);
      expect(integerProblems(4, { min: 1, max: 3 })).toEqual(['value: got 4; must be a whole number from 1 to 3']);
      expect(integerProblems(-5, { max: 3 })).toEqual([]);
      expect(integerProblems(500, { min: 3 })).toEqual([]);
    });

    test('undefined values and tokens are not checked', () => {
      expect(integerProblems(undefined, { min: 1 })).toEqual([]);
      expect(integerProblems(Token.asNumber({ Ref: 'P' }), { min: 1, max: 1 })).toEqual([]);
    });
  });

  describe('checkNumber', () => {
    test('finite numbers within the bounds, the bounds included, are accepted', () => {
      expect(numberProblems(0, { min: 0, max: 100 })).toEqual([]);
      expect(numberProblems(100, { min: 0, max: 100 })).toEqual([]);
      expect(numberProblems(0.5, { min: 0, max: 100 })).toEqual([]);
      expect(numberProblems(-1e9, { max: 0 })).toEqual([]);
      expect(numberProblems(1e9, { min: 0 })).toEqual([]);
      expect(numberProblems(7, {})).toEqual([]);
    });

    test.each([
      [-0.1, { min: 0, max: 100 }, 'value: got -0.1; must be a finite number from 0 to 100'],
      [100.1, { min: 0, max: 100 }, 'value: got 100.1; must be a finite number from 0 to 100'],
      [-1, { min: 0 }, 'value: got -1; must be a finite number of at least 0'],
      [1, { max: 0 }, 'value: got 1; must be a finite number of at most 0'],
      [NaN, {}, 'value: got NaN; must be a finite number'],
      [Infinity, { min: 0 }, 'value: got Infinity; must be a finite number of at least 0'],
    ] as Array<[number, NumberRule, string]>)('%d for %j is refused', (value, rule, message) => {
      expect(numberProblems(value, rule)).toEqual([message]);
    });

    test('undefined values and tokens are not checked', () => {
      expect(numberProblems(undefined, { min: 1 })).toEqual([]);
      expect(numberProblems(Token.asNumber({ Ref: 'P' }), { min: 1, max: 1 })).toEqual([]);
    });
  });

  describe('checkCount', () => {
    test('counts within the bounds, the bounds included, are accepted', () => {
      expect(countProblems([1], 1, 2)).toEqual([]);
      expect(countProblems([1, 2], 1, 2)).toEqual([]);
    });

    test.each([
      [[], 1, 1, 'value: got 0 items; must have exactly 1 item'],
      [[1, 2], 1, 1, 'value: got 2 items; must have exactly 1 item'],
      [[], 1, 10, 'value: got 0 items; must have from 1 to 10 items'],
      [[1, 2, 3], 2, 2, 'value: got 3 items; must have exactly 2 items'],
      [[1], 2, 3, 'value: got 1 item; must have from 2 to 3 items'],
    ] as Array<[unknown[], number, number, string]>)('%j for %d to %d is refused', (items, min, max, message) => {
      expect(countProblems(items, min, max)).toEqual([message]);
    });

    test('undefined lists and tokens are not checked', () => {
      expect(countProblems(undefined, 1, 1)).toEqual([]);
      expect(countProblems(Token.asList({ Ref: 'P' }), 2, 2)).toEqual([]);
    });
  });

  describe('the error', () => {
    test('lists every problem under its subject', () => {
      const problems = new ProblemCollector();
      expect(problems.isEmpty).toBe(true);
      expect(() => problems.throwIfAny('Nothing')).not.toThrow();
      problems.add('a', new Date('2027-01-01T00:00:00Z'), 'must be later');
      expect(problems.isEmpty).toBe(false);
      expect(problems.message('Experiment')).toBe('Experiment is invalid (1 problem):\n  - a: got 2027-01-01T00:00:00.000Z; must be later');
      problems.add('b', new Date(NaN), 'must be a date');
      problems.add('c', 42, 'must be less');
      expect(() => problems.throwIfAny('Experiment')).toThrow(new Error('Experiment is invalid (3 problems):\n'
        + '  - a: got 2027-01-01T00:00:00.000Z; must be later\n'
        + '  - b: got an invalid date; must be a date\n'
        + '  - c: got 42; must be less'));
    });
  });
});
