import {
  aws_cloudwatch as cloudwatch, aws_events as events, aws_events_targets as targets, aws_iam as iam, aws_logs as logs,
  aws_sns as sns, aws_stepfunctions as sfn, Duration, Token,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IInferenceExperiment } from './inference-experiment';
import { experimentArnForms } from './private/arns';
import { BOOLEAN, checkKind, instanceOf, NUMBER, PROPS, STRING } from './private/kinds';
import { injectedProps } from './private/property-injection';
import { ProblemCollector } from './private/validation';
import {
  SETTLE_TIME, VERDICT_EVENT_DETAIL_TYPE, VERDICT_EVENT_SOURCE, VERDICT_METRIC, VERDICT_VALUES, verdictWorkflow,
} from './private/verdict-workflow';
import { checkLogOptions, encryptedLogGroup } from './private/workflow-logs';
import { checkExperiment, checkTopic, ExperimentVariants } from './private/workflow-targets';
import { VerdictCriterion } from './verdict-criterion';
import { WorkflowLogOptions } from './workflow-log-options';

/**
 * Properties of a shadow test verdict.
 */
export interface ShadowTestVerdictProps extends WorkflowLogOptions {
  /**
   * The shadow test to judge: an `InferenceExperiment` of the app, or one imported with
   * `InferenceExperiment.fromInferenceExperimentAttributes()` with its `endpointName`, `productionVariantName` and
   * `shadowVariantName`, since the verdict compares the two variants' metrics.
   */
  readonly experiment: IInferenceExperiment;

  /**
   * What the shadow variant must achieve against production. Each criterion's name must be unique.
   *
   * @default - `VerdictCriterion.defaults()`: the error rate over the window at most 1 percentage point above
   * production's; the model latency at p50 at most 10% and at p99 at most 20% above production's, in each period,
   * with up to 10% of the periods allowed to fail
   */
  readonly criteria?: VerdictCriterion[];

  /**
   * The number of requests that the shadow variant must have received in the window for the verdict to be PASS or
   * FAIL; with fewer, it is INCONCLUSIVE.
   *
   * @default 1000 - enough to tell error rates 1 percentage point apart from chance when they are around 1%
   */
  readonly minShadowInvocations?: number;

  /**
   * The period of the data points that criteria judged per period compare: a whole number of 5-minute steps, from
   * 5 minutes to 1 day. CloudWatch keeps data points of 1 minute for 15 days only, and a test may last 30 days.
   *
   * @default Duration.hours(1)
   */
  readonly period?: Duration;

  /**
   * How often the verdict looks at the test: the final verdict comes at most this long (plus 5 minutes for the last
   * data points) after the test ends, and interim verdicts, if asked for, at this interval. From 15 minutes to 1 day,
   * in whole minutes.
   *
   * @default Duration.hours(1)
   */
  readonly evaluationInterval?: Duration;

  /**
   * Whether a verdict is also given at each `evaluationInterval` while the test runs, over the window so far.
   *
   * @default false - only the final verdict, once the test has ended
   */
  readonly interimVerdicts?: boolean;

  /**
   * Whether an interim verdict of FAIL ends the test at once, as the guard does: `Cancelled`, the production variant
   * retained and the shadow variant removed. Requires `interimVerdicts`. A PASS never promotes the shadow: that stays
   * a change of the app (`promoteShadow()`), so that the template keeps saying what the endpoint serves.
   *
   * @default false
   */
  readonly stopOnFail?: boolean;

  /**
   * A standard topic (not FIFO) that receives each verdict as a message a person can read, and what a stop on FAIL
   * did.
   *
   * @default - no message; the verdicts are events on the default bus and metrics
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * The CloudWatch namespace of the verdict metric. The state machine may put metrics in this namespace only.
   *
   * @default 'ShadowTestVerdicts'
   */
  readonly metricNamespace?: string;
}

/** The verdicts' default namespace. */
const DEFAULT_NAMESPACE = 'ShadowTestVerdicts';

const CRITERIA = {
  test: (v: unknown) => Array.isArray(v) && v.every((c) => VerdictCriterion.prototype.isPrototypeOf(c)),
  expected: 'a list of VerdictCriterion, such as VerdictCriterion.defaults()',
};
const DURATION = instanceOf(Duration, 'a Duration, such as Duration.hours(1)');

