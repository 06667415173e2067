/*
 * ShadowTestVerdict and VerdictCriterion at synthesis, without running the state machine (test/shadow-test-verdict.test.ts
 * runs it): what the props and the criteria's options refuse, and how the error names the property and the fix; the
 * rule, state machine and log group in the template; the state machine role's permissions, least privilege; the
 * GetMetricData queries that measure the window against the library's own variant metrics and CloudWatch's
 * documented limits; the verdict metrics and the dashboard's verdict widget; and the definition against asl-validator.
 *
 * The expected values come from AWS's documentation (cited where they are used) and from what the API documentation
 * of the constructs promises, not from the code under test. A comment "Once a defect" says what an earlier version did
 * wrong, which the test keeps from coming back.
 */
import {
  App, aws_cloudwatch as cloudwatch, aws_kms as kms, aws_sns as sns, CfnElement, CfnParameter, Duration, RemovalPolicy, Stack,
} from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  InferenceExperiment, IInferenceExperiment, LatencyMetric, ShadowTestDashboard, ShadowTestVerdict, ShadowTestVerdictProps,
  UtilizationMetric, VariantMetrics, VerdictCriterion,
} from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';
import { definitionOf } from './helpers/state-machines';
import { MetricDataQuery } from '../src/private/verdict-queries';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- asl-validator is a CommonJS function export
const validateAsl: (definition: object) => { isValid: boolean; errors: unknown[] } = require('asl-validator');

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

/*
 * CloudWatch's limits on one GetMetricData call (Amazon CloudWatch API Reference, GetMetricData and MetricDataQuery,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html and
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html): at most 500
 * MetricDataQuery structures, retrieving at most 100,800 data points; a page of the answer holds at most MaxDatapoints
 * (100,800 by default) data points, and the verdict reads the first page only; each Id unique in the call, of letters,
 * digits and underscores, the first a lower-case letter, at most 255 characters; each Expression at most 2048
 * characters.
 */
const MAX_QUERIES = 500;
const MAX_DATA_POINTS = 100_800;
const METRIC_DATA_ID = /^[a-z][a-zA-Z0-9_]*$/;
const MAX_ID_LENGTH = 255;
const MAX_EXPRESSION_LENGTH = 2048;

/** The largest state machine definition, a hard quota (Step Functions Developer Guide, "Step Functions service quotas"). */
const MAX_DEFINITION_BYTES = 1024 * 1024;

/** A shadow test lasts at most 30 days (SageMaker's InferenceExperiment schedule), which the verdict's window spans at most. */
const LONGEST_TEST_SECONDS = 30 * 86_400;

/*
 * Where SageMaker publishes a variant's metrics (SageMaker Developer Guide, "Metrics for monitoring Amazon SageMaker
 * AI with Amazon CloudWatch"): the invocation metrics in AWS/SageMaker, the instance metrics in
 * /aws/sagemaker/Endpoints, each with the dimensions EndpointName and VariantName.
 */
const INVOCATION_NAMESPACE = 'AWS/SageMaker';
const INSTANCE_NAMESPACE = '/aws/sagemaker/Endpoints';

/** The library's own metric of a variant for each metric name that a verdict may query. */
const LIBRARY_METRICS: Record<string, (variant: VariantMetrics) => cloudwatch.Metric> = {
  Invocations: (v) => v.metricInvocations(),
  Invocation4XXErrors: (v) => v.metricInvocation4xxErrors(),
  Invocation5XXErrors: (v) => v.metricInvocation5xxErrors(),
  ModelLatency: (v) => v.metricModelLatency(),
  OverheadLatency: (v) => v.metricOverheadLatency(),
  CPUUtilization: (v) => v.metricCpuUtilization(),
  MemoryUtilization: (v) => v.metricMemoryUtilization(),
  DiskUtilization: (v) => v.metricDiskUtilization(),
  GPUUtilization: (v) => v.metricGpuUtilization(),
  GPUMemoryUtilization: (v) => v.metricGpuMemoryUtilization(),
};
const COUNT_METRICS = ['Invocations', 'Invocation4XXErrors', 'Invocation5XXErrors'];
const UTILIZATION_METRICS = ['CPUUtilization', 'MemoryUtilization', 'DiskUtilization', 'GPUUtilization', 'GPUMemoryUtilization'];

/*
 * What a Step Functions state machine's role needs to log to CloudWatch Logs and to trace with X-Ray, neither with
 * resource-level permissions (AWS Step Functions Developer Guide, "IAM policies for logging to CloudWatch Logs" and
 * "IAM policies for using AWS X-Ray in Step Functions"): aws-cdk-lib adds some or all of these.
 */
const LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery', 'logs:CreateLogStream', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries', 'logs:PutLogEvents', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups',
];
const XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'];

interface Judged {
  readonly stack: Stack;
  readonly experiment: InferenceExperiment;
  readonly verdict: ShadowTestVerdict;
  readonly topic?: sns.Topic;
}

interface JudgedOptions {
  /** The experiment's `inferenceExperimentName`; generated when not given. */
  readonly experimentName?: string;
  /** A standard topic encrypted with a key of its own, given as `notificationTopic`. */
  readonly topic?: boolean;
  /** The stack; `newStack()` when not given. */
  readonly stack?: Stack;
}

/** A verdict with `props` on a new experiment. */
function judged(props: Partial<ShadowTestVerdictProps> = {}, options: JudgedOptions = {}): Judged {
  const parts = new ShadowTestParts(options.stack ?? newStack());
  const experiment = parts.experiment(options.experimentName === undefined ? {} : { inferenceExperimentName: options.experimentName });
  const topic = options.topic ? new sns.Topic(parts.stack, 'Topic', { masterKey: new kms.Key(parts.stack, 'TopicKey') }) : undefined;
  const verdict = new ShadowTestVerdict(parts.stack, 'Verdict', { experiment, notificationTopic: topic, ...props });
  return { stack: parts.stack, experiment, verdict, topic };
}

/** A stack with an experiment, to build verdicts in that should fail. */
function setUp(): { stack: Stack; experiment: InferenceExperiment } {
  const parts = new ShadowTestParts(newStack());
  return { stack: parts.stack, experiment: parts.experiment() };
}

/** The lines of the message of the error that `build` throws; fails when it throws none. */
function problemsOf(build: () => unknown): string[] {
  try {
    build();
  } catch (error) {
    return (error as Error).message.split('\n');
  }
  throw new Error('expected an error, but nothing was thrown');
}

/** A token's text in the definition, as `definitionOf()` writes it: a Ref as the logical ID, a GetAtt as `<id.Attribute>`. */
function asInDefinition(stack: Stack, value: string): string {
  const resolved = stack.resolve(value);
  if (typeof resolved === 'string') {
    return resolved;
  }
  if (resolved.Ref) {
    return resolved.Ref;
  }
  if (resolved['Fn::GetAtt']) {
    return `<${resolved['Fn::GetAtt'].join('.')}>`;
  }
  throw new Error(`cannot write ${JSON.stringify(resolved)}`);
}

/** An ARN of the template as IAM reads it in the partition `aws`: a Ref other than the partition stays `{Ref}`. */
function arnText(value: any): string {
  if (typeof value === 'string') {
    return value;
  }
  if (value['Fn::Join']) {
    const [separator, parts] = value['Fn::Join'];
    return parts.map(arnText).join(separator);
  }
  if (value.Ref) {
    return value.Ref === 'AWS::Partition' ? 'aws' : `{${value.Ref}}`;
  }
  if (value['Fn::GetAtt']) {
    return `{${value['Fn::GetAtt'].join('.')}}`;
  }
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}

/** A query as the definition holds it. */
type Query = Omit<MetricDataQuery, 'ReturnData'> & { readonly ReturnData?: boolean };

/** A GetMetricData call of the workflow that measures the window. */
interface MeasureCall {
  readonly state: string;
  readonly task: any;
  readonly queries: Query[];
}

/**
 * The GetMetricData calls that measure the window: every call of the definition on SageMaker's metrics (the search
 * for a published verdict reads the verdict's own metric only). The workflow may make one call for every series
 * (`MeasureWindow`) or one call for each (`Measure_<id>`): these tests hold for either.
 */
function measureCalls(definition: any): MeasureCall[] {
  const sageMaker = [INVOCATION_NAMESPACE, INSTANCE_NAMESPACE];
  const calls = Object.entries<any>(definition.States)
    .filter(([, state]) => state.Type === 'Task' && /:cloudwatch:getMetricData$/.test(state.Resource))
    .filter(([, state]) => state.Parameters.MetricDataQueries.some((q: Query) => sageMaker.includes(q.MetricStat?.Metric.Namespace ?? '')))
    .map(([state, task]) => ({ state, task, queries: task.Parameters.MetricDataQueries as Query[] }));
  expect(calls.length).toBeGreaterThan(0);
  return calls;
}

function callsOf(stack: Stack): MeasureCall[] {
  return measureCalls(definitionOf(stack));
}

/** Every query of every measuring call. */
function queriesOf(stack: Stack): Query[] {
  return callsOf(stack).flatMap((call) => call.queries);
}

/** The ids of the series that a call returns: ReturnData is true unless it says false (GetMetricData's default). */
function returnedIds(call: MeasureCall): string[] {
  return call.queries.filter((q) => q.ReturnData !== false).map((q) => q.Id);
}

/**
 * The series that each key of a call's ResultSelector reads: one named by its id, or the first result when the call
 * returns one series only.
 */
function selectedSeries(call: MeasureCall): Map<string, string | undefined> {
  const returned = returnedIds(call);
  return new Map(Object.entries<string>(call.task.ResultSelector ?? {}).map(([key, path]) => {
    const byId = /@\.Id ?== ?'([^']+)'/.exec(path);
    const first = /^\$\.MetricDataResults\[0\]/.test(path) && returned.length === 1 ? returned[0] : undefined;
    return [key.replace(/\.\$$/, ''), byId?.[1] ?? first];
  }));
}

