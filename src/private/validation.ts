import { Token } from 'aws-cdk-lib';

/** What a string must satisfy; every part is optional. */
export interface StringRule {
  readonly minLength?: number;
  readonly maxLength?: number;
  /** A regular expression that the whole value must match. */
  readonly pattern?: RegExp;
  /** The pattern in words, for the error message. */
  readonly patternDescription?: string;
}

/** What a number must satisfy. */
export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
}

/**
 * Collects every problem in a construct's input, so that one error reports all of them.
 *
 * Values that are unresolved tokens are skipped: they are only known at deploy time.
 */
export class ProblemCollector {
  private readonly problems: string[] = [];

  /** Records that `property` has the wrong `value`, with what is allowed instead. */
  public add(property: string, value: unknown, allowed: string): void {
    this.addDescribed(property, describe(value), allowed);
  }

  /** Records a problem whose value is already described in words. */
  public addDescribed(property: string, got: string, allowed: string): void {
    this.problems.push(`${property}: got ${got}; ${allowed}`);
  }

  public checkString(property: string, value: string | undefined, rule: StringRule): void {
    if (value === undefined || Token.isUnresolved(value)) {
      return;
    }
    // JSON Schema and the SageMaker API count characters (code points), not UTF-16 code units.
    const length = [...value].length;
    if (length < (rule.minLength ?? 0)) {
      this.add(property, value, `must be at least ${plural(rule.minLength!, 'character')} long`);
    } else if (length > (rule.maxLength ?? Infinity)) {
      this.add(property, value, `must be at most ${plural(rule.maxLength!, 'character')} long (it has ${length})`);
    }
    if (rule.pattern !== undefined && !rule.pattern.test(value)) {
      const explanation = rule.patternDescription ? ` (${rule.patternDescription})` : '';
      this.add(property, value, `must match ${rule.pattern.source}${explanation}`);
    }
  }

  public checkInteger(property: string, value: number | undefined, rule: NumberRule): void {
    if (value === undefined || Token.isUnresolved(value)) {
      return;
    }
    if (!Number.isInteger(value) || outOfRange(value, rule)) {
      this.add(property, value, `must be a whole number${describeRange(rule)}`);
    }
  }

  /** A finite number within the rule's bounds (a threshold, a percentage that need not be whole). */
  public checkNumber(property: string, value: number | undefined, rule: NumberRule): void {
    if (value === undefined || Token.isUnresolved(value)) {
      return;
    }
    if (!Number.isFinite(value) || outOfRange(value, rule)) {
      this.add(property, value, `must be a finite number${describeRange(rule)}`);
    }
  }

  public checkCount(property: string, items: readonly unknown[] | undefined, min: number, max: number): void {
    if (items === undefined || Token.isUnresolved(items)) {
      return;
    }
    if (items.length < min || items.length > max) {
      const allowed = min === max ? `exactly ${min}` : `from ${min} to ${max}`;
      this.addDescribed(property, plural(items.length, 'item'), `must have ${allowed} item${max === 1 ? '' : 's'}`);
    }
  }

  public get isEmpty(): boolean {
    return this.problems.length === 0;
  }

  /** One message that lists every problem of `subject`. */
  public message(subject: string): string {
    const heading = this.problems.length === 1 ? '1 problem' : `${this.problems.length} problems`;
    return `${subject} is invalid (${heading}):\n${this.problems.map((p) => `  - ${p}`).join('\n')}`;
  }

  /** Throws one error that lists every problem, if there is any. */
  public throwIfAny(subject: string): void {
    if (!this.isEmpty) {
      throw new Error(this.message(subject));
    }
  }
}

/** Whether `value` is below the rule's minimum or above its maximum (a bound left out does not bound). */
function outOfRange(value: number, rule: NumberRule): boolean {
  return value < (rule.min ?? -Infinity) || value > (rule.max ?? Infinity);
}

function describeRange(rule: NumberRule): string {
  if (rule.min !== undefined && rule.max !== undefined) {
    return ` from ${rule.min} to ${rule.max}`;
  }
  if (rule.min !== undefined) {
    return ` of at least ${rule.min}`;
  }
  if (rule.max !== undefined) {
    return ` of at most ${rule.max}`;
  }
  return '';
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

const MAX_SHOWN_LENGTH = 80;

/** A short, unambiguous rendering of a value for an error message. */
function describe(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > MAX_SHOWN_LENGTH ? `${value.slice(0, MAX_SHOWN_LENGTH)}…` : value;
    return JSON.stringify(shown);
  }
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? 'an invalid date' : value.toISOString();
  }
  return String(value);
}