/**
 * Says whether the shadow variant of a shadow test is ready to be promoted: `PASS`, `FAIL` or `INCONCLUSIVE`, with
 * every measured value, each criterion's threshold and result, and the window, without a Lambda function or a
 * server.
 *
 * A scheduled rule starts a state machine every `evaluationInterval`. It describes the experiment; once the test has
 * ended (`Completed` or `Cancelled`, whether at the end of its schedule, SageMaker's default of 7 days, or early), it
 * judges the window from the test's start to its end, once; with `interimVerdicts`, it also judges the window so far
 * while the test runs. The measurements and comparisons are CloudWatch metric math over the variants' metrics,
 * read with `GetMetricData`.
 *
 * Each verdict is published as an event on the default bus (source `cdk-sagemaker-inference-experiment`,
 * detail-type `Shadow Test Verdict`), as the metric `metricFinalVerdict()` or `metricInterimVerdict()` (1 PASS,
 * 0 INCONCLUSIVE, -1 FAIL), and to `notificationTopic`. An interim FAIL may stop the test (`stopOnFail`). The
 * verdict never promotes the shadow: the event tells what to change in the app.
 *
 * @example
 * const experiment = new InferenceExperiment(this, 'ShadowTest', { endpoint, shadowMode });
 * new ShadowTestVerdict(this, 'Verdict', {
 *   experiment,
 *   criteria: [
 *     VerdictCriterion.errorRate({ maxIncreasePercentagePoints: 0.5 }),
 *     VerdictCriterion.latency({ percentile: 99, maxRegressionPercent: 15, allowedFailingPercent: 5 }),
 *   ],
 *   interimVerdicts: true,
 *   stopOnFail: true,
 * });
 */
export class ShadowTestVerdict extends Construct {
  /**
   * The id under which a property injector gives defaults to this construct's props:
   * `PropertyInjectors.of(scope).add({ constructUniqueId: ShadowTestVerdict.PROPERTY_INJECTION_ID, inject })`.
   */
  public static readonly PROPERTY_INJECTION_ID: string = 'cdk-sagemaker-inference-experiment.ShadowTestVerdict';

  /** The `source` of the verdict events on the default bus. */
  public static readonly EVENT_SOURCE: string = VERDICT_EVENT_SOURCE;

  /** The `detail-type` of the verdict events on the default bus. */
  public static readonly EVENT_DETAIL_TYPE: string = VERDICT_EVENT_DETAIL_TYPE;

  /** The value of the verdict metric for PASS. */
  public static readonly METRIC_VALUE_PASS: number = VERDICT_VALUES.PASS;

  /** The value of the verdict metric for INCONCLUSIVE. */
  public static readonly METRIC_VALUE_INCONCLUSIVE: number = VERDICT_VALUES.INCONCLUSIVE;

  /** The value of the verdict metric for FAIL. */
  public static readonly METRIC_VALUE_FAIL: number = VERDICT_VALUES.FAIL;

  /** The rule that starts the state machine every `evaluationInterval`. */
  public readonly rule: events.Rule;

  /** The state machine that judges the test; alarm on its `metricFailed()` to learn of a verdict that failed to run. */
  public readonly stateMachine: sfn.StateMachine;

  /** The log group of the state machine's runs, encrypted with `logEncryptionKey`. */
  public readonly logGroup: logs.LogGroup;

  /** The criteria judged. */
  public readonly criteria: VerdictCriterion[];

  /** The namespace of the verdict metric. */
  public readonly metricNamespace: string;

  /** How often the verdict looks at the test. */
  public readonly evaluationInterval: Duration;

  private readonly experimentName: string;