/**
 * Whether one call can answer with the newest value of each series it returns, for a window of the longest test, with
 * data points of `periodSeconds`. A call retrieves at most 100,800 data points of its metrics; its first page holds at
 * most MaxDatapoints (100,800 by default) returned points: either every point of every returned series, or, newest
 * first, the newest point of its one series.
 */
function callFits(call: MeasureCall, periodSeconds: number): boolean {
  // A window that does not begin on a period's boundary spans one period more than it holds.
  const periods = LONGEST_TEST_SECONDS / periodSeconds + 1;
  const metrics = call.queries.filter((q) => q.MetricStat).length;
  const returned = returnedIds(call).length;
  const page: number = call.task.Parameters.MaxDatapoints ?? MAX_DATA_POINTS;
  const newestFirst = call.task.Parameters.ScanBy === 'TimestampDescending';
  const retrieved = metrics * periods <= MAX_DATA_POINTS;
  const answered = returned * periods <= page || (returned === 1 && newestFirst && page >= 1);
  return retrieved && answered && page <= MAX_DATA_POINTS;
}

/** The metric math ids that an expression refers to: metric math's functions and operators are in upper case. */
function referencedIds(expression: string): string[] {
  return [...expression.matchAll(/\b[a-z][A-Za-z0-9_]*\b/g)].map(([id]) => id);
}

/** The ids of a cycle among the queries' references, or undefined when there is none. */
function referenceCycle(queries: Query[]): string[] | undefined {
  const byId = new Map(queries.map((q) => [q.Id, q]));
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (onPath.includes(id)) {
      return [...onPath.slice(onPath.indexOf(id)), id];
    }
    if (done.has(id)) {
      return undefined;
    }
    onPath.push(id);
    for (const ref of referencedIds(byId.get(id)?.Expression ?? '')) {
      const cycle = visit(ref);
      if (cycle) {
        return cycle;
      }
    }
    onPath.pop();
    done.add(id);
    return undefined;
  };
  for (const query of queries) {
    const cycle = visit(query.Id);
    if (cycle) {
      return cycle;
    }
  }
  return undefined;
}

/** The statements of the state machine role's policies, resolved. */
function roleStatements(j: Judged): any[] {
  const role = j.stack.getLogicalId(j.verdict.stateMachine.role.node.defaultChild as CfnElement);
  const policies = Object.values<any>(Template.fromStack(j.stack).findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${role}"`));
  expect(policies.length).toBeGreaterThan(0);
  return j.stack.resolve(policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement));
}

const actionsOf = (statement: any): string[] => [statement.Action].flat();
const byAction = (statements: any[], action: string) => statements.filter((s) => actionsOf(s).includes(action));

/** Criteria of every kind, each metric that a verdict can query once, with a latency percentile of two decimals. */
function broadCriteria(): VerdictCriterion[] {
  return [
    VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 0.5, judgeEachPeriod: true, allowedFailingPeriods: 2 }),
    VerdictCriterion.latency({ percentile: 50, maxRegressionPercent: 10 }),
    VerdictCriterion.latency({ percentile: 99.9, maxRegressionPercent: 25, metric: LatencyMetric.OVERHEAD_LATENCY, allowedFailingPercent: 5 }),
    ...Object.values(UtilizationMetric).map((metric) => VerdictCriterion.utilization({ metric, maxIncreasePercentagePoints: 15 })),
  ];
}

/** `count` latency criteria, each on its own percentile. */
function latencyCriteria(count: number): VerdictCriterion[] {
  return Array.from({ length: count }, (_, i) => VerdictCriterion.latency({
    percentile: 1 + (i % 98), maxRegressionPercent: 10, metric: i < 98 ? LatencyMetric.MODEL_LATENCY : LatencyMetric.OVERHEAD_LATENCY,
  }));
}

