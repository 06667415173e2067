import { Token } from 'aws-cdk-lib';
import { BOOLEAN, checkKind, NUMBER, oneOf, PROPS } from './private/kinds';
import { ProblemCollector } from './private/validation';
import { CriterionSpec } from './private/verdict-queries';

/**
 * The latency metrics that a verdict can compare.
 */
export enum LatencyMetric {
  /** The time the model takes to answer (`ModelLatency`). */
  MODEL_LATENCY = 'ModelLatency',
  /** The time SageMaker adds to the model's (`OverheadLatency`): worth judging when the shadow runs on another instance type. */
  OVERHEAD_LATENCY = 'OverheadLatency',
}

/**
 * The instance metrics that a verdict can compare, each a percentage of the variant's instances.
 */
export enum UtilizationMetric {
  /** `CPUUtilization`: the sum over the instance's cores, so it can exceed 100. */
  CPU = 'CPUUtilization',
  /** `MemoryUtilization`. */
  MEMORY = 'MemoryUtilization',
  /** `DiskUtilization`. */
  DISK = 'DiskUtilization',
  /** `GPUUtilization`. */
  GPU = 'GPUUtilization',
  /** `GPUMemoryUtilization`. */
  GPU_MEMORY = 'GPUMemoryUtilization',
}

/**
 * How many of the judged periods a criterion that is judged per period may fail, and still pass: a few spikes need
 * not fail a test that is otherwise good. Give one of the two, or neither.
 */
export interface FailingPeriodsOptions {
  /**
   * How many judged periods may fail.
   *
   * @default 0 - unless `allowedFailingPercent` is given
   */
  readonly allowedFailingPeriods?: number;

  /**
   * The share of the judged periods, in percent, that may fail, rounded down: with 10, 2 of 24 periods may fail.
   *
   * @default - `allowedFailingPeriods` decides
   */
  readonly allowedFailingPercent?: number;
}

/**
 * A criterion on the error rate.
 */
export interface ErrorRateCriterionOptions extends FailingPeriodsOptions {
  /**
   * How much higher than production's the shadow variant's error rate may be, in percentage points: with 1, a shadow
   * that fails 1.5% of its requests passes against a production that fails 0.5%. The error rate is
   * `100 * (Invocation4XXErrors + Invocation5XXErrors) / Invocations`.
   */
  readonly maxIncreasePercentagePoints: number;

  /**
   * Whether each period is judged on its own (with `allowedFailingPeriods` or `allowedFailingPercent`), rather than
   * the whole window at once.
   *
   * @default false - the rates of the whole window are compared
   */
  readonly judgeEachPeriod?: boolean;
}

/**
 * A criterion on latency, judged in each period.
 */
export interface LatencyCriterionOptions extends FailingPeriodsOptions {
  /** The percentile of the latency that is compared, such as 50, 90 or 99 (more than 0, less than 100). */
  readonly percentile: number;

  /**
   * How much slower the shadow variant may answer than production at that percentile, in percent of production's:
   * with 10, a shadow p99 of 110 ms passes against a production p99 of 100 ms.
   */
  readonly maxRegressionPercent: number;

  /**
   * The latency compared.
   *
   * @default LatencyMetric.MODEL_LATENCY
   */
  readonly metric?: LatencyMetric;
}

/**
 * A criterion on an instance metric, judged in each period.
 */
export interface UtilizationCriterionOptions extends FailingPeriodsOptions {
  /** The instance metric compared. */
  readonly metric: UtilizationMetric;

  /**
   * How much higher than production's the shadow variant's average utilization may be, in percentage points.
   */
  readonly maxIncreasePercentagePoints: number;
}

const LATENCY_METRIC = oneOf(Object.values(LatencyMetric), 'a LatencyMetric, such as LatencyMetric.MODEL_LATENCY');
const UTILIZATION_METRIC = oneOf(Object.values(UtilizationMetric), 'a UtilizationMetric, such as UtilizationMetric.MEMORY');