  /**
   * @param scope the scope of the verdict
   * @param id the id of the verdict, unique in `scope`
   * @param props the experiment, the criteria, when to judge, and whom to tell
   */
  constructor(scope: Construct, id: string, props: ShadowTestVerdictProps) {
    super(scope, id);
    props = injectedProps(ShadowTestVerdict.PROPERTY_INJECTION_ID, props, scope, id);
    const problems = new ProblemCollector();
    let variants: ExperimentVariants | undefined;
    if (checkKind(problems, 'props', props, PROPS)) {
      variants = checkExperiment(problems, props.experiment, this, 'verdict', 'the verdict compares the metrics of the two variants');
      checkCriteria(problems, props.criteria);
      checkTiming(problems, props);
      checkKind(problems, 'interimVerdicts', props.interimVerdicts, BOOLEAN, true);
      if (checkKind(problems, 'stopOnFail', props.stopOnFail, BOOLEAN, true) && props.stopOnFail && !props.interimVerdicts) {
        problems.add('stopOnFail', true, 'requires interimVerdicts: true, since only an interim verdict finds the test running');
      }
      if (checkKind(problems, 'minShadowInvocations', props.minShadowInvocations, NUMBER, true)) {
        problems.checkInteger('minShadowInvocations', props.minShadowInvocations, { min: 0 });
      }
      if (checkKind(problems, 'metricNamespace', props.metricNamespace, STRING, true)) {
        checkNamespace(problems, props.metricNamespace);
      }
      checkTopic(problems, props.notificationTopic, this, 'verdict');
      checkLogOptions(problems, props, this, 'verdict');
    }
    problems.throwIfAny(`ShadowTestVerdict '${this.node.path}'`);

    const { experiment, notificationTopic: topic } = props;
    const criteria = props.criteria ?? VerdictCriterion.defaults();
    this.criteria = criteria;
    this.metricNamespace = props.metricNamespace ?? DEFAULT_NAMESPACE;
    this.evaluationInterval = props.evaluationInterval ?? Duration.hours(1);
    this.experimentName = experiment.inferenceExperimentName;
    this.logGroup = encryptedLogGroup(this, props, 'shadow test verdict');
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: `Judges the shadow test ${experiment.node.path}`,
      definitionBody: sfn.DefinitionBody.fromChainable(verdictWorkflow(this, {
        experimentName: this.experimentName,
        experimentArns: experimentArnForms(experiment),
        variants: {
          endpointName: variants!.endpointName,
          productionVariantName: variants!.production.variantName,
          shadowVariantName: variants!.shadow.variantName,
        },
        criteria: criteria.map((criterion) => criterion._spec),
        minShadowInvocations: props.minShadowInvocations ?? 1000,
        periodSeconds: props.period?.toSeconds() ?? 3600,
        interim: props.interimVerdicts ?? false,
        stopOnFail: props.stopOnFail ?? false,
        namespace: this.metricNamespace,
        topic,
      })),
      // A run takes a few minutes at most: the wait for the last data points, the calls and their retries.
      timeout: Duration.minutes(30),
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    // PutMetricData supports no resource-level permission: the condition keeps the verdict to its namespace.
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': this.metricNamespace } },
    }));
    // The SDK integration's statement covers sns:Publish; an encrypted topic needs its key as well.
    topic?.masterKey?.grant(this.stateMachine, 'kms:Decrypt', 'kms:GenerateDataKey*');

    this.rule = new events.Rule(this, 'Schedule', {
      description: `Judges the shadow test ${experiment.node.path}`,
      schedule: events.Schedule.rate(this.evaluationInterval),
      targets: [new targets.SfnStateMachine(this.stateMachine)],
    });
  }

  /**
   * The final verdict of the test: 1 for PASS, 0 for INCONCLUSIVE, -1 for FAIL. Once the test has been judged, the
   * verdict puts it again at each `evaluationInterval`, so that its latest value is always recent: alarm on it to act
   * on a FAIL. Its statistic is `Minimum` over 1 day unless `props` say otherwise.
   *
   * @param props the statistic, period, label and other options
   */
  public metricFinalVerdict(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricVerdict('Final', props);
  }

  /**
   * The interim verdicts of the test, while it runs: 1 for PASS, 0 for INCONCLUSIVE, -1 for FAIL, a data point each
   * `evaluationInterval` when `interimVerdicts` is true. Its statistic is `Minimum` over 1 day unless `props` say
   * otherwise.
   *
   * @param props the statistic, period, label and other options
   */
  public metricInterimVerdict(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricVerdict('Interim', props);
  }

  private metricVerdict(kind: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricNamespace,
      metricName: VERDICT_METRIC,
      dimensionsMap: { InferenceExperimentName: this.experimentName, Kind: kind },
      statistic: 'Minimum',
      period: Duration.days(1),
      label: `${kind.toLowerCase()} verdict (1 PASS, 0 INCONCLUSIVE, -1 FAIL)`,
      ...props,
    });
  }
}