describe('ShadowTestVerdict props', () => {
  test('reports every problem at once, each naming the property and what to do', () => {
    const { stack, experiment } = setUp();
    const lines = problemsOf(() => new ShadowTestVerdict(stack, 'Verdict', {
      experiment,
      criteria: [],
      period: Duration.minutes(7),
      evaluationInterval: Duration.minutes(10),
      stopOnFail: true,
      minShadowInvocations: -1,
      metricNamespace: 'AWS/Verdicts',
    }));
    expect(lines[0]).toBe("ShadowTestVerdict 'TestStack/Verdict' is invalid (6 problems):");
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^ {2}- criteria: got an empty list; .*at least one criterion.*VerdictCriterion\.defaults\(\)/),
      expect.stringMatching(/^ {2}- period: got Duration\.minutes\(7\); .*5-minute steps.*5 minutes.*1 day/),
      expect.stringMatching(/^ {2}- evaluationInterval: got Duration\.minutes\(10\); .*whole minutes from 15 minutes to 1 day/),
      expect.stringMatching(/^ {2}- stopOnFail: got true; requires interimVerdicts: true/),
      expect.stringMatching(/^ {2}- minShadowInvocations: got -1; must be a whole number of at least 0/),
      expect.stringMatching(/^ {2}- metricNamespace: got "AWS\/Verdicts"; must not begin with AWS\//),
    ]);
  });

  describe('criteria', () => {
    test('refuses an empty list, and accepts none at all (the defaults)', () => {
      const { stack, experiment } = setUp();
      expect(() => new ShadowTestVerdict(stack, 'Empty', { experiment, criteria: [] }))
        .toThrow(/criteria: got an empty list; must hold at least one criterion, or be left out for VerdictCriterion\.defaults\(\)/);
      expect(() => new ShadowTestVerdict(stack, 'Defaults', { experiment })).not.toThrow();
    });

    test.each([
      ['a list of lists (defaults() wrapped in a list)', () => [VerdictCriterion.defaults()]],
      ['a plain object shaped like a criterion', () => [{ name: 'errorRate', measures: 'x', threshold: 1 }]],
      ['a string', () => 'errorRate'],
      ['a list holding undefined', () => [VerdictCriterion.defaults()[0], undefined]],
    ])('refuses %s, which is not a list of VerdictCriterion', (_, criteria) => {
      const { stack, experiment } = setUp();
      expect(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, criteria: criteria() as any }))
        .toThrow(/criteria: got .*; expects a list of VerdictCriterion, such as VerdictCriterion\.defaults\(\)/);
    });

    test('refuses two criteria with the same name, naming both places, and reports each repetition', () => {
      const { stack, experiment } = setUp();
      const p99 = () => VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 20 });
      const lines = problemsOf(() => new ShadowTestVerdict(stack, 'Verdict', {
        experiment,
        criteria: [
          p99(),
          VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 1 }),
          VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 5, allowedFailingPeriods: 1 }),
          VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 2, judgeEachPeriod: true }),
        ],
      }));
      expect(lines[0]).toMatch(/\(2 problems\)/);
      expect(lines[1]).toMatch(/^ {2}- criteria\[2\]: got a second criterion named modelLatencyP99; .*criteria\[0\].*keep one of them/);
      expect(lines[2]).toMatch(/^ {2}- criteria\[3\]: got a second criterion named errorRate; .*criteria\[1\].*keep one of them/);
    });

    test('accepts the same percentile of the two latencies, which are different criteria', () => {
      const { stack, experiment } = setUp();
      expect(() => new ShadowTestVerdict(stack, 'Verdict', {
        experiment,
        criteria: [
          VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 20 }),
          VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 20, metric: LatencyMetric.OVERHEAD_LATENCY }),
        ],
      })).not.toThrow();
    });
  });

  describe('period', () => {
    // CloudWatch keeps data points of 1 minute for 15 days and of 5 minutes for 63 days (CloudWatch User Guide,
    // "Metrics retention"); a test of up to 30 days needs 5-minute steps. One criterion keeps the data points
    // within one call even at 5 minutes.
    const oneCriterion = () => [VerdictCriterion.utilization({ metric: UtilizationMetric.MEMORY, maxIncreasePercentagePoints: 10 })];

    test.each([
      ['not a multiple of 5 minutes', Duration.minutes(7), 'Duration.minutes(7)'],
      ['shorter than 5 minutes', Duration.minutes(1), 'Duration.minutes(1)'],
      ['a whole number of seconds that is not of minutes', Duration.seconds(330), 'Duration.seconds(330)'],
      ['longer than 1 day', Duration.hours(25), 'Duration.hours(25)'],
      ['a multiple of 5 minutes longer than 1 day', Duration.minutes(1445), 'Duration.minutes(1445)'],
    ])('refuses a period %s', (_, period, shown) => {
      const { stack, experiment } = setUp();
      const lines = problemsOf(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, criteria: oneCriterion(), period }));
      expect(lines).toEqual([
        expect.stringMatching(/\(1 problem\)/),
        expect.stringMatching(new RegExp(`^ {2}- period: got ${shown.replace(/[().]/g, '\\$&')}; must be a whole number of 5-minute ` +
          'steps from 5 minutes to 1 day: .*15 days.*30 days')),
      ]);
    });

    test('refuses a period that is a token', () => {
      const { stack, experiment } = setUp();
      const seconds = new CfnParameter(stack, 'Seconds', { type: 'Number' }).valueAsNumber;
      expect(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, period: Duration.seconds(seconds) }))
        .toThrow(/period: got a token; must be a whole number of 5-minute steps/);
    });

    test.each([
      ['5 minutes', Duration.minutes(5)], ['25 minutes', Duration.minutes(25)], ['1 day', Duration.days(1)], ['1 day in seconds', Duration.seconds(86_400)],
    ])('accepts a period of %s', (_, period) => {
      const { stack, experiment } = setUp();
      expect(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, criteria: oneCriterion(), period })).not.toThrow();
    });

    // Once a defect: `checkTiming()` in src/shadow-test-verdict.ts calls `props.period.toSeconds()`, which throws for a duration
    // that is not a whole number of seconds: aws-cdk-lib's own error escapes the collected problems, without the
    // property's name or the other problems.
    test('a period of a fraction of a second is reported as a problem of period, not as aws-cdk-lib\'s error', () => {
      const { stack, experiment } = setUp();
      expect(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, period: Duration.millis(300_500) }))
        .toThrow(/ShadowTestVerdict 'TestStack\/Verdict' is invalid \(1 problem\):\n {2}- period: got /);
    });
  });

  describe('evaluationInterval', () => {
    test.each([
      ['shorter than 15 minutes', Duration.minutes(10), 'Duration.minutes(10)'],
      ['longer than 1 day', Duration.hours(25), 'Duration.hours(25)'],
      ['not whole minutes', Duration.seconds(930), 'Duration.seconds(930)'],
    ])('refuses an evaluationInterval %s', (_, evaluationInterval, shown) => {
      const { stack, experiment } = setUp();
      expect(problemsOf(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, evaluationInterval }))).toEqual([
        expect.stringMatching(/\(1 problem\)/),
        expect.stringMatching(new RegExp(`^ {2}- evaluationInterval: got ${shown.replace(/[().]/g, '\\$&')}; must be whole minutes ` +
          'from 15 minutes to 1 day')),
      ]);
    });

    test('refuses an evaluationInterval that is a token', () => {
      const { stack, experiment } = setUp();
      const minutes = new CfnParameter(stack, 'Minutes', { type: 'Number' }).valueAsNumber;
      expect(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, evaluationInterval: Duration.minutes(minutes) }))
        .toThrow(/evaluationInterval: got a token; must be whole minutes from 15 minutes to 1 day/);
    });

    test.each([['15 minutes', Duration.minutes(15)], ['1 day', Duration.days(1)], ['90 minutes', Duration.minutes(90)]])(
      'accepts an evaluationInterval of %s', (_, evaluationInterval) => {
        const { stack, experiment } = setUp();
        expect(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, evaluationInterval })).not.toThrow();
      });

    // Once a defect: the same as the period's (`checkTiming()` calls `props.evaluationInterval.toSeconds()`, which throws for a
    // fraction of a second, instead of recording a problem).
    test('an evaluationInterval of a fraction of a second is reported as a problem of evaluationInterval', () => {
      const { stack, experiment } = setUp();
      expect(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, evaluationInterval: Duration.millis(900_500) }))
        .toThrow(/ShadowTestVerdict 'TestStack\/Verdict' is invalid \(1 problem\):\n {2}- evaluationInterval: got /);
    });
  });

  describe('stopOnFail and minShadowInvocations', () => {
    test.each([['left out', undefined], ['false', false]])('refuses stopOnFail with interimVerdicts %s', (_, interimVerdicts) => {
      const { stack, experiment } = setUp();
      expect(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, stopOnFail: true, interimVerdicts }))
        .toThrow(/stopOnFail: got true; requires interimVerdicts: true, since only an interim verdict finds the test running/);
    });

    test('accepts stopOnFail with interimVerdicts, and interimVerdicts alone', () => {
      const { stack, experiment } = setUp();
      expect(() => new ShadowTestVerdict(stack, 'Both', { experiment, stopOnFail: true, interimVerdicts: true })).not.toThrow();
      const other = setUp();
      expect(() => new ShadowTestVerdict(other.stack, 'Interim', { experiment: other.experiment, interimVerdicts: true })).not.toThrow();
    });

    test.each([-1, 1.5, 999.9])('refuses minShadowInvocations %s', (minShadowInvocations) => {
      const { stack, experiment } = setUp();
      expect(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, minShadowInvocations }))
        .toThrow(`minShadowInvocations: got ${minShadowInvocations}; must be a whole number of at least 0`);
    });

    test.each([0, 1, 1_000_000])('accepts minShadowInvocations %s', (minShadowInvocations) => {
      const { stack, experiment } = setUp();
      expect(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, minShadowInvocations })).not.toThrow();
    });
  });

  describe('metricNamespace', () => {
    // PutMetricData: a namespace of 1 to 255 ASCII characters, without control characters, not beginning with AWS/,
    // which AWS reserves for its services (CloudWatch API Reference, PutMetricData and Metric).
    test.each([
      ['beginning with AWS/', 'AWS/Verdicts', /must not begin with AWS\/, which AWS reserves/],
      ['with a control character', 'Shadow\nVerdicts', /must hold printable ASCII characters only/],
      ['with a character that is not ASCII', 'Prüfungen', /must hold printable ASCII characters only/],
      ['beginning with a colon', ':Verdicts', /must not begin with a colon/],
      ['empty', '', /must be at least 1 character long/],
    ])('refuses a namespace %s', (_, metricNamespace, fix) => {
      const { stack, experiment } = setUp();
      const lines = problemsOf(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, metricNamespace }));
      const problems = lines.filter((line) => line.startsWith('  - metricNamespace: got '));
      expect(problems.length).toBeGreaterThan(0);
      expect(problems).toContainEqual(expect.stringMatching(fix));
    });

    test('refuses a namespace longer than 255 characters, and accepts one of 255', () => {
      const { stack, experiment } = setUp();
      expect(() => new ShadowTestVerdict(stack, 'Long', { experiment, metricNamespace: 'V'.repeat(256) }))
        .toThrow(/metricNamespace: got "V+…"; must be at most 255 characters long \(it has 256\)/);
      expect(() => new ShadowTestVerdict(stack, 'Longest', { experiment, metricNamespace: 'V'.repeat(255) })).not.toThrow();
    });

    test.each(['Team/ShadowTests', 'ml.platform-verdicts_2#prod:eu', 'AWSVerdicts'])('accepts the namespace %s', (metricNamespace) => {
      const { stack, experiment } = setUp();
      expect(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, metricNamespace })).not.toThrow();
    });
  });

  describe('the experiment and the topic must be reachable', () => {
    const withOthers = () => {
      const { stack, experiment } = setUp();
      const app = stack.node.root as App;
      const otherRegion = new Stack(app, 'OtherRegion', { env: { account: ACCOUNT, region: 'eu-west-1' } });
      const otherAccount = new Stack(app, 'OtherAccount', { env: { account: '210987654321', region: REGION } });
      return { stack, experiment, otherRegion, otherAccount };
    };

    test('refuses a FIFO topic', () => {
      const { stack, experiment } = setUp();
      const fifo = new sns.Topic(stack, 'Fifo', { fifo: true });
      expect(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, notificationTopic: fifo }))
        .toThrow(/notificationTopic: got 'TestStack\/Fifo', a FIFO topic; must be a standard topic/);
    });

    test.each([
      ['another region', 'arn:aws:sns:eu-west-1:123456789012:verdicts', 'region eu-west-1'],
      ['another account', 'arn:aws:sns:us-east-1:210987654321:verdicts', 'account 210987654321'],
    ])('refuses a topic imported by an ARN of %s', (_, arn, where) => {
      const { stack, experiment } = setUp();
      const topic = sns.Topic.fromTopicArn(stack, 'Topic', arn);
      expect(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, notificationTopic: topic })).toThrow(new RegExp(
        `notificationTopic: got 'TestStack/Topic' \\(${arn}\\), in [^;]*${where}[^;]*; must be in the .* own account ${ACCOUNT}, region ` +
        `${REGION}: its state machine calls .* in its own account and region`));
    });

    test('refuses a topic of a stack of another account', () => {
      const { stack, experiment, otherAccount } = withOthers();
      const topic = new sns.Topic(otherAccount, 'Topic');
      expect(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, notificationTopic: topic }))
        .toThrow(/notificationTopic: got 'OtherAccount\/Topic', in account 210987654321, region us-east-1; must be in the .* own account 123456789012/);
    });

    test.each([
      ['another region', 'arn:aws:sagemaker:eu-west-1:123456789012:inference-experiment/other-test', 'region eu-west-1'],
      ['another account', 'arn:aws:sagemaker:us-east-1:210987654321:inference-experiment/other-test', 'account 210987654321'],
    ])('refuses an experiment imported by an ARN of %s, whose variants are known', (_, inferenceExperimentArn, where) => {
      const { stack } = setUp();
      const experiment = InferenceExperiment.fromInferenceExperimentAttributes(stack, 'Imported', {
        inferenceExperimentArn, endpointName: 'ep', productionVariantName: 'blue', shadowVariantName: 'green',
      });
      expect(() => new ShadowTestVerdict(stack, 'Verdict', { experiment })).toThrow(new RegExp(
        `experiment: got 'TestStack/Imported' \\(${inferenceExperimentArn}\\), in [^;]*${where}[^;]*; must be in the .* own account ${ACCOUNT}`));
    });

    test('reports a topic and an experiment elsewhere together', () => {
      const { stack, otherRegion } = withOthers();
      const experiment = InferenceExperiment.fromInferenceExperimentAttributes(stack, 'Imported', {
        inferenceExperimentArn: 'arn:aws:sagemaker:us-east-1:210987654321:inference-experiment/other-test',
        endpointName: 'ep',
        productionVariantName: 'blue',
        shadowVariantName: 'green',
      });
      const topic = new sns.Topic(otherRegion, 'Topic');
      const lines = problemsOf(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, notificationTopic: topic }));
      expect(lines).toEqual([
        expect.stringMatching(/\(2 problems\)/),
        expect.stringMatching(/^ {2}- experiment: got 'TestStack\/Imported'/),
        expect.stringMatching(/^ {2}- notificationTopic: got 'OtherRegion\/Topic'/),
      ]);
    });

    // Once a defect: the message that a ShadowTestVerdict user reads speaks of a guard, which they may not have
    // ("must be in the guard's own account ...", "Define the guard in a stack of that account and region"): the text
    // comes from `checkReachable()` in src/private/guard-placement.ts and `SDK_CALLS.fix` in
    // src/private/workflow-targets.ts, which the verdict shares with ShadowTestGuard.
    test('a verdict\'s message names the verdict, not a guard', () => {
      const { stack, experiment } = setUp();
      const topic = sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:eu-west-1:123456789012:verdicts');
      const [, line] = problemsOf(() => new ShadowTestVerdict(stack, 'Verdict', { experiment, notificationTopic: topic }));
      expect(line).toMatch(/^ {2}- notificationTopic: /);
      expect(line).not.toMatch(/guard/i);
    });

    test('refuses an experiment imported by its name only, whose variant names are not known, saying how to import it', () => {
      const { stack } = setUp();
      const experiment = InferenceExperiment.fromInferenceExperimentName(stack, 'Imported', 'other-test');
      expect(() => new ShadowTestVerdict(stack, 'Verdict', { experiment })).toThrow(new RegExp(
        "experiment: got 'TestStack/Imported', whose variant names are not known; .*fromInferenceExperimentAttributes\\(\\).*" +
        'endpointName, productionVariantName and shadowVariantName'));
    });

    test('accepts an experiment imported with its endpoint and variant names, and queries those', () => {
      const stack = newStack();
      const experiment: IInferenceExperiment = InferenceExperiment.fromInferenceExperimentAttributes(stack, 'Imported', {
        inferenceExperimentName: 'other-test', endpointName: 'ep', productionVariantName: 'blue', shadowVariantName: 'green',
      });
      new ShadowTestVerdict(stack, 'Verdict', { experiment });
      const variants = new Set(queriesOf(stack).filter((q) => q.MetricStat).map((q) => JSON.stringify(q.MetricStat!.Metric.Dimensions)));
      expect(variants).toEqual(new Set(['blue', 'green'].map((variant) =>
        JSON.stringify([{ Name: 'EndpointName', Value: 'ep' }, { Name: 'VariantName', Value: variant }]))));
    });
  });

  describe('the GetMetricData calls must hold the queries and answer with their data points', () => {
    test('a period of 1 hour with the default criteria is accepted', () => {
      const { stack, experiment } = setUp();
      expect(() => new ShadowTestVerdict(stack, 'Hourly', { experiment, period: Duration.hours(1) })).not.toThrow();
      expect(() => new ShadowTestVerdict(stack, 'Default', { experiment })).not.toThrow();
    });

    test('a verdict is refused, saying to use a longer period or fewer criteria, exactly when a call could not answer for a 30-day test', () => {
      // The calls of the same criteria, from their definition with a period of 1 day: each call's queries do not
      // depend on the period.
      const criteriaSets = [
        () => [VerdictCriterion.utilization({ metric: UtilizationMetric.CPU, maxIncreasePercentagePoints: 10 })],
        () => [
          VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 1 }),
          VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 20 }),
        ],
        () => VerdictCriterion.defaults(),
        () => latencyCriteria(5),
        () => broadCriteria(),
      ];
      const outcomes: string[] = [];
      for (const criteria of criteriaSets) {
        const daily = callsOf(judged({ criteria: criteria(), period: Duration.days(1) }).stack);
        for (const minutes of [5, 10, 15, 20, 30, 60, 120]) {
          const fits = daily.every((call) => callFits(call, minutes * 60));
          const { stack, experiment } = setUp();
          let refusal: string | undefined;
          try {
            new ShadowTestVerdict(stack, 'Verdict', { experiment, criteria: criteria(), period: Duration.minutes(minutes) });
          } catch (error) {
            refusal = (error as Error).message;
          }
          if (refusal === undefined) {
            // What was built answers as the definition of 1 day predicted.
            expect(callsOf(stack).every((call) => callFits(call, minutes * 60))).toBe(fits);
          } else {
            expect(refusal).toMatch(/period: got .*use a longer period or fewer criteria/);
          }
          outcomes.push(`${criteria().length} criteria, ${minutes} minutes: ${fits ? 'fits' : 'too many'}, ${refusal === undefined ? 'accepted' : 'refused'}`);
        }
      }
      expect(outcomes.filter((outcome) => /fits, refused|too many, accepted/.test(outcome))).toEqual([]);
      expect(outcomes.some((outcome) => outcome.endsWith('fits, accepted'))).toBe(true);
    });

    // Each criterion adds states and queries to the definition, which Step Functions takes up to 1 MB (a hard quota),
    // and GetMetricData calls to each run: the construct takes at most 20, and those fit with room to spare.
    test(`every call of an accepted verdict has at most ${MAX_QUERIES} queries and its definition fits Step Functions' 1 MB; more than 20 criteria are refused`, () => {
      const { stack } = judged({ criteria: latencyCriteria(20), period: Duration.days(1) });
      const definition = definitionOf(stack);
      expect(Math.max(...measureCalls(definition).map((call) => call.queries.length))).toBeLessThanOrEqual(MAX_QUERIES);
      expect(Buffer.byteLength(JSON.stringify(definition))).toBeLessThan(MAX_DEFINITION_BYTES / 2);

      const { stack: other, experiment } = setUp();
      expect(() => new ShadowTestVerdict(other, 'Verdict', { experiment, criteria: latencyCriteria(21), period: Duration.days(1) }))
        .toThrow(/criteria: got 21 criteria; judge fewer criteria, at most 20: .*1 MB/);
    });
  });

  describe('values of the wrong kind, from callers without TypeScript', () => {
    test('are each reported once, with what is expected', () => {
      const { stack, experiment } = setUp();
      const untyped: any = {
        experiment,
        criteria: 'errorRate',
        interimVerdicts: 'yes',
        stopOnFail: 1,
        minShadowInvocations: '1000',
        metricNamespace: 7,
        notificationTopic: 'arn:aws:sns:us-east-1:123456789012:verdicts',
        logRemovalPolicy: 'keep',
      };
      expect(problemsOf(() => new ShadowTestVerdict(stack, 'Untyped', untyped))).toEqual([
        "ShadowTestVerdict 'TestStack/Untyped' is invalid (7 problems):",
        '  - criteria: got a string ("errorRate"); expects a list of VerdictCriterion, such as VerdictCriterion.defaults()',
        '  - interimVerdicts: got a string ("yes"); expects true or false',
        '  - stopOnFail: got a number (1); expects true or false',
        '  - minShadowInvocations: got a string ("1000"); expects a number',
        '  - metricNamespace: got a number (7); expects a string',
        expect.stringMatching(/^ {2}- notificationTopic: got a string \("arn:aws:sns:.*"\); expects an sns\.ITopic/),
        expect.stringMatching(/^ {2}- logRemovalPolicy: got a string \("keep"\); expects a RemovalPolicy/),
      ]);
    });

    test('an experiment that is a name, and props that are not an object', () => {
      const { stack } = setUp();
      expect(() => new ShadowTestVerdict(stack, 'ByName', { experiment: 'my-test' } as any))
        .toThrow(/experiment: got a string \("my-test"\); expects an InferenceExperiment, or an imported IInferenceExperiment/);
      expect(() => new ShadowTestVerdict(stack, 'NoProps', undefined as any)).toThrow(/props: got nothing; expects an object of properties/);
    });

    // An earlier version read `props.period.toSeconds()` before throwing the problems: a number then ended the
    // constructor with a TypeError, and the problems found were lost.
    test('a period that is a number is reported as a problem of period, with the other problems', () => {
      const { stack, experiment } = setUp();
      expect(() => new ShadowTestVerdict(stack, 'Untyped', { experiment, period: 3600, evaluationInterval: '1h' } as any))
        .toThrow(/is invalid \(2 problems\):\n {2}- period: got a number \(3600\); expects a Duration.*\n {2}- evaluationInterval: got a string/);
    });
  });
});

