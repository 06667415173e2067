/*
 * The verdict's workflow, run locally: aws-local-stepfunctions runs the state machine's definition, DescribeInferenceExperiment
 * is answered by the test, and GetMetricData by the metric math interpreter of test/helpers/metric-math.ts from raw
 * series drawn per period, so that the library's metric math and its workflow are checked together. The scenarios
 * name each outcome, each criterion at and around its threshold, missing data, throttling and a test that ended early;
 * the differential test draws criteria and metrics and compares every run with a small oracle written from the README's
 * definition of the verdict.
 */
import { aws_sns as sns, Duration, Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import {
  InferenceExperiment, LatencyMetric, ShadowTestVerdict, ShadowTestVerdictProps, UtilizationMetric, VerdictCriterion,
} from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';
import { LocalRun, runLocally, sdkError } from './helpers/local-runs';
import { answerGetMetricData, EmptyFill, Series } from './helpers/metric-math';
import { definitionOf } from './helpers/state-machines';

const EXPERIMENT_NAME = 'the-experiment';
const ENDPOINT_NAME = 'the-endpoint';
const HOUR = 3_600_000;
const START = Date.parse('2026-11-02T00:00:00Z');
const iso = (millis: number) => new Date(millis).toISOString();

/** A verdict of a stack of its own, and its definition with the experiment's and endpoint's names filled in. */
interface Verdicted {
  readonly stack: Stack;
  readonly experiment: InferenceExperiment;
  readonly verdict: ShadowTestVerdict;
  readonly definition: any;
}

function verdicted(props: Partial<ShadowTestVerdictProps> = {}): Verdicted {
  const parts = new ShadowTestParts(newStack());
  const experiment = parts.experiment({});
  const verdict = new ShadowTestVerdict(parts.stack, 'Verdict', { experiment, ...props });
  const definition = definitionOf(parts.stack, {
    [parts.stack.getLogicalId(experiment.node.defaultChild as any)]: EXPERIMENT_NAME,
    [`${parts.stack.getLogicalId(parts.endpoint)}.EndpointName`]: ENDPOINT_NAME,
  });
  return { stack: parts.stack, experiment, verdict, definition };
}

/** The raw data of one variant, per period: a missing number is a period without a data point. */
interface VariantData {
  readonly invocations: (number | undefined)[];
  readonly errors4xx?: (number | undefined)[];
  readonly errors5xx?: (number | undefined)[];
  /** By metric and statistic, such as `ModelLatency p99` or `MemoryUtilization Average`. */
  readonly stats?: Record<string, (number | undefined)[]>;
}

interface Traffic {
  readonly production: VariantData;
  readonly shadow: VariantData;
}

/** The raw series of `traffic`, on periods of `periodMillis` from START, as CloudWatch would aggregate them. */
function sourceOf(traffic: Traffic, periodMillis: number) {
  return (stat: any): Series => {
    const dimensions = Object.fromEntries(stat.Metric.Dimensions.map((d: any) => [d.Name, d.Value]));
    expect(dimensions.EndpointName).toBe(ENDPOINT_NAME);
    const data = dimensions.VariantName === 'production' ? traffic.production
      : dimensions.VariantName === 'candidate' ? traffic.shadow : undefined;
    if (data === undefined) {
      throw new Error(`no variant ${dimensions.VariantName}`);
    }
    const name = stat.Metric.MetricName;
    const values = name === 'Invocations' ? data.invocations
      : name === 'Invocation4XXErrors' ? data.errors4xx
        : name === 'Invocation5XXErrors' ? data.errors5xx
          : data.stats?.[`${name} ${stat.Stat}`];
    const series: Series = new Map();
    (values ?? []).forEach((value, index) => {
      if (value !== undefined) {
        series.set(START + index * periodMillis, value);
      }
    });
    return series;
  };
}

/** What DescribeInferenceExperiment answers for a test that ran `periods` periods from START. */
function described(status: string, periodMillis: number, periods: number, more: object = {}): object {
  const end = START + periods * periodMillis;
  return {
    Name: EXPERIMENT_NAME,
    Status: status,
    CreationTime: iso(START - 60_000),
    LastModifiedTime: iso(end),
    Schedule: { StartTime: iso(START), EndTime: iso(end) },
    ...(status === 'Completed' || status === 'Cancelled' ? { CompletionTime: iso(end) } : {}),
    ...more,
  };
}

interface VerdictRunOptions {
  readonly describe?: object | Error[];
  readonly traffic?: Traffic;
  readonly periods?: number;
  readonly emptyFill?: EmptyFill;
  readonly published?: boolean;
  /** Errors to throw before answering, per state. */
  readonly failFirst?: Record<string, Error[]>;
  readonly answers?: Record<string, object>;
}

/** Runs `v`'s workflow once, as its schedule starts it, on a test that ran `periods` periods. */
async function runVerdict(v: Verdicted, options: VerdictRunOptions): Promise<LocalRun> {
  const periodMillis = periodOf(v.definition) * 1000;
  const periods = options.periods ?? 24;
  const failFirst = Object.fromEntries(Object.entries(options.failFirst ?? {}).map(([state, errors]) => [state, [...errors]]));
  const traffic = options.traffic ?? steadyTraffic(periods);
  return runLocally(v.definition, SCHEDULED_EVENT, (state, input) => {
    const error = failFirst[state]?.shift();
    if (error) {
      throw error;
    }
    if (options.answers?.[state]) {
      return options.answers[state];
    }
    switch (state) {
      case 'DescribeExperiment':
        return options.describe ?? described('Completed', periodMillis, periods);
      case 'FindFinalVerdict':
        return {
          MetricDataResults: [{
            Id: 'published', Label: 'published', Timestamps: options.published ? [iso(START)] : [], Values: options.published ? [-1] : [], StatusCode: 'Complete',
          }],
        };
      case 'PutVerdictEvent':
        return { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] };
      default:
        return state.startsWith('Measure_') ? answerGetMetricData(input, sourceOf(traffic, periodMillis), options.emptyFill ?? 'stays-empty') : {};
    }
  });
}