/**
 * What a verdict requires of the shadow variant, compared with production over the test's window. Each criterion
 * passes, fails, or has no data (no period with data on both variants).
 *
 * A criterion judged per period fails when more periods fail than it allows; a period fails when its value is above
 * the threshold. Periods without data on both variants are not judged.
 *
 * @example
 * const criteria = [
 *   VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 0.5 }),
 *   VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 15, allowedFailingPercent: 5 }),
 *   VerdictCriterion.utilization({ metric: UtilizationMetric.MEMORY, maxIncreasePercentagePoints: 10 }),
 * ];
 */
export class VerdictCriterion {
  /**
   * The criteria of a verdict that is given none: the error rate over the window at most 1 percentage point above
   * production's; the model latency at p50 at most 10% and at p99 at most 20% above production's, each judged per
   * period, with up to 10% of the periods allowed to fail.
   */
  public static defaults(): VerdictCriterion[] {
    return [
      VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 1 }),
      VerdictCriterion.latency({ percentile: 50, maxRegressionPercent: 10, allowedFailingPercent: 10 }),
      VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 20, allowedFailingPercent: 10 }),
    ];
  }

  /**
   * The shadow's error rate against production's, over the window or in each period. Its name in the verdict's
   * results is `errorRate`.
   *
   * @param options the largest increase, in percentage points, and how it is judged
   */
  public static errorRate(options: ErrorRateCriterionOptions): VerdictCriterion {
    const problems = checked('VerdictCriterion.errorRate()', options, 'maxIncreasePercentagePoints', (p) => {
      checkKind(p, 'judgeEachPeriod', options.judgeEachPeriod, BOOLEAN, true);
      if (!options.judgeEachPeriod && (options.allowedFailingPeriods !== undefined || options.allowedFailingPercent !== undefined)) {
        p.addDescribed('allowedFailingPeriods/allowedFailingPercent', 'a number', 'applies only to a criterion judged per ' +
          'period: set judgeEachPeriod to true, or leave them out to compare the rates of the whole window');
      }
      p.checkNumber('maxIncreasePercentagePoints', options.maxIncreasePercentagePoints, { min: 0, max: 100 });
    });
    problems.throwIfAny('VerdictCriterion.errorRate()');
    return new VerdictCriterion({
      key: 'errorRate',
      measures: 'shadow error rate minus production error rate, in percentage points',
      comparison: { kind: 'errorRate' },
      threshold: options.maxIncreasePercentagePoints,
      eachPeriod: options.judgeEachPeriod ?? false,
      allowedFailingPeriods: options.allowedFailingPeriods,
      allowedFailingPercent: options.allowedFailingPercent,
    });
  }

  /**
   * The shadow's latency at a percentile against production's, in each period. Its name in the verdict's results is
   * the metric's and the percentile's, such as `modelLatencyP99` or `overheadLatencyP99_9`.
   *
   * @param options the percentile, the largest regression in percent, and the failing periods allowed
   */
  public static latency(options: LatencyCriterionOptions): VerdictCriterion {
    const problems = checked('VerdictCriterion.latency()', options, 'maxRegressionPercent', (p) => {
      checkKind(p, 'metric', options.metric, LATENCY_METRIC, true);
      const percentile = options.percentile;
      if (concreteNumber(p, 'percentile', percentile, false, false) && !(percentile > 0 && percentile < 100 && /^\d+(\.\d{1,2})?$/.test(String(percentile)))) {
        p.add('percentile', percentile, 'must be more than 0 and less than 100, with at most two decimals (CloudWatch\'s p0.01 to p99.99)');
      }
      p.checkNumber('maxRegressionPercent', options.maxRegressionPercent, { min: 0 });
    });
    problems.throwIfAny('VerdictCriterion.latency()');
    const metric = options.metric ?? LatencyMetric.MODEL_LATENCY;
    const stat = `p${options.percentile}`;
    return new VerdictCriterion({
      key: `${lowerFirst(metric)}P${String(options.percentile).replace('.', '_')}`,
      measures: `how much slower the shadow's ${metric} at ${stat} is than production's, in percent of production's`,
      comparison: { kind: 'regression', metricName: metric, stat },
      threshold: options.maxRegressionPercent,
      eachPeriod: true,
      allowedFailingPeriods: options.allowedFailingPeriods,
      allowedFailingPercent: options.allowedFailingPercent,
    });
  }

  /**
   * The shadow's average utilization of an instance metric against production's, in each period. Its name in the
   * verdict's results is the metric's, such as `memoryUtilization`.
   *
   * @param options the metric, the largest increase in percentage points, and the failing periods allowed
   */
  public static utilization(options: UtilizationCriterionOptions): VerdictCriterion {
    const problems = checked('VerdictCriterion.utilization()', options, 'maxIncreasePercentagePoints', (p) => {
      checkKind(p, 'metric', options.metric, UTILIZATION_METRIC);
      p.checkNumber('maxIncreasePercentagePoints', options.maxIncreasePercentagePoints, { min: 0 });
    });
    problems.throwIfAny('VerdictCriterion.utilization()');
    return new VerdictCriterion({
      key: lowerFirst(options.metric.replace(/^(CPU|GPU)/, (m) => m.toLowerCase())),
      measures: `the shadow's average ${options.metric} minus production's, in percentage points`,
      comparison: { kind: 'difference', metricName: options.metric },
      threshold: options.maxIncreasePercentagePoints,
      eachPeriod: true,
      allowedFailingPeriods: options.allowedFailingPeriods,
      allowedFailingPercent: options.allowedFailingPercent,
    });
  }

  /** The criterion's name in the verdict's results and event, such as `errorRate` or `modelLatencyP99`. */
  public readonly name: string;

  /** What the criterion measures, in words, with its unit. */
  public readonly measures: string;

  /** The largest value that passes: a period, or the window, fails when its value is above it. */
  public readonly threshold: number;

  /** @internal */
  public readonly _spec: CriterionSpec;

  private constructor(spec: CriterionSpec) {
    this._spec = spec;
    this.name = spec.key;
    this.measures = spec.measures;
    this.threshold = spec.threshold;
  }
}