describe('VerdictCriterion', () => {
  describe('names', () => {
    test.each([
      ['errorRate()', 'errorRate', () => VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 1 })],
      ['errorRate() judged per period', 'errorRate', () => VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 1, judgeEachPeriod: true })],
      ['latency() at p99', 'modelLatencyP99', () => VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 20 })],
      ['latency() at p50 of ModelLatency', 'modelLatencyP50', () => VerdictCriterion.latency({ percentile: 50, maxRegressionPercent: 20, metric: LatencyMetric.MODEL_LATENCY })],
      ['latency() at p99.9 of OverheadLatency', 'overheadLatencyP99_9', () => VerdictCriterion.latency({ percentile: 99.9, maxRegressionPercent: 20, metric: LatencyMetric.OVERHEAD_LATENCY })],
      ['utilization() of CPU', 'cpuUtilization', () => VerdictCriterion.utilization({ metric: UtilizationMetric.CPU, maxIncreasePercentagePoints: 10 })],
      ['utilization() of GPU memory', 'gpuMemoryUtilization', () => VerdictCriterion.utilization({ metric: UtilizationMetric.GPU_MEMORY, maxIncreasePercentagePoints: 10 })],
      ['utilization() of memory', 'memoryUtilization', () => VerdictCriterion.utilization({ metric: UtilizationMetric.MEMORY, maxIncreasePercentagePoints: 10 })],
    ])('%s is named %s', (_, name, make) => {
      const criterion = make();
      expect(criterion.name).toBe(name);
      // The name is also a metric math id in the verdict's GetMetricData call.
      expect(criterion.name).toMatch(METRIC_DATA_ID);
    });

    test('every criterion that a verdict can judge has a name that is a metric math id, and distinct criteria distinct names', () => {
      const criteria = [
        VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 1 }),
        ...Object.values(UtilizationMetric).map((metric) => VerdictCriterion.utilization({ metric, maxIncreasePercentagePoints: 1 })),
        ...Object.values(LatencyMetric).flatMap((metric) => [0.01, 0.5, 5, 9.9, 50, 99, 99.5, 99.9, 99.99]
          .map((percentile) => VerdictCriterion.latency({ percentile, maxRegressionPercent: 1, metric }))),
      ];
      const names = criteria.map((c) => c.name);
      expect(names.filter((n) => !METRIC_DATA_ID.test(n))).toEqual([]);
      expect(new Set(names).size).toBe(names.length);
    });

    test('a criterion tells its threshold and what it measures', () => {
      const latency = VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 15 });
      expect(latency.threshold).toBe(15);
      expect(latency.measures).toMatch(/ModelLatency/);
      expect(latency.measures).toMatch(/percent/);
      const errors = VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 0.5 });
      expect(errors.threshold).toBe(0.5);
      expect(errors.measures).toMatch(/percentage points/);
    });
  });

  test('defaults(): the error rate over the window at most 1 point higher; p50 at most 10% and p99 at most 20% slower, 10% of the periods allowed to fail', () => {
    const defaults = VerdictCriterion.defaults();
    expect(defaults.map((c) => [c.name, c.threshold])).toEqual([['errorRate', 1], ['modelLatencyP50', 10], ['modelLatencyP99', 20]]);
    // The same criteria as those that the documentation describes, built with the public factories.
    expect(defaults).toEqual([
      VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 1 }),
      VerdictCriterion.latency({ percentile: 50, maxRegressionPercent: 10, allowedFailingPercent: 10 }),
      VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 20, allowedFailingPercent: 10 }),
    ]);
    // A verdict without criteria judges these.
    const byDefault = judged();
    const explicit = judged({ criteria: VerdictCriterion.defaults() });
    expect(byDefault.verdict.criteria).toEqual(defaults);
    expect(definitionOf(byDefault.stack)).toEqual(definitionOf(explicit.stack));
  });

  describe('percentile', () => {
    test.each([0, 100, 99.999, -5, 150, 0.001, NaN, Infinity])('latency() refuses the percentile %s', (percentile) => {
      expect(() => VerdictCriterion.latency({ percentile, maxRegressionPercent: 10 })).toThrow(new RegExp(
        `VerdictCriterion.latency\\(\\) is invalid \\(1 problem\\):\n {2}- percentile: got ${String(percentile).replace('.', '\\.')}; ` +
        'must be more than 0 and less than 100, with at most two decimals'));
    });

    test.each([0.01, 0.1, 1, 50, 90, 95, 99, 99.5, 99.9, 99.99])('latency() accepts the percentile %s, a statistic of CloudWatch', (percentile) => {
      expect(VerdictCriterion.latency({ percentile, maxRegressionPercent: 10 }).name).toMatch(/^modelLatencyP/);
    });

    // Once a defect: VerdictCriterion.latency() tests "at most two decimals" with `Number.isInteger(percentile * 100)`,
    // which floating-point arithmetic breaks: 1.1 * 100 is 110.00000000000001. 1146 of the 9999 percentiles from
    // p0.01 to p99.99, all of which CloudWatch accepts, are refused, among them 1.1, 64.1, 70.1 and 80.1.
    test('latency() accepts every percentile of at most two decimals from 0.01 to 99.99', () => {
      const refused: number[] = [];
      for (let hundredths = 1; hundredths < 10_000; hundredths++) {
        const percentile = Number((hundredths / 100).toFixed(2));
        try {
          VerdictCriterion.latency({ percentile, maxRegressionPercent: 10 });
        } catch {
          refused.push(percentile);
        }
      }
      expect({ refused: refused.length, first: refused.slice(0, 8) }).toEqual({ refused: 0, first: [] });
    });
  });

  describe('thresholds and failing periods', () => {
    test.each([
      ['errorRate()', () => VerdictCriterion.errorRate({ maxIncreasePercentagePoints: -0.5 }), 'maxIncreasePercentagePoints', -0.5],
      ['latency()', () => VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: -1 }), 'maxRegressionPercent', -1],
      ['utilization()', () => VerdictCriterion.utilization({ metric: UtilizationMetric.CPU, maxIncreasePercentagePoints: -10 }), 'maxIncreasePercentagePoints', -10],
    ])('%s refuses a negative threshold', (subject, make, property, value) => {
      expect(() => make()).toThrow(new RegExp(`VerdictCriterion\\.${subject.replace(/[()]/g, '\\$&')} is invalid \\(1 problem\\):\n {2}- ${property}: ` +
        `got ${value}; must be a finite number .*0`));
    });

    test('errorRate() refuses an increase of more than 100 percentage points, which no error rate can have', () => {
      expect(() => VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 100.5 }))
        .toThrow(/maxIncreasePercentagePoints: got 100\.5; must be a finite number from 0 to 100/);
      expect(VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 100 }).threshold).toBe(100);
      expect(VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 0 }).threshold).toBe(0);
    });

    test.each([
      ['allowedFailingPeriods', { allowedFailingPeriods: 1.5 }, /allowedFailingPeriods: got 1\.5; must be a whole number of at least 0/],
      ['allowedFailingPeriods', { allowedFailingPeriods: -1 }, /allowedFailingPeriods: got -1; must be a whole number of at least 0/],
      ['allowedFailingPercent', { allowedFailingPercent: 101 }, /allowedFailingPercent: got 101; must be a finite number from 0 to 100/],
      ['allowedFailingPercent', { allowedFailingPercent: -5 }, /allowedFailingPercent: got -5; must be a finite number from 0 to 100/],
      ['both', { allowedFailingPeriods: 2, allowedFailingPercent: 10 }, /allowedFailingPeriods and allowedFailingPercent: got both; give one of them/],
    ])('every factory refuses a wrong %s: %j', (_, failing, message) => {
      expect(() => VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 10, ...failing })).toThrow(message);
      expect(() => VerdictCriterion.utilization({ metric: UtilizationMetric.MEMORY, maxIncreasePercentagePoints: 10, ...failing })).toThrow(message);
      expect(() => VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 1, judgeEachPeriod: true, ...failing })).toThrow(message);
    });

    test('accepts allowed failing periods of 0, and a share of 0 or 100 percent', () => {
      expect(() => VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 10, allowedFailingPeriods: 0 })).not.toThrow();
      expect(() => VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 10, allowedFailingPercent: 0 })).not.toThrow();
      expect(() => VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 10, allowedFailingPercent: 100 })).not.toThrow();
      expect(() => VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 10, allowedFailingPercent: 12.5 })).not.toThrow();
    });

    test.each([[{ allowedFailingPeriods: 2 }], [{ allowedFailingPercent: 10 }], [{ allowedFailingPeriods: 0 }]])(
      'errorRate() refuses allowed failures %j on rates not judged per period, and says to set judgeEachPeriod', (failing) => {
        expect(() => VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 1, ...failing })).toThrow(
          /allowedFailingPeriods\/allowedFailingPercent: got a number; applies only to a criterion judged per period: set judgeEachPeriod to true/);
        expect(() => VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 1, judgeEachPeriod: false, ...failing })).toThrow(/judgeEachPeriod/);
        expect(() => VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 1, judgeEachPeriod: true, ...failing })).not.toThrow();
      });

    test('reports every problem of a criterion at once', () => {
      expect(problemsOf(() => VerdictCriterion.latency({ percentile: 100, maxRegressionPercent: -1, allowedFailingPeriods: 1.5 }))).toEqual([
        'VerdictCriterion.latency() is invalid (3 problems):',
        expect.stringMatching(/^ {2}- allowedFailingPeriods: got 1\.5/),
        expect.stringMatching(/^ {2}- percentile: got 100/),
        expect.stringMatching(/^ {2}- maxRegressionPercent: got -1/),
      ]);
    });
  });

  describe('tokens', () => {
    const token = () => new CfnParameter(newStack(), 'Value', { type: 'Number' }).valueAsNumber;

    test.each([
      ['errorRate()', 'maxIncreasePercentagePoints', () => VerdictCriterion.errorRate({ maxIncreasePercentagePoints: token() })],
      ['latency()', 'maxRegressionPercent', () => VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: token() })],
      ['utilization()', 'maxIncreasePercentagePoints', () => VerdictCriterion.utilization({ metric: UtilizationMetric.GPU, maxIncreasePercentagePoints: token() })],
      ['latency()', 'allowedFailingPeriods', () => VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 1, allowedFailingPeriods: token() })],
      ['latency()', 'allowedFailingPercent', () => VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 1, allowedFailingPercent: token() })],
    ])('%s refuses %s as a token: the number is written into the metric math', (_, property, make) => {
      expect(() => make()).toThrow(new RegExp(`${property}: got a token; must be a number known at synth`));
    });

    test('latency() refuses a percentile that is a token', () => {
      expect(() => VerdictCriterion.latency({ percentile: token(), maxRegressionPercent: 10 }))
        .toThrow(/percentile: got a token; must be a number known at synth/);
    });

    // Once a defect: a percentile that is a token is reported twice, the second time as the number that encodes the
    // token ("percentile: got -1.888...e+289; must be more than 0"): VerdictCriterion.latency() checks the
    // range of a token as if it were the number.
    test('a percentile that is a token is reported once, as a token', () => {
      const lines = problemsOf(() => VerdictCriterion.latency({ percentile: token(), maxRegressionPercent: 10 }));
      expect(lines.filter((line) => line.startsWith('  - percentile:'))).toEqual([expect.stringMatching(/^ {2}- percentile: got a token; /)]);
    });
  });

  describe('values of the wrong kind, from callers without TypeScript', () => {
    test.each([
      ['no options', () => VerdictCriterion.latency(undefined as any), /options: got nothing; expects an object of properties/],
      ['a threshold that is a string', () => VerdictCriterion.errorRate({ maxIncreasePercentagePoints: '1' } as any),
        /maxIncreasePercentagePoints: got a string \("1"\); expects a number/],
      ['no threshold', () => VerdictCriterion.latency({ percentile: 99 } as any), /maxRegressionPercent: got nothing; expects a number/],
      ['a percentile that is a string', () => VerdictCriterion.latency({ percentile: '99', maxRegressionPercent: 10 } as any),
        /percentile: got a string \("99"\); expects a number/],
      ['a latency metric that is not a LatencyMetric', () => VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 10, metric: 'Latency' } as any),
        /metric: got a string \("Latency"\); expects a LatencyMetric/],
      ['a utilization metric that is not a UtilizationMetric', () => VerdictCriterion.utilization({ metric: 'CPU', maxIncreasePercentagePoints: 10 } as any),
        /metric: got a string \("CPU"\); expects a UtilizationMetric/],
      ['no utilization metric', () => VerdictCriterion.utilization({ maxIncreasePercentagePoints: 10 } as any), /metric: got nothing; expects a UtilizationMetric/],
      ['judgeEachPeriod that is a string', () => VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 1, judgeEachPeriod: 'yes' } as any),
        /judgeEachPeriod: got a string \("yes"\); expects true or false/],
    ])('%s', (_, make, message) => {
      expect(make).toThrow(message);
    });

    // Once a defect: an allowedFailingPercent or allowedFailingPeriods of the wrong kind is reported twice, once for
    // its kind and once for its range (`checked()` in src/verdict-criterion.ts checks the range whatever the kind).
    test('a failing share that is a string is reported once', () => {
      const lines = problemsOf(() => VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 10, allowedFailingPercent: '5' } as any));
      expect(lines).toEqual([
        'VerdictCriterion.latency() is invalid (1 problem):',
        expect.stringMatching(/^ {2}- allowedFailingPercent: got a string \("5"\); expects a number/),
      ]);
    });
  });
});