/** The period of the verdict's queries, in seconds. */
function periodOf(definition: any): number {
  return definition.States.Measure_shadowInvocations.Parameters.MetricDataQueries.find((q: any) => q.MetricStat).MetricStat.Period;
}

const SCHEDULED_EVENT = {
  'version': '0',
  'id': '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  'source': 'aws.events',
  'account': '123456789012',
  'time': '2026-11-03T01:00:00Z',
  'region': 'us-east-1',
  'resources': ['arn:aws:events:us-east-1:123456789012:rule/verdict'],
  'detail': {},
};

/** 1000 requests a period on each variant, 0.5% errors, p50 20 ms, p99 80 ms, memory 40%: a shadow like production. */
function steadyTraffic(periods: number, shadow: Partial<VariantData> = {}, shadowStats: Record<string, number> = {}): Traffic {
  const each = <T>(value: T) => Array.from({ length: periods }, () => value);
  const variant = (stats: Record<string, number>): VariantData => ({
    invocations: each(1000),
    errors4xx: each(3),
    errors5xx: each(2),
    stats: Object.fromEntries(Object.entries({
      'ModelLatency p50': 20_000, 'ModelLatency p99': 80_000, 'OverheadLatency p99': 3_000, 'MemoryUtilization Average': 40, ...stats,
    }).map(([key, value]) => [key, each(value)])),
  });
  return { production: variant({}), shadow: { ...variant(shadowStats), ...shadow } };
}

/** The verdict event's detail. */
function eventOf(run: LocalRun): any {
  const call = run.calls.find((c) => c.state === 'PutVerdictEvent');
  expect(call).toBeDefined();
  const [entry] = call!.input.Entries;
  expect(entry.Source).toBe(ShadowTestVerdict.EVENT_SOURCE);
  expect(entry.DetailType).toBe(ShadowTestVerdict.EVENT_DETAIL_TYPE);
  return JSON.parse(entry.Detail);
}

/** The verdict metric's data point. */
function metricOf(run: LocalRun): any {
  const call = run.calls.find((c) => c.state === 'PutVerdictMetric');
  expect(call).toBeDefined();
  return call!.input.MetricData[0];
}