/** How a number is written into the metric math: plain digits, at most six decimals, never an exponent. */
const PLAIN_NUMBER = /^\d+(\.\d{1,6})?$/;

/**
 * Whether `value` is a number known at synth (recording a problem when it is not), written as plain digits: the
 * numbers of a criterion are written into the verdict's metric math and workflow.
 */
function concreteNumber(problems: ProblemCollector, property: string, value: unknown, optional = false, plain = true): value is number {
  if (!checkKind(problems, property, value, NUMBER, optional) || value === undefined) {
    return false;
  }
  if (Token.isUnresolved(value)) {
    problems.addDescribed(property, 'a token', 'must be a number known at synth: it is written into the verdict\'s metric math');
    return false;
  }
  if (plain && (value as number) >= 0 && !PLAIN_NUMBER.test(String(value))) {
    problems.add(property, value, 'must have at most six decimals, and be less than 10^21');
    return false;
  }
  return true;
}

/**
 * The problems of a criterion's options: their kinds (the required number `threshold` among them), the failing
 * periods allowed, and what `more` checks once the threshold is a number known at synth.
 */
function checked(subject: string, options: FailingPeriodsOptions, threshold: string, more: (problems: ProblemCollector) => void): ProblemCollector {
  const problems = new ProblemCollector();
  if (!checkKind(problems, 'options', options, PROPS)) {
    problems.throwIfAny(subject);
  }
  const values = options as unknown as Record<string, unknown>;
  const thresholdKnown = concreteNumber(problems, threshold, values[threshold]);
  if (concreteNumber(problems, 'allowedFailingPeriods', options.allowedFailingPeriods, true)) {
    problems.checkInteger('allowedFailingPeriods', options.allowedFailingPeriods, { min: 0 });
  }
  if (concreteNumber(problems, 'allowedFailingPercent', options.allowedFailingPercent, true)) {
    problems.checkNumber('allowedFailingPercent', options.allowedFailingPercent, { min: 0, max: 100 });
  }
  if (options.allowedFailingPeriods !== undefined && options.allowedFailingPercent !== undefined) {
    problems.addDescribed('allowedFailingPeriods and allowedFailingPercent', 'both', 'give one of them: a number of periods, or a share of them');
  }
  if (thresholdKnown) {
    more(problems);
  }
  return problems;
}

function lowerFirst(text: string): string {
  return `${text[0].toLowerCase()}${text.slice(1)}`;
}