describe('the template', () => {
  test('one rule starts the state machine every hour by default', () => {
    const j = judged();
    const template = Template.fromStack(j.stack);
    const rules = Object.values<any>(template.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(1);
    const machine = j.stack.getLogicalId(j.verdict.stateMachine.node.defaultChild as CfnElement);
    expect(rules[0].Properties).toEqual(expect.objectContaining({
      ScheduleExpression: 'rate(1 hour)',
      Targets: [expect.objectContaining({ Arn: { Ref: machine } })],
    }));
    expect(rules[0].Properties.State ?? 'ENABLED').toBe('ENABLED');
    // The rule may start this state machine only.
    const eventsRole = rules[0].Properties.Targets[0].RoleArn['Fn::GetAtt'][0];
    const policies = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${eventsRole}"`));
    expect(policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement)).toEqual([
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: machine } },
    ]);
  });

  // EventBridge's rate expressions (EventBridge User Guide, "Schedule expressions for rules"): rate(value unit), the
  // unit singular for 1.
  test.each([
    [Duration.minutes(30), 'rate(30 minutes)'],
    [Duration.minutes(15), 'rate(15 minutes)'],
    [Duration.hours(6), 'rate(6 hours)'],
    [Duration.days(1), 'rate(1 day)'],
  ])('evaluationInterval %s makes the schedule %s', (evaluationInterval, expression) => {
    const j = judged({ evaluationInterval });
    Template.fromStack(j.stack).hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: expression });
    expect(j.verdict.evaluationInterval).toBe(evaluationInterval);
  });

  test('the state machine is a Standard workflow, logs everything to its own encrypted log group, and is traced', () => {
    // A final verdict waits 5 minutes for the last data points, the longest an Express workflow may run at all.
    const j = judged();
    const template = Template.fromStack(j.stack);
    const [machine] = Object.values<any>(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machine.Properties.StateMachineType ?? 'STANDARD').toBe('STANDARD');
    const logGroup = j.stack.getLogicalId(j.verdict.logGroup.node.defaultChild as CfnElement);
    expect(machine.Properties.LoggingConfiguration).toEqual({
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroup, 'Arn'] } } }],
      IncludeExecutionData: true,
      Level: 'ALL',
    });
    expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
    // A run lasts at most 30 minutes (the README's "Failures, cost and limits").
    expect(definitionOf(j.stack).TimeoutSeconds).toBe(30 * 60);

    const group = template.toJSON().Resources[logGroup];
    // Step Functions' log groups are named under /aws/vendedlogs/, as AWS advises, to keep the resource policy small.
    const name = group.Properties.LogGroupName;
    const firstPart = typeof name === 'string' ? name : name['Fn::Join'][1][0];
    expect(firstPart).toMatch(/^\/aws\/vendedlogs\/states\//);
    const keyId = group.Properties.KmsKeyId['Fn::GetAtt'][0];
    expect(template.toJSON().Resources[keyId].Type).toBe('AWS::KMS::Key');
  });

  test('by default, the log group and its key are deleted with the stack', () => {
    const resources = Template.fromStack(judged().stack).toJSON().Resources as Record<string, any>;
    const verdicts = Object.entries(resources).filter(([id]) => id.startsWith('Verdict')).map(([, r]) => r);
    for (const type of ['AWS::Logs::LogGroup', 'AWS::KMS::Key']) {
      expect(verdicts.filter((r) => r.Type === type)).toEqual([expect.objectContaining({ DeletionPolicy: 'Delete' })]);
    }
    expect(verdicts.filter((r) => /Retain/.test(r.DeletionPolicy ?? ''))).toEqual([]);
  });

  test('logRemovalPolicy RETAIN keeps the log group and its key', () => {
    const resources = Template.fromStack(judged({ logRemovalPolicy: RemovalPolicy.RETAIN }).stack).toJSON().Resources as Record<string, any>;
    const verdicts = Object.entries(resources).filter(([id]) => id.startsWith('Verdict')).map(([, r]) => r);
    for (const type of ['AWS::Logs::LogGroup', 'AWS::KMS::Key']) {
      expect(verdicts.filter((r) => r.Type === type)).toEqual([expect.objectContaining({ DeletionPolicy: 'Retain' })]);
    }
    expect(verdicts.filter((r) => r.DeletionPolicy === 'Retain').map((r) => r.Type).sort()).toEqual(['AWS::KMS::Key', 'AWS::Logs::LogGroup']);
  });
});