describe('ShadowTestVerdict runs', () => {
  const defaults = verdicted();
  const withTopic = (() => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment({});
    const topic = new sns.Topic(parts.stack, 'Topic');
    const verdict = new ShadowTestVerdict(parts.stack, 'Verdict', { experiment, notificationTopic: topic, interimVerdicts: true, stopOnFail: true });
    const definition = definitionOf(parts.stack, {
      [parts.stack.getLogicalId(experiment.node.defaultChild as any)]: EXPERIMENT_NAME,
      [`${parts.stack.getLogicalId(parts.endpoint)}.EndpointName`]: ENDPOINT_NAME,
    });
    return { stack: parts.stack, experiment, verdict, definition };
  })();

  test('PASS: a shadow like production, with enough invocations, passes every default criterion', async () => {
    const run = await runVerdict(defaults, {});
    expect(run.failure).toBeUndefined();
    const event = eventOf(run);
    expect(event).toMatchObject({
      verdict: 'PASS',
      kind: 'Final',
      inferenceExperimentName: EXPERIMENT_NAME,
      experimentStatus: 'Completed',
      endpointName: ENDPOINT_NAME,
      productionVariantName: 'production',
      shadowVariantName: 'candidate',
      window: { start: iso(START), end: iso(START + 24 * HOUR) },
      periodSeconds: 3600,
      shadowInvocations: 24_000,
      productionInvocations: 24_000,
      minShadowInvocations: 1000,
    });
    expect(Object.keys(event.criteria)).toEqual(['errorRate', 'modelLatencyP50', 'modelLatencyP99']);
    expect(event.criteria.errorRate).toMatchObject({ result: 'PASS', threshold: 1, value: 0, judgedPeriods: 1, failedPeriods: 0, allowedFailingPeriods: 0, judgedEachPeriod: false });
    expect(event.criteria.modelLatencyP99).toMatchObject({ result: 'PASS', threshold: 20, value: 0, judgedPeriods: 24, failedPeriods: 0, allowedFailingPeriods: 2, judgedEachPeriod: true });
    expect(event.advice).toMatch(/promoteShadow\(\)/);
    expect(metricOf(run)).toMatchObject({
      MetricName: 'Verdict',
      Value: ShadowTestVerdict.METRIC_VALUE_PASS,
      Dimensions: [{ Name: 'InferenceExperimentName', Value: EXPERIMENT_NAME }, { Name: 'Kind', Value: 'Final' }],
    });
    expect(run.calls.find((c) => c.state === 'PutVerdictMetric')!.input.Namespace).toBe('ShadowTestVerdicts');
  });

  test('FAIL: a shadow whose p99 is 30% slower in every period fails modelLatencyP99 alone', async () => {
    const run = await runVerdict(defaults, { traffic: steadyTraffic(24, {}, { 'ModelLatency p99': 104_000 }) });
    const event = eventOf(run);
    expect(event.verdict).toBe('FAIL');
    expect(event.criteria.modelLatencyP99).toMatchObject({ result: 'FAIL', value: 30, failedPeriods: 24, judgedPeriods: 24 });
    expect(event.criteria.modelLatencyP50.result).toBe('PASS');
    expect(event.advice).toMatch(/^The test has ended and the shadow variant failed a criterion: keep production/);
    expect(metricOf(run).Value).toBe(ShadowTestVerdict.METRIC_VALUE_FAIL);
    // Without stopOnFail, nothing is stopped.
    expect(run.states).not.toContain('StopStopExperiment');
  });

  test('INCONCLUSIVE: fewer shadow invocations than required, whatever the criteria say', async () => {
    const few = steadyTraffic(4);
    const run = await runVerdict(defaults, { periods: 4, traffic: { ...few, shadow: { ...few.shadow, invocations: [200, 200, 200, 399] } } });
    const event = eventOf(run);
    expect(event).toMatchObject({ verdict: 'INCONCLUSIVE', shadowInvocations: 999 });
    expect(event.reason).toMatch(/fewer shadow invocations than the 1000 required/);
    expect(metricOf(run).Value).toBe(ShadowTestVerdict.METRIC_VALUE_INCONCLUSIVE);
  });

  test('exactly the minimum of shadow invocations is enough', async () => {
    const few = steadyTraffic(4);
    const run = await runVerdict(defaults, {
      periods: 4, traffic: { ...few, shadow: { ...few.shadow, invocations: [250, 250, 250, 250], errors4xx: [1, 1, 1, 1], errors5xx: [0, 0, 0, 0] } },
    });
    expect(eventOf(run)).toMatchObject({ verdict: 'PASS', shadowInvocations: 1000 });
  });

  describe.each<EmptyFill>(['stays-empty', 'fills-range'])('missing data (FILL of an empty series %s)', (emptyFill) => {
    test('no invocations at all: INCONCLUSIVE, every criterion without data', async () => {
      const none = { invocations: [], errors4xx: [], errors5xx: [], stats: {} };
      const run = await runVerdict(defaults, { emptyFill, traffic: { production: none, shadow: none } });
      const event = eventOf(run);
      expect(event).toMatchObject({ verdict: 'INCONCLUSIVE', shadowInvocations: 0, productionInvocations: 0 });
      for (const criterion of Object.values<any>(event.criteria)) {
        expect(criterion).toMatchObject({ result: 'NO_DATA' });
        expect(criterion.value).toBeUndefined();
      }
    });

    test('a shadow variant without latency data points: that criterion has no data, and the verdict is INCONCLUSIVE', async () => {
      const traffic = steadyTraffic(24);
      const { ['ModelLatency p99']: _dropped, ...stats } = traffic.shadow.stats!;
      const run = await runVerdict(defaults, { emptyFill, traffic: { ...traffic, shadow: { ...traffic.shadow, stats } } });
      const event = eventOf(run);
      expect(event.verdict).toBe('INCONCLUSIVE');
      expect(event.criteria.modelLatencyP99.result).toBe('NO_DATA');
      expect(event.criteria.modelLatencyP99.summary).toMatch(/NO_DATA/);
      expect(event.criteria.modelLatencyP50.result).toBe('PASS');
    });

    test('a FAIL outweighs a criterion without data', async () => {
      const traffic = steadyTraffic(24, {}, { 'ModelLatency p50': 30_000 });
      const { ['ModelLatency p99']: _dropped, ...stats } = traffic.shadow.stats!;
      const run = await runVerdict(defaults, { emptyFill, traffic: { ...traffic, shadow: { ...traffic.shadow, stats } } });
      expect(eventOf(run).verdict).toBe('FAIL');
    });
  });

  describe('each criterion at and around its threshold', () => {
    const latencyCase = (p99: number) => steadyTraffic(10, {}, { 'ModelLatency p99': p99 });
    const strictLatency = verdicted({ criteria: [VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 25 })], minShadowInvocations: 0 });
    test.each([
      ['at the threshold passes', 100_000, 'PASS'],
      ['just above it fails', 100_001, 'FAIL'],
      ['just below it passes', 99_999, 'PASS'],
    ])('latency p99 25%%: %s', async (_name, p99, result) => {
      const run = await runVerdict(strictLatency, { periods: 10, traffic: latencyCase(p99) });
      expect(eventOf(run).criteria.modelLatencyP99.result).toBe(result);
    });

    const errorRate = verdicted({ criteria: [VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 1 })], minShadowInvocations: 0 });
    test.each([
      // Production fails 0.5% of 10,000: 50 errors; the shadow 1.5% (150) is exactly 1 point more.
      ['at the threshold passes', 150, 'PASS'],
      ['one more error fails', 151, 'FAIL'],
      ['one less passes', 149, 'PASS'],
    ])('error rate over the window, 1 point: %s', async (_name, shadowErrors, result) => {
      const traffic = steadyTraffic(10);
      const spread = [...Array(9).fill(0), shadowErrors];
      const shadow = { ...traffic.shadow, errors4xx: spread, errors5xx: Array(10).fill(0) };
      const run = await runVerdict(errorRate, { periods: 10, traffic: { ...traffic, shadow } });
      expect(eventOf(run).criteria.errorRate).toMatchObject({ result, judgedPeriods: 1 });
    });

    const perPeriodErrors = verdicted({
      criteria: [VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 1, judgeEachPeriod: true, allowedFailingPeriods: 2 })],
      minShadowInvocations: 0,
    });
    test.each([
      ['two failing periods of 10 are allowed', 2, 'PASS'],
      ['three are not', 3, 'FAIL'],
    ])('error rate per period, 2 failing periods allowed: %s', async (_name, failing, result) => {
      const traffic = steadyTraffic(10);
      // A period fails with 5% errors (0.5% in production).
      const errors = Array.from({ length: 10 }, (_, i) => (i < failing ? 50 : 5));
      const shadow = { ...traffic.shadow, errors4xx: errors, errors5xx: Array(10).fill(0) };
      const run = await runVerdict(perPeriodErrors, { periods: 10, traffic: { ...traffic, shadow } });
      expect(eventOf(run).criteria.errorRate).toMatchObject({ result, failedPeriods: failing, judgedPeriods: 10, allowedFailingPeriods: 2 });
    });

    const memory = verdicted({
      criteria: [VerdictCriterion.utilization({ metric: UtilizationMetric.MEMORY, maxIncreasePercentagePoints: 10, allowedFailingPercent: 20 })],
      minShadowInvocations: 0,
    });
    test.each([
      ['2 of 10 periods above (20%) pass', 2, 'PASS'],
      ['3 of 10 fail', 3, 'FAIL'],
    ])('memory utilization 10 points, 20%% of periods allowed: %s', async (_name, above, result) => {
      const traffic = steadyTraffic(10);
      const memoryUse = Array.from({ length: 10 }, (_, i) => (i < above ? 50.5 : 50));
      const stats = { ...traffic.shadow.stats, 'MemoryUtilization Average': memoryUse };
      const run = await runVerdict(memory, { periods: 10, traffic: { ...traffic, shadow: { ...traffic.shadow, stats } } });
      expect(eventOf(run).criteria.memoryUtilization).toMatchObject({ result, failedPeriods: above, allowedFailingPeriods: 2 });
    });

    const overhead = verdicted({
      criteria: [VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 10, metric: LatencyMetric.OVERHEAD_LATENCY })],
      minShadowInvocations: 0,
    });
    test('overhead latency is read from OverheadLatency at its percentile', async () => {
      const run = await runVerdict(overhead, { periods: 10, traffic: steadyTraffic(10, {}, { 'OverheadLatency p99': 3_400 }) });
      expect(eventOf(run).criteria.overheadLatencyP99).toMatchObject({ result: 'FAIL', failedPeriods: 10 });
    });
  });

  describe('when it judges', () => {
    test('a test that runs gets no verdict without interimVerdicts, and no metric is read', async () => {
      const run = await runVerdict(defaults, { describe: described('Running', HOUR, 24) });
      expect(run.failure).toBeUndefined();
      expect(run.states).toEqual(['DescribeExperiment']);
    });

    test.each(['Creating', 'Created', 'Starting', 'Updating', 'Stopping'])('a test that is %s is not judged', async (status) => {
      const run = await runVerdict(withTopic, { describe: described(status, HOUR, 24) });
      expect(run.failure).toBeUndefined();
      expect(run.states).toEqual(['DescribeExperiment']);
    });

    test('a final verdict already published is not judged again: its metric is put again, for dashboards and alarms', async () => {
      const run = await runVerdict(defaults, { published: true });
      expect(run.failure).toBeUndefined();
      expect(run.states).toEqual(['DescribeExperiment', 'FindFinalVerdict', 'PutFinalVerdictAgain']);
      expect(run.calls[2].input.MetricData[0]).toEqual({
        MetricName: 'Verdict',
        Value: -1,
        Unit: 'None',
        Dimensions: [{ Name: 'InferenceExperimentName', Value: EXPERIMENT_NAME }, { Name: 'Kind', Value: 'Final' }],
      });
    });

    test('a final verdict looks for one published from the end of the test to now', async () => {
      const run = await runVerdict(defaults, {});
      const find = run.calls.find((c) => c.state === 'FindFinalVerdict')!;
      expect(find.input.StartTime).toBe(iso(START + 24 * HOUR));
      expect(Date.parse(find.input.EndTime)).toBeGreaterThan(Date.parse(find.input.StartTime));
      expect(find.input.MetricDataQueries[0].MetricStat.Metric).toEqual({
        Namespace: 'ShadowTestVerdicts',
        MetricName: 'Verdict',
        Dimensions: [{ Name: 'InferenceExperimentName', Value: EXPERIMENT_NAME }, { Name: 'Kind', Value: 'Final' }],
      });
    });

    test('a test cancelled early (by the guard) is judged from its start to when it was cancelled', async () => {
      const cancelledAt = START + 5 * HOUR + 1_800_000;
      const run = await runVerdict(defaults, {
        describe: described('Cancelled', HOUR, 24, { CompletionTime: iso(cancelledAt), StatusReason: 'Stopped automatically: the alarm shadow-errors went into ALARM' }),
      });
      const event = eventOf(run);
      expect(event).toMatchObject({ kind: 'Final', experimentStatus: 'Cancelled', window: { start: iso(START), end: iso(cancelledAt) } });
      // Six periods began before the cancellation: 6,000 shadow invocations.
      expect(event.shadowInvocations).toBe(6000);
    });

    test('a test without a schedule is judged from its creation to its completion', async () => {
      const created = START - 60_000;
      const completed = START + 7 * 24 * HOUR;
      const run = await runVerdict(defaults, {
        describe: { Name: EXPERIMENT_NAME, Status: 'Completed', CreationTime: iso(created), CompletionTime: iso(completed), LastModifiedTime: iso(completed) },
      });
      expect(eventOf(run).window).toEqual({ start: iso(created), end: iso(completed) });
    });

    test('without a completion time, the schedule\'s end, else the last change, ends the window', async () => {
      const scheduled = await runVerdict(defaults, { describe: { ...described('Completed', HOUR, 24), CompletionTime: undefined } });
      expect(eventOf(scheduled).window.end).toBe(iso(START + 24 * HOUR));
      const changed = START + 3 * HOUR;
      const lastChange = await runVerdict(defaults, {
        describe: { Name: EXPERIMENT_NAME, Status: 'Cancelled', CreationTime: iso(START), LastModifiedTime: iso(changed) },
      });
      expect(eventOf(lastChange).window).toEqual({ start: iso(START), end: iso(changed) });
    });

    test('an interim verdict judges the window from the start to now, and does not look for a published one', async () => {
      const run = await runVerdict(withTopic, { describe: described('Running', HOUR, 24) });
      expect(run.failure).toBeUndefined();
      const event = eventOf(run);
      expect(event.kind).toBe('Interim');
      expect(event.window.start).toBe(iso(START));
      expect(Date.parse(event.window.end)).toBeGreaterThan(Date.now() - 60_000);
      expect(run.states).not.toContain('FindFinalVerdict');
      expect(metricOf(run).Dimensions[1]).toEqual({ Name: 'Kind', Value: 'Interim' });
    });

    test('an experiment that does not exist is not judged, and the run does not fail', async () => {
      const run = await runVerdict(defaults, { failFirst: { DescribeExperiment: [sdkError('SageMaker.ResourceNotFoundException')] } });
      expect(run.failure).toBeUndefined();
      expect(run.states).toEqual(['DescribeExperiment']);
    });
  });

  describe('what it does', () => {
    test('an interim FAIL with stopOnFail stops the test: Cancelled, production retained, shadow removed', async () => {
      const running = described('Running', HOUR, 24);
      const run = await runVerdict(withTopic, {
        describe: running,
        traffic: steadyTraffic(24, {}, { 'ModelLatency p99': 200_000 }),
        answers: { StopDescribeExperiment: { Status: 'Running' } },
      });
      expect(run.failure).toBeUndefined();
      const stop = run.calls.find((c) => c.state === 'StopStopExperiment');
      expect(stop?.input).toMatchObject({
        Name: EXPERIMENT_NAME, DesiredState: 'Cancelled', ModelVariantActions: { production: 'Retain', candidate: 'Remove' },
      });
      expect(stop!.input.Reason).toMatch(/^Stopped automatically: the interim verdict at .* was FAIL \(a criterion failed\)\.$/);
      expect(stop!.input.Reason.length).toBeLessThanOrEqual(1024);
      // The verdict is published before the stop, and the topic told of both.
      expect(run.states.indexOf('PutVerdictEvent')).toBeLessThan(run.states.indexOf('StopStopExperiment'));
      expect(run.calls.filter((c) => c.state.startsWith('Tell') || c.state.startsWith('StopTell')).map((c) => c.state))
        .toEqual(['TellVerdict', 'StopTellStopped']);
    });

    test('an interim PASS or INCONCLUSIVE never stops the test, and no verdict ever promotes', async () => {
      for (const traffic of [steadyTraffic(24), { ...steadyTraffic(24), shadow: { ...steadyTraffic(24).shadow, invocations: [] } }]) {
        const run = await runVerdict(withTopic, { describe: described('Running', HOUR, 24), traffic });
        expect(run.failure).toBeUndefined();
        expect(run.states.some((s) => s.startsWith('Stop'))).toBe(false);
      }
      const actions = JSON.stringify(withTopic.definition);
      expect(actions).not.toMatch(/Promote/);
    });

    test('a final FAIL does not try to stop a test that has ended', async () => {
      const run = await runVerdict(withTopic, { traffic: steadyTraffic(24, {}, { 'ModelLatency p99': 200_000 }) });
      expect(eventOf(run).verdict).toBe('FAIL');
      expect(run.states.some((s) => s.startsWith('Stop'))).toBe(false);
    });

    test('the topic gets a message a person can read: the verdict, the window, each criterion and the advice', async () => {
      const run = await runVerdict(withTopic, {});
      const tell = run.calls.find((c) => c.state === 'TellVerdict')!;
      expect(tell.input.Subject).toBe('Shadow test verdict');
      const lines = tell.input.Message.split('\n');
      expect(lines[0]).toBe(`Shadow test ${EXPERIMENT_NAME}: PASS (Final verdict, from ${iso(START)} to ${iso(START + 24 * HOUR)}), every criterion passed.`);
      expect(lines[1]).toBe('Shadow invocations: 24000 (at least 1000 required); production invocations: 24000.');
      expect(lines[2]).toBe('errorRate: PASS, 0 over the window (threshold 1)');
      expect(lines[4]).toBe('modelLatencyP99: PASS, mean 0 (threshold 20 in each period), 0 of 24 periods failed, 2 allowed');
      expect(lines[5]).toMatch(/^The test has ended and the shadow variant met every criterion\. .*promoteShadow\(\)/);
    });
  });

  describe('robustness', () => {
    test('throttling and transient errors of every call are retried', async () => {
      const throttled = (service: string) => [sdkError(`${service}.ThrottlingException`, 'Rate exceeded'), sdkError('States.Timeout', 'timed out')];
      const run = await runVerdict(withTopic, {
        failFirst: {
          DescribeExperiment: throttled('SageMaker'),
          FindFinalVerdict: throttled('CloudWatch'),
          Measure_shadowInvocations: throttled('CloudWatch'),
          PutVerdictMetric: throttled('CloudWatch'),
          PutVerdictEvent: throttled('EventBridge'),
          TellVerdict: throttled('SNS'),
        },
      });
      expect(run.failure).toBeUndefined();
      expect(eventOf(run).verdict).toBe('PASS');
      expect(run.states.filter((s) => s === 'Measure_shadowInvocations')).toHaveLength(3);
    });

    test('an error that retrying cannot heal fails the run, visibly, after one attempt', async () => {
      const run = await runVerdict(defaults, { failFirst: { Measure_errorRate_value: [sdkError('CloudWatch.InvalidParameterValueException', 'bad query')] } });
      expect(run.failure).toBeDefined();
      expect(run.states.filter((s) => s === 'Measure_errorRate_value')).toHaveLength(1);
      expect(run.states).not.toContain('PutVerdictEvent');
    });

    test('a verdict event that EventBridge does not accept fails the run', async () => {
      const run = await runVerdict(defaults, { answers: { PutVerdictEvent: { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] } } });
      expect(run.failure?.error).toBe('VerdictEventNotPut');
    });

    test('a throttled call that keeps failing ends the run failed once its attempts are used up', async () => {
      const always = Array.from({ length: 10 }, () => sdkError('CloudWatch.ThrottlingException', 'Rate exceeded'));
      const run = await runVerdict(defaults, { failFirst: { Measure_modelLatencyP99_failed: always } });
      expect(run.failure).toBeDefined();
      expect(run.states.filter((s) => s === 'Measure_modelLatencyP99_failed')).toHaveLength(4);
    });
  });
});