/**
 * The most criteria a verdict judges: each adds about 11 KB of states and queries to the definition, which Step
 * Functions takes up to 1 MB, and four GetMetricData calls to each run.
 */
const MAX_CRITERIA = 20;

/** Records every problem of the criteria: their kind, their number, and names that are not unique. */
function checkCriteria(problems: ProblemCollector, criteria: VerdictCriterion[] | undefined): void {
  if (!checkKind(problems, 'criteria', criteria, CRITERIA, true) || criteria === undefined) {
    return;
  }
  if (criteria.length === 0) {
    problems.addDescribed('criteria', 'an empty list', 'must hold at least one criterion, or be left out for VerdictCriterion.defaults()');
  } else if (criteria.length > MAX_CRITERIA) {
    problems.addDescribed('criteria', `${criteria.length} criteria`, `judge fewer criteria, at most ${MAX_CRITERIA}: each adds ` +
      'states to the state machine, whose definition Step Functions takes up to 1 MB, and GetMetricData calls to each run');
  }
  const seen = new Map<string, number>();
  criteria.forEach((criterion, index) => {
    const first = seen.get(criterion.name);
    if (first !== undefined) {
      problems.addDescribed(`criteria[${index}]`, `a second criterion named ${criterion.name}`,
        `judges what criteria[${first}] judges: keep one of them`);
    }
    seen.set(criterion.name, first ?? index);
  });
}

/** Records a problem when `namespace` is not one that CloudWatch accepts for PutMetricData. */
function checkNamespace(problems: ProblemCollector, namespace: string | undefined): void {
  problems.checkString('metricNamespace', namespace, { minLength: 1, maxLength: 255 });
  if (namespace === undefined || Token.isUnresolved(namespace) || namespace.length === 0) {
    return;
  }
  if (namespace.startsWith('AWS/')) {
    problems.add('metricNamespace', namespace, 'must not begin with AWS/, which AWS reserves for its own metrics');
  } else if (namespace.startsWith(':')) {
    problems.add('metricNamespace', namespace, 'must not begin with a colon, which CloudWatch refuses');
  } else if (!/^[\x20-\x7E]*$/.test(namespace)) {
    problems.add('metricNamespace', namespace, 'must hold printable ASCII characters only, as CloudWatch requires');
  }
}

/** Records every problem of the period and the interval. */
function checkTiming(problems: ProblemCollector, props: ShadowTestVerdictProps): void {
  if (checkKind(problems, 'period', props.period, DURATION, true) && props.period !== undefined) {
    const seconds = secondsOf(props.period);
    if (seconds === undefined || seconds % 300 !== 0 || seconds < 300 || seconds > 86_400) {
      problems.addDescribed('period', describeDuration(props.period), 'must be a whole number of 5-minute steps from 5 minutes ' +
        'to 1 day: CloudWatch keeps finer data points for 15 days only, and a test may last 30 days');
    }
  }
  if (checkKind(problems, 'evaluationInterval', props.evaluationInterval, DURATION, true) && props.evaluationInterval !== undefined) {
    const seconds = secondsOf(props.evaluationInterval);
    if (seconds === undefined || seconds % 60 !== 0 || seconds < 900 || seconds > 86_400) {
      problems.addDescribed('evaluationInterval', describeDuration(props.evaluationInterval), 'must be whole minutes from 15 ' +
        `minutes to 1 day: a final verdict waits ${SETTLE_TIME.toMinutes()} minutes for the last data points, and the next ` +
        'run must find it published');
    }
  }
}

/** The whole seconds of `duration`; undefined for a token or a fraction of a second. */
function secondsOf(duration: Duration): number | undefined {
  if (duration.isUnresolved()) {
    return undefined;
  }
  const millis = duration.toMilliseconds();
  return Number.isInteger(millis / 1000) ? millis / 1000 : undefined;
}

function describeDuration(duration: Duration): string {
  return duration.isUnresolved() ? 'a token' : duration.toString();
}