describe('the state machine role, least privilege', () => {
  const experimentArn = (j: Judged) => j.stack.resolve(j.experiment.inferenceExperimentArn);

  /** What the role may do in every case: describe, measure, put its metric and its event, log and trace. */
  function expectOnlyAllowed(statements: any[], allowed: string[]): void {
    const actions = statements.flatMap(actionsOf);
    expect(actions.filter((action) => !allowed.includes(action) && !LOG_DELIVERY_ACTIONS.includes(action) && !XRAY_ACTIONS.includes(action)))
      .toEqual([]);
    expect(new Set(actions.filter((action) => !/^(logs|xray):/.test(action)))).toEqual(new Set(allowed));
    // No action is a wildcard over a service or over every service.
    expect(actions.filter((action) => action === '*' || action.endsWith(':*'))).toEqual([]);
    expect(statements.filter((s) => s.Effect !== 'Allow' || s.NotAction !== undefined || s.NotResource !== undefined)).toEqual([]);
    // Log delivery and X-Ray support no resource-level permissions; each other statement on every resource has a
    // reason of its own, checked by the tests below.
    const onEverything = statements.filter((s) => [s.Resource].flat().includes('*')).flatMap(actionsOf);
    expect(onEverything.filter((a) => !/^(logs|xray):/.test(a)).sort()).toEqual(['cloudwatch:GetMetricData', 'cloudwatch:PutMetricData']);
  }

  test('by default: describe the experiment, read metrics, put the verdict metric in its namespace and the event on the default bus', () => {
    const j = judged();
    const statements = roleStatements(j);
    expectOnlyAllowed(statements, ['sagemaker:DescribeInferenceExperiment', 'cloudwatch:GetMetricData', 'cloudwatch:PutMetricData', 'events:PutEvents']);
    expect(byAction(statements, 'sagemaker:DescribeInferenceExperiment').map((s) => s.Resource)).toEqual([experimentArn(j)]);
    expect(byAction(statements, 'sagemaker:StopInferenceExperiment')).toEqual([]);
    expect(byAction(statements, 'sns:Publish')).toEqual([]);
    // GetMetricData supports no resource-level permission (Service Authorization Reference, Amazon CloudWatch).
    expect(byAction(statements, 'cloudwatch:GetMetricData').map((s) => [s.Resource, s.Condition])).toEqual([['*', undefined]]);
  });

  test('PutMetricData, which has no resource-level permission, is allowed only in the default namespace', () => {
    const statements = roleStatements(judged());
    expect(byAction(statements, 'cloudwatch:PutMetricData')).toEqual([{
      Action: 'cloudwatch:PutMetricData',
      Effect: 'Allow',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'ShadowTestVerdicts' } },
    }]);
  });

  test('PutMetricData is allowed only in the given namespace', () => {
    const statements = roleStatements(judged({ metricNamespace: 'Team/ShadowTests' }));
    expect(byAction(statements, 'cloudwatch:PutMetricData').map((s) => s.Condition))
      .toEqual([{ StringEquals: { 'cloudwatch:namespace': 'Team/ShadowTests' } }]);
  });

  test.each([
    ['the test environment', undefined, `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`],
    ['another environment', { account: '210987654321', region: 'eu-central-1' }, 'arn:aws:events:eu-central-1:210987654321:event-bus/default'],
  ])('PutEvents is allowed on the default event bus of the stack\'s account and region only (%s)', (_, env, busArn) => {
    const stack = env ? new Stack(new App(), 'Elsewhere', { env }) : newStack();
    const statements = roleStatements(judged({}, { stack }));
    expect(byAction(statements, 'events:PutEvents').map((s) => [s.Resource].flat().map(arnText))).toEqual([[busArn]]);
  });

  test('with stopOnFail and an encrypted topic: also stop this experiment, publish to this topic, with its key', () => {
    const j = judged({ interimVerdicts: true, stopOnFail: true }, { topic: true });
    const statements = roleStatements(j);
    expectOnlyAllowed(statements, [
      'sagemaker:DescribeInferenceExperiment', 'sagemaker:StopInferenceExperiment', 'cloudwatch:GetMetricData', 'cloudwatch:PutMetricData',
      'events:PutEvents', 'sns:Publish', 'kms:Decrypt', 'kms:GenerateDataKey*',
    ]);
    for (const action of ['sagemaker:DescribeInferenceExperiment', 'sagemaker:StopInferenceExperiment']) {
      expect(byAction(statements, action).map((s) => s.Resource)).toEqual([experimentArn(j)]);
    }
    const topic = j.stack.getLogicalId(j.topic!.node.defaultChild as CfnElement);
    const publishes = byAction(statements, 'sns:Publish');
    expect(publishes.length).toBeGreaterThan(0);
    expect(publishes.flatMap((s) => [s.Resource].flat())).toEqual(publishes.map(() => ({ Ref: topic })));
    const key = j.stack.getLogicalId(j.topic!.masterKey!.node.defaultChild as CfnElement);
    const keyStatements = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));
    expect(keyStatements.map((s) => s.Resource)).toEqual(keyStatements.map(() => ({ 'Fn::GetAtt': [key, 'Arn'] })));
  });

  test('a topic without a key adds sns:Publish on the topic and no key permission; stopOnFail without a topic adds only the stop', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment();
    const topic = new sns.Topic(parts.stack, 'Plain');
    const verdict = new ShadowTestVerdict(parts.stack, 'Verdict', { experiment, notificationTopic: topic });
    const statements = roleStatements({ stack: parts.stack, experiment, verdict });
    expectOnlyAllowed(statements, ['sagemaker:DescribeInferenceExperiment', 'cloudwatch:GetMetricData', 'cloudwatch:PutMetricData', 'events:PutEvents', 'sns:Publish']);
    expect(byAction(statements, 'sns:Publish').map((s) => s.Resource)).toEqual([{ Ref: parts.stack.getLogicalId(topic.node.defaultChild as CfnElement) }]);

    const stopping = judged({ interimVerdicts: true, stopOnFail: true });
    expectOnlyAllowed(roleStatements(stopping), [
      'sagemaker:DescribeInferenceExperiment', 'sagemaker:StopInferenceExperiment', 'cloudwatch:GetMetricData', 'cloudwatch:PutMetricData', 'events:PutEvents',
    ]);
  });

  test('an experiment named with upper-case letters is described by its name as given, and permitted under both ARN forms', () => {
    const j = judged({ interimVerdicts: true, stopOnFail: true }, { experimentName: 'Candidate-V2' });
    const experimentRef = j.stack.getLogicalId(j.experiment.node.defaultChild as CfnElement);
    const definition = definitionOf(j.stack);
    // The name is the experiment's Ref, which CloudFormation gives as the name was given: never a lower-cased copy.
    expect(definition.States.DescribeExperiment.Parameters).toEqual({ Name: experimentRef });
    expect(JSON.stringify(definition)).not.toContain('candidate-v2');
    const statements = roleStatements(j);
    for (const action of ['sagemaker:DescribeInferenceExperiment', 'sagemaker:StopInferenceExperiment']) {
      const [statement, ...others] = byAction(statements, action);
      expect(others).toEqual([]);
      expect([statement.Resource].flat().map(arnText).sort()).toEqual([
        `arn:aws:sagemaker:${REGION}:${ACCOUNT}:inference-experiment/Candidate-V2`,
        `arn:aws:sagemaker:${REGION}:${ACCOUNT}:inference-experiment/candidate-v2`,
      ]);
    }
  });

  test('an experiment with a lower-case name is permitted under its one ARN', () => {
    const j = judged({}, { experimentName: 'candidate-v2' });
    expect(byAction(roleStatements(j), 'sagemaker:DescribeInferenceExperiment').map((s) => [s.Resource].flat().map(arnText)))
      .toEqual([[`arn:aws:sagemaker:${REGION}:${ACCOUNT}:inference-experiment/candidate-v2`]]);
  });
});