/*
 * The differential test: the oracle below computes the verdict from the raw data and the criteria, as the README
 * defines it, with none of the library's code; the state machine, with CloudWatch's part played by the interpreter,
 * must reach the same verdict and the same result, counts and value for each criterion.
 */

/** A criterion as the oracle sees it. */
interface OracleCriterion {
  readonly name: string;
  readonly kind: 'errorRate' | 'latency' | 'utilization';
  /** The key of the statistic in VariantData.stats, for latency and utilization. */
  readonly stat?: string;
  readonly threshold: number;
  readonly eachPeriod: boolean;
  readonly allowedPeriods?: number;
  readonly allowedPercent?: number;
}

interface OracleResult {
  readonly result: 'PASS' | 'FAIL' | 'NO_DATA';
  readonly value?: number;
  readonly judgedPeriods?: number;
  readonly failedPeriods?: number;
  readonly allowedFailingPeriods?: number;
}

const sum = (values: (number | undefined)[]) => values.reduce<number>((total, v) => total + (v ?? 0), 0);

function oracle(criteria: OracleCriterion[], minShadowInvocations: number, traffic: Traffic, periods: number) {
  const { production: p, shadow: s } = traffic;
  const errors = (v: VariantData, i: number) => (v.errors4xx?.[i] ?? 0) + (v.errors5xx?.[i] ?? 0);
  const results: Record<string, OracleResult> = {};
  for (const c of criteria) {
    if (c.kind === 'errorRate' && !c.eachPeriod) {
      const [si, pi] = [sum(s.invocations.slice(0, periods)), sum(p.invocations.slice(0, periods))];
      if (si === 0 || pi === 0) {
        results[c.name] = { result: 'NO_DATA' };
        continue;
      }
      let [se, pe] = [0, 0];
      for (let i = 0; i < periods; i++) {
        se += errors(s, i);
        pe += errors(p, i);
      }
      const value = 100 * (se / si - pe / pi);
      const failed = value > c.threshold ? 1 : 0;
      results[c.name] = { result: failed ? 'FAIL' : 'PASS', value, judgedPeriods: 1, failedPeriods: failed, allowedFailingPeriods: 0 };
      continue;
    }
    const values: number[] = [];
    for (let i = 0; i < periods; i++) {
      if (c.kind === 'errorRate') {
        const [si, pi] = [s.invocations[i] ?? 0, p.invocations[i] ?? 0];
        if (si > 0 && pi > 0) {
          values.push(100 * (errors(s, i) / si - errors(p, i) / pi));
        }
      } else {
        const [sv, pv] = [s.stats?.[c.stat!]?.[i], p.stats?.[c.stat!]?.[i]];
        if (sv !== undefined && pv !== undefined) {
          values.push(c.kind === 'latency' ? 100 * (sv - pv) / (pv === 0 ? 1 : pv) : sv - pv);
        }
      }
    }
    if (values.length === 0) {
      results[c.name] = { result: 'NO_DATA' };
      continue;
    }
    const failed = values.filter((v) => v > c.threshold).length;
    const allowed = c.allowedPercent !== undefined ? Math.floor(c.allowedPercent * values.length / 100) : c.allowedPeriods ?? 0;
    results[c.name] = {
      result: failed > allowed ? 'FAIL' : 'PASS',
      value: sum(values) / values.length,
      judgedPeriods: values.length,
      failedPeriods: failed,
      allowedFailingPeriods: allowed,
    };
  }
  const outcomes = Object.values(results).map((r) => r.result);
  const verdict = sum(s.invocations.slice(0, periods)) < minShadowInvocations ? 'INCONCLUSIVE'
    : outcomes.includes('FAIL') ? 'FAIL'
      : outcomes.includes('NO_DATA') ? 'INCONCLUSIVE' : 'PASS';
  return { verdict, results };
}