describe('the GetMetricData queries that measure the window', () => {
  test('each metric is the library\'s own metric of that variant, with the statistic that the criterion compares', () => {
    const j = judged({ criteria: broadCriteria() });
    const metrics = j.experiment.metrics;
    const sides = [['shadow', metrics.shadow], ['production', metrics.production]] as const;
    const found = new Set<string>();
    for (const call of callsOf(j.stack)) {
      const inCall: string[] = [];
      for (const query of call.queries.filter((q) => q.MetricStat)) {
        const { Metric: metric, Stat: stat } = query.MetricStat!;
        const where = `${call.state} ${query.Id}`;
        const dimensions = Object.fromEntries(metric.Dimensions.map((d) => [d.Name, d.Value]));
        const side = sides.find(([, variant]) => asInDefinition(j.stack, variant.variantName) === dimensions.VariantName);
        expect({ where, side: side?.[0] }).toEqual({ where, side: expect.any(String) });
        const [sideName, variant] = side!;
        const library = LIBRARY_METRICS[metric.MetricName]?.(variant);
        expect({ where, known: library !== undefined }).toEqual({ where, known: true });
        // The same namespace, name and dimensions as the library's metric of the variant, tokens resolved.
        expect({ where, namespace: metric.Namespace, metricName: metric.MetricName, dimensions }).toEqual({
          where,
          namespace: library.namespace,
          metricName: library.metricName,
          dimensions: Object.fromEntries(Object.entries(library.dimensions ?? {})
            .map(([name, value]) => [name, asInDefinition(j.stack, value as string)])),
        });
        // And where SageMaker publishes it.
        expect(metric.Namespace).toBe(UTILIZATION_METRICS.includes(metric.MetricName) ? INSTANCE_NAMESPACE : INVOCATION_NAMESPACE);
        // Counts are summed and utilizations averaged, as the library's own metrics are; a latency criterion compares
        // its percentile.
        if (COUNT_METRICS.includes(metric.MetricName)) {
          expect({ where, stat }).toEqual({ where, stat: 'Sum' });
          expect(stat).toBe(library.statistic);
        } else if (UTILIZATION_METRICS.includes(metric.MetricName)) {
          expect({ where, stat }).toEqual({ where, stat: 'Average' });
          expect(stat).toBe(library.statistic);
        }
        inCall.push(`${sideName} ${metric.MetricName} ${stat}`);
      }
      // A call asks for each metric of each variant once.
      expect({ call: call.state, repeated: inCall.filter((m, i) => inCall.indexOf(m) !== i) }).toEqual({ call: call.state, repeated: [] });
      inCall.forEach((m) => found.add(m));
    }
    const expected = [
      ...COUNT_METRICS.map((name) => `${name} Sum`),
      'ModelLatency p50',
      'OverheadLatency p99.9',
      ...UTILIZATION_METRICS.map((name) => `${name} Average`),
    ].flatMap((metric) => [`shadow ${metric}`, `production ${metric}`]);
    // Every metric that the criteria compare, of both variants, and nothing else.
    expect([...found].sort()).toEqual([...expected].sort());
  });

  test('with the default criteria, a judging run makes 14 calls that request 34 metrics in all, as the README\'s cost says', () => {
    // GetMetricData is billed per metric requested: each MetricStat query of each call.
    const calls = callsOf(judged().stack);
    expect(calls).toHaveLength(14);
    expect(calls.flatMap((call) => call.queries.filter((q) => q.MetricStat))).toHaveLength(34);
  });

  test.each([
    ['the default period', {}, 3600],
    ['a period of 30 minutes', { period: Duration.minutes(30) }, 1800],
    ['a period of 1 day', { period: Duration.days(1) }, 86_400],
  ])('with %s, every metric\'s Period is the verdict\'s period in seconds', (_, props, seconds) => {
    const queries = queriesOf(judged(props).stack).filter((q) => q.MetricStat);
    expect(queries.length).toBeGreaterThan(0);
    expect(new Set(queries.map((q) => q.MetricStat!.Period))).toEqual(new Set([seconds]));
  });

  test.each([
    ['the defaults', () => ({})],
    ['criteria of every kind', () => ({ criteria: broadCriteria() })],
    ['an error rate judged per period', () => ({ criteria: [VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 2, judgeEachPeriod: true, allowedFailingPercent: 5 })] })],
    ['a single utilization criterion', () => ({ criteria: [VerdictCriterion.utilization({ metric: UtilizationMetric.DISK, maxIncreasePercentagePoints: 5 })] })],
    ['the longest names and thresholds', () => ({
      criteria: [
        VerdictCriterion.latency({
          percentile: 99.99, maxRegressionPercent: 123456.789, metric: LatencyMetric.OVERHEAD_LATENCY, allowedFailingPercent: 12.345,
        }),
        VerdictCriterion.utilization({ metric: UtilizationMetric.GPU_MEMORY, maxIncreasePercentagePoints: 0.000123, allowedFailingPeriods: 1234 }),
      ],
    })],
    ['20 latency criteria', () => ({ criteria: latencyCriteria(20), period: Duration.days(1) })],
  ])('with %s, each call is within CloudWatch\'s limits, and refers only to what it defines, without a cycle', (_, props) => {
    for (const call of callsOf(judged(props()).stack)) {
      const queries = call.queries;
      const where = call.state;
      expect({ where, count: queries.length <= MAX_QUERIES }).toEqual({ where, count: true });
      const ids = queries.map((q) => q.Id);
      expect({ where, repeated: ids.filter((id, index) => ids.indexOf(id) !== index) }).toEqual({ where, repeated: [] });
      expect({ where, invalid: ids.filter((id) => !METRIC_DATA_ID.test(id) || id.length > MAX_ID_LENGTH) }).toEqual({ where, invalid: [] });
      // Each query is a metric or an expression, never both.
      expect({ where, both: queries.filter((q) => (q.MetricStat === undefined) === (q.Expression === undefined)).map((q) => q.Id) })
        .toEqual({ where, both: [] });
      const long = queries.filter((q) => (q.Expression?.length ?? 0) > MAX_EXPRESSION_LENGTH).map((q) => q.Id);
      expect({ where, long }).toEqual({ where, long: [] });
      const defined = new Set(ids);
      const undefinedRefs = queries.flatMap((q) => referencedIds(q.Expression ?? '').filter((id) => !defined.has(id)).map((id) => `${q.Id} -> ${id}`));
      expect({ where, undefinedRefs }).toEqual({ where, undefinedRefs: [] });
      expect({ where, cycle: referenceCycle(queries) }).toEqual({ where, cycle: undefined });
      expect({ where, returns: returnedIds(call).length > 0 }).toEqual({ where, returns: true });
    }
  });

  test('the cycle check finds a cycle, and the reference check an id that is not defined', () => {
    expect(referenceCycle([{ Id: 'a', Expression: 'b + 1' }, { Id: 'b', Expression: 'RUNNING_SUM(a)' }])).toEqual(['a', 'b', 'a']);
    expect(referenceCycle([{ Id: 'a', Expression: 'b + c' }, { Id: 'b', Expression: 'FILL(c, 0)' }, { Id: 'c', Expression: '1' }])).toBeUndefined();
    expect(referencedIds('100 * (errSt / (invSt + (invSt == 0))) > 1e-7 AND FLOOR(x_1)')).toEqual(['errSt', 'invSt', 'invSt', 'x_1']);
  });

  test.each([
    ['the defaults', {}],
    ['criteria of every kind', { criteria: broadCriteria() }],
  ])('with %s, each call\'s ResultSelector reads exactly the series it returns, and the workflow reads each under its own id', (_, props) => {
    const definition = definitionOf(judged(props as Partial<ShadowTestVerdictProps>).stack);
    const calls = measureCalls(definition);
    /** Where each returned series lands in the state: the call's ResultPath and the selector's key. */
    const landing = new Map<string, string>();
    for (const call of calls) {
      const returned = returnedIds(call);
      const selected = selectedSeries(call);
      expect({ call: call.state, unknown: [...selected].filter(([, series]) => series === undefined).map(([key]) => key) })
        .toEqual({ call: call.state, unknown: [] });
      expect({ call: call.state, series: [...new Set(selected.values())].sort() }).toEqual({ call: call.state, series: [...returned].sort() });
      for (const [key, series] of selected) {
        landing.set(`${call.task.ResultPath}.${key}`, series!);
      }
    }
    // Every series read after the calls is read under its own id, and every series returned is read.
    const reads = new Set<string>();
    const visit = (value: unknown, key?: string): void => {
      if (typeof value === 'string' && key !== 'ResultPath') {
        for (const [path] of value.matchAll(/\$\.measured(\.[A-Za-z0-9_]+)+/g)) {
          reads.add(path);
        }
      } else if (value && typeof value === 'object') {
        Object.entries(value).forEach(([k, v]) => visit(v, k));
      }
    };
    visit(definition.States);
    const readSeries = new Set<string>();
    for (const path of reads) {
      const [location, series] = [...landing].find(([at]) => path === at || path.startsWith(`${at}.`) || at.startsWith(`${path}.`)) ?? [];
      expect({ path, read: series !== undefined }).toEqual({ path, read: true });
      // The first name after $.measured is the series' own id.
      expect({ path, under: path.split('.')[2] }).toEqual({ path, under: series });
      readSeries.add(series!);
      expect(location).toBeDefined();
    }
    const returnedSeries = new Set(calls.flatMap(returnedIds));
    expect([...returnedSeries].filter((series) => !readSeries.has(series))).toEqual([]);
  });
});