/** A drawn criterion: how the library builds it, and how the oracle reads it. */
interface DrawnCriterion {
  readonly build: () => VerdictCriterion;
  readonly oracle: OracleCriterion;
}

const allowance = fc.oneof(
  fc.constant({}),
  fc.integer({ min: 0, max: 6 }).map((n) => ({ allowedFailingPeriods: n })),
  fc.integer({ min: 0, max: 100 }).map((n) => ({ allowedFailingPercent: n })),
);
const toOracle = (a: { allowedFailingPeriods?: number; allowedFailingPercent?: number }) =>
  ({ allowedPeriods: a.allowedFailingPeriods, allowedPercent: a.allowedFailingPercent });

const drawnCriterion: fc.Arbitrary<DrawnCriterion> = fc.oneof(
  fc.record({ threshold: fc.integer({ min: 0, max: 8 }).map((t) => t / 2), eachPeriod: fc.boolean(), allowance })
    .map(({ threshold, eachPeriod, allowance: a }) => ({
      build: () => VerdictCriterion.errorRate({ maxIncreasePercentagePoints: threshold, judgeEachPeriod: eachPeriod, ...(eachPeriod ? a : {}) }),
      oracle: { name: 'errorRate', kind: 'errorRate' as const, threshold, eachPeriod, ...(eachPeriod ? toOracle(a) : {}) },
    })),
  fc.record({
    percentile: fc.constantFrom(50, 90, 99),
    metric: fc.constantFrom(LatencyMetric.MODEL_LATENCY, LatencyMetric.OVERHEAD_LATENCY),
    threshold: fc.integer({ min: 0, max: 40 }),
    allowance,
  })
    .map(({ percentile, metric, threshold, allowance: a }) => ({
      build: () => VerdictCriterion.latency({ percentile, metric, maxRegressionPercent: threshold, ...a }),
      oracle: {
        name: `${metric === LatencyMetric.MODEL_LATENCY ? 'modelLatency' : 'overheadLatency'}P${percentile}`,
        kind: 'latency' as const,
        stat: `${metric} p${percentile}`,
        threshold,
        eachPeriod: true,
        ...toOracle(a),
      },
    })),
  fc.record({ metric: fc.constantFrom(UtilizationMetric.MEMORY, UtilizationMetric.CPU), threshold: fc.integer({ min: 0, max: 20 }), allowance })
    .map(({ metric, threshold, allowance: a }) => ({
      build: () => VerdictCriterion.utilization({ metric, maxIncreasePercentagePoints: threshold, ...a }),
      oracle: {
        name: metric === UtilizationMetric.CPU ? 'cpuUtilization' : 'memoryUtilization',
        kind: 'utilization' as const,
        stat: `${metric} Average`,
        threshold,
        eachPeriod: true,
        ...toOracle(a),
      },
    })),
);

/** Criteria with unique names, one to four of them. */
const drawnCriteria = fc.uniqueArray(drawnCriterion, { minLength: 1, maxLength: 4, selector: (c) => c.oracle.name });

/** One period's value: often near production's, sometimes missing. */
const maybe = (arb: fc.Arbitrary<number>) => fc.option(arb, { freq: 6, nil: undefined });

function drawnTraffic(periods: number): fc.Arbitrary<Traffic> {
  const series = (arb: fc.Arbitrary<number | undefined>) => fc.array(arb, { minLength: periods, maxLength: periods });
  // SageMaker sends 1 or 0 to each error metric for every request: a period with invocations has both error counts.
  const requests = fc.array(fc.oneof(
    fc.constant(undefined),
    fc.record({
      invocations: fc.integer({ min: 0, max: 400 }),
      errors4xx: fc.integer({ min: 0, max: 12 }),
      errors5xx: fc.integer({ min: 0, max: 12 }),
    })
      .map((r) => ({ invocations: r.invocations, errors4xx: Math.min(r.errors4xx, r.invocations), errors5xx: Math.min(r.errors5xx, r.invocations) })),
  ), { minLength: periods, maxLength: periods });
  const variant = fc.record({
    requests,
    stats: fc.record({
      'ModelLatency p50': series(maybe(fc.integer({ min: 5, max: 30 }).map((v) => v * 1000))),
      'ModelLatency p90': series(maybe(fc.integer({ min: 10, max: 60 }).map((v) => v * 1000))),
      'ModelLatency p99': series(maybe(fc.integer({ min: 20, max: 120 }).map((v) => v * 1000))),
      'OverheadLatency p50': series(maybe(fc.integer({ min: 1, max: 40 }).map((v) => v * 100))),
      'OverheadLatency p90': series(maybe(fc.integer({ min: 1, max: 40 }).map((v) => v * 100))),
      'OverheadLatency p99': series(maybe(fc.integer({ min: 1, max: 40 }).map((v) => v * 100))),
      'MemoryUtilization Average': series(maybe(fc.integer({ min: 0, max: 200 }).map((v) => v / 2))),
      'CPUUtilization Average': series(maybe(fc.integer({ min: 0, max: 400 }))),
    }),
  }).map(({ requests: r, stats }): VariantData => ({
    invocations: r.map((p) => p?.invocations),
    errors4xx: r.map((p) => p?.errors4xx),
    errors5xx: r.map((p) => p?.errors5xx),
    stats,
  }));
  return fc.record({ production: variant, shadow: variant });
}