describe('the verdict metrics', () => {
  test.each([
    ['the default namespace', {}, 'ShadowTestVerdicts'],
    ['a given namespace', { metricNamespace: 'Team/ShadowTests' }, 'Team/ShadowTests'],
  ])('metricFinalVerdict() and metricInterimVerdict() in %s, by experiment and kind', (_, props, namespace) => {
    const j = judged(props);
    const experimentName = j.stack.resolve(j.experiment.inferenceExperimentName);
    expect(j.verdict.metricNamespace).toBe(namespace);
    for (const [metric, kind] of [[j.verdict.metricFinalVerdict(), 'Final'], [j.verdict.metricInterimVerdict(), 'Interim']] as const) {
      expect(j.stack.resolve({ namespace: metric.namespace, metricName: metric.metricName, dimensions: metric.dimensions })).toEqual({
        namespace,
        metricName: 'Verdict',
        dimensions: { InferenceExperimentName: experimentName, Kind: kind },
      });
      // Minimum over 1 day unless told otherwise: one FAIL in the day shows.
      expect(metric.statistic).toBe('Minimum');
      expect(metric.period.toSeconds()).toBe(86_400);
    }
    const custom = j.verdict.metricFinalVerdict({ period: Duration.days(30), statistic: 'Maximum', label: 'final' });
    expect([custom.period.toSeconds(), custom.statistic, custom.label]).toEqual([30 * 86_400, 'Maximum', 'final']);
  });

  test('the values are 1 for PASS, 0 for INCONCLUSIVE and -1 for FAIL, as each outcome of the workflow writes them', () => {
    const { METRIC_VALUE_PASS, METRIC_VALUE_INCONCLUSIVE, METRIC_VALUE_FAIL } = ShadowTestVerdict;
    expect([METRIC_VALUE_PASS, METRIC_VALUE_INCONCLUSIVE, METRIC_VALUE_FAIL]).toEqual([1, 0, -1]);
    const definition = definitionOf(judged().stack);
    const outcomes = Object.values<any>(definition.States).filter((s) => s.ResultPath === '$.verdict').map((s) => [s.Parameters.outcome, s.Parameters.value]);
    expect(outcomes.length).toBeGreaterThan(0);
    const values: Record<string, number> = {
      PASS: ShadowTestVerdict.METRIC_VALUE_PASS, INCONCLUSIVE: ShadowTestVerdict.METRIC_VALUE_INCONCLUSIVE, FAIL: ShadowTestVerdict.METRIC_VALUE_FAIL,
    };
    expect(outcomes.filter(([outcome, value]) => values[outcome] !== value)).toEqual([]);
    expect(new Set(outcomes.map(([outcome]) => outcome))).toEqual(new Set(Object.keys(values)));
  });

  test.each([
    ['the default namespace', {}],
    ['a given namespace', { metricNamespace: 'Team/ShadowTests' }],
  ])('PutVerdictMetric writes the metric that metricFinalVerdict() and metricInterimVerdict() read (%s)', (_, props) => {
    const j = judged({ ...props, interimVerdicts: true });
    const definition = definitionOf(j.stack);
    const put = definition.States.PutVerdictMetric;
    expect(put.Resource).toBe('arn:aws:states:::aws-sdk:cloudwatch:putMetricData');
    const final = j.verdict.metricFinalVerdict();
    expect(put.Parameters.Namespace).toBe(final.namespace);
    const [datum, ...more] = put.Parameters.MetricData;
    expect(more).toEqual([]);
    expect(datum.MetricName).toBe(final.metricName);
    expect(datum.Dimensions.map((d: any) => d.Name)).toEqual(Object.keys(final.dimensions!));
    const name = datum.Dimensions.find((d: any) => d.Name === 'InferenceExperimentName');
    expect(name.Value).toBe(asInDefinition(j.stack, final.dimensions!.InferenceExperimentName as string));
    const kind = datum.Dimensions.find((d: any) => d.Name === 'Kind');
    expect(kind['Value.$']).toBe('$.kind');
    // The kinds that the workflow writes are those that the two metrics read.
    const kinds = Object.values<any>(definition.States).filter((s) => s.ResultPath === '$.kind').map((s) => s.Result);
    expect(new Set(kinds)).toEqual(new Set([final.dimensions!.Kind, j.verdict.metricInterimVerdict().dimensions!.Kind]));
    // The search for a published final verdict reads the same metric.
    const [published] = definition.States.FindFinalVerdict.Parameters.MetricDataQueries;
    expect(published.MetricStat.Metric).toEqual({
      Namespace: final.namespace,
      MetricName: final.metricName,
      Dimensions: [{ Name: 'InferenceExperimentName', Value: name.Value }, { Name: 'Kind', Value: final.dimensions!.Kind }],
    });
  });

  test('the dashboard with a verdict shows the latest final and interim verdicts in a single-value widget', () => {
    const j = judged({ interimVerdicts: true });
    new ShadowTestDashboard(j.stack, 'Dashboard', { metrics: j.experiment.metrics, verdict: j.verdict });
    const [dashboard] = Object.values<any>(Template.fromStack(j.stack).findResources('AWS::CloudWatch::Dashboard'));
    const body = dashboard.Properties.DashboardBody;
    const text = typeof body === 'string' ? body : body['Fn::Join'][1]
      .map((part: unknown) => (typeof part === 'string' ? part : `<${JSON.stringify(part).replace(/"/g, "'")}>`)).join('');
    const widgets = JSON.parse(text).widgets;
    const verdictWidgets = widgets.filter((w: any) => w.properties?.title === 'Latest verdict');
    expect(verdictWidgets).toHaveLength(1);
    const [widget] = verdictWidgets;
    expect(widget.type).toBe('metric');
    expect(widget.properties.view).toBe('singleValue');
    const experimentName = `<${JSON.stringify(j.stack.resolve(j.experiment.inferenceExperimentName)).replace(/"/g, "'")}>`;
    const shown = widget.properties.metrics.map((m: any[]) => m.filter((part) => typeof part === 'string'));
    expect(shown).toEqual(expect.arrayContaining([
      [j.verdict.metricNamespace, 'Verdict', 'InferenceExperimentName', experimentName, 'Kind', 'Final'],
      [j.verdict.metricNamespace, 'Verdict', 'InferenceExperimentName', experimentName, 'Kind', 'Interim'],
    ]));
    expect(shown).toHaveLength(2);
  });
});

describe('the definition is valid Amazon States Language', () => {
  test.each([
    ['the defaults', () => judged()],
    ['interim verdicts, stopOnFail and an encrypted topic', () => judged({ interimVerdicts: true, stopOnFail: true }, { topic: true })],
    ['a single utilization criterion', () => judged({ criteria: [VerdictCriterion.utilization({ metric: UtilizationMetric.GPU, maxIncreasePercentagePoints: 10 })] })],
  ])('with %s', (_, make) => {
    const result = validateAsl(structuredClone(definitionOf(make().stack)));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });
});