/** How many verdict configurations are drawn, and how many metric data sets each is run on. */
const CONFIGURATIONS = 25;
const DATA_SETS_PER_CONFIGURATION = 40;

describe('ShadowTestVerdict differential test', () => {
  const configurations = fc.sample(fc.record({
    criteria: drawnCriteria,
    minShadowInvocations: fc.constantFrom(0, 100, 1000, 3000),
    periods: fc.integer({ min: 1, max: 30 }),
  }), { numRuns: CONFIGURATIONS, seed: 2112 });

  test.each(configurations.map((configuration, index) => [index, configuration] as const))(
    'configuration %d: the state machine reaches the oracle\'s verdict on every data set', async (_index, configuration) => {
      const v = verdicted({
        criteria: configuration.criteria.map((c) => c.build()),
        minShadowInvocations: configuration.minShadowInvocations,
        period: Duration.hours(1),
      });
      const cases = fc.sample(fc.tuple(drawnTraffic(configuration.periods), fc.constantFrom<EmptyFill>('stays-empty', 'fills-range')),
        { numRuns: DATA_SETS_PER_CONFIGURATION, seed: 7 + _index });
      for (const [traffic, emptyFill] of cases) {
        const run = await runVerdict(v, { traffic, emptyFill, periods: configuration.periods });
        expect(run.failure).toBeUndefined();
        const event = eventOf(run);
        const expected = oracle(configuration.criteria.map((c) => c.oracle), configuration.minShadowInvocations, traffic, configuration.periods);
        const context = JSON.stringify({ configuration: configuration.criteria.map((c) => c.oracle), emptyFill, traffic });
        expect({ verdict: event.verdict, context }).toEqual({ verdict: expected.verdict, context });
        for (const [name, result] of Object.entries(expected.results)) {
          const got = event.criteria[name];
          expect({ name, result: got.result, judged: got.judgedPeriods, failed: got.failedPeriods, allowed: got.allowedFailingPeriods, context })
            .toEqual({
              name, result: result.result, judged: result.judgedPeriods, failed: result.failedPeriods, allowed: result.allowedFailingPeriods, context,
            });
          if (result.value === undefined) {
            expect(got.value).toBeUndefined();
          } else {
            expect(got.value).toBeCloseTo(result.value, 9);
          }
        }
        differentialCases++;
      }
    });

  afterAll(() => {
    // The gate requires at least 1,000 cases; the count is asserted so that a smaller draw cannot pass unnoticed.
    expect(differentialCases).toBe(CONFIGURATIONS * DATA_SETS_PER_CONFIGURATION);
    expect(differentialCases).toBeGreaterThanOrEqual(1000);
  });
});

let differentialCases = 0;
