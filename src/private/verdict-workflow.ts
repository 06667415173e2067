import { Aws, Duration, aws_sns as sns, aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  CALL_TIMEOUT, PERMANENT_CLOUDWATCH_ERRORS, PERMANENT_EVENTBRIDGE_ERRORS, PERMANENT_SAGEMAKER_ERRORS, PERMANENT_SNS_ERRORS,
  withRetries,
} from './sdk-calls';
import { stopWorkflow } from './stop-workflow';
import {
  CRITERION_RESULTS, CriterionSpec, PRODUCTION_INVOCATIONS, queriesOf, resultId, returnedIds, SHADOW_INVOCATIONS,
  VerdictVariants, verdictQueries,
} from './verdict-queries';

/*
 * The workflow of a verdict, built from AWS SDK service integrations only (JSONPath, no Lambda function). Each run
 * describes the experiment; when the test has ended and its final verdict is not published yet, or, with interim
 * verdicts, while it runs, it measures the window with GetMetricData calls, judges each criterion, decides, and
 * publishes the verdict: a metric, an event on the default bus, and a message to the topic. On an interim FAIL it may
 * stop the test with the guard's steps.
 *
 * Runs are started by a schedule, at least 15 minutes apart; a final verdict waits a few minutes after the end of the
 * test, so that the last data points have arrived, and is published once: a run first looks for a final verdict
 * published since the end.
 */

/** The metric of the verdicts, in the verdict's namespace. */
export const VERDICT_METRIC = 'Verdict';

/** The values of the verdict metric. */
export const VERDICT_VALUES = { PASS: 1, INCONCLUSIVE: 0, FAIL: -1 } as const;

/** The event that a verdict puts on the default bus. */
export const VERDICT_EVENT_SOURCE = 'cdk-sagemaker-inference-experiment';
export const VERDICT_EVENT_DETAIL_TYPE = 'Shadow Test Verdict';

/** How long a final verdict waits after the end of the test, for the last data points to arrive. */
export const SETTLE_TIME = Duration.minutes(5);

/** The statuses of a test that has ended. */
const ENDED = ['Completed', 'Cancelled'];

/** What a verdict judges, and what it does with the result. */
export interface VerdictTarget {
  readonly experimentName: string;
  readonly experimentArns: string[];
  readonly variants: VerdictVariants;
  readonly criteria: readonly CriterionSpec[];
  readonly minShadowInvocations: number;
  readonly periodSeconds: number;
  readonly interim: boolean;
  readonly stopOnFail: boolean;
  readonly namespace: string;
  readonly topic?: sns.ITopic;
}

/** What to do after each outcome, while the test runs (an interim verdict) and once it has ended (the final one). */
const ADVICE = {
  Interim: {
    PASS: 'The shadow variant meets every criterion so far. To promote it now, call promoteShadow() on the experiment ' +
      'in the app and deploy; or let the test run to its end for the final verdict.',
    FAIL: 'The shadow variant fails a criterion. To end the test keeping production, call keepProduction() (or ' +
      'cancel()) on the experiment in the app and deploy, unless stopOnFail has stopped it already.',
    INCONCLUSIVE: 'The data do not decide yet: too few shadow invocations, or a criterion without data on both ' +
      'variants. Let the test run, or send the endpoint more traffic.',
  },
  Final: {
    PASS: 'The test has ended and the shadow variant met every criterion. To serve it, write the endpoint ' +
      'configuration in the app from experiment.productionVariantAfterTest after promoteShadow(), deploy, then remove ' +
      'the experiment and this verdict.',
    FAIL: 'The test has ended and the shadow variant failed a criterion: keep production, and remove the experiment ' +
      'and this verdict from the app.',
    INCONCLUSIVE: 'The test has ended without the data to decide: too few shadow invocations, or a criterion without ' +
      'data on both variants. Run a new test for longer, or with more traffic.',
  },
};

/** The first state of a verdict's workflow. */
export function verdictWorkflow(scope: Construct, target: VerdictTarget): sfn.IChainable {
  const name = target.experimentName;
  const now = '$$.State.EnteredTime';

  const describe = withRetries(new tasks.CallAwsService(scope, 'DescribeExperiment', {
    service: 'sagemaker',
    action: 'describeInferenceExperiment',
    iamAction: 'sagemaker:DescribeInferenceExperiment',
    iamResources: target.experimentArns,
    parameters: { Name: name },
    resultPath: '$.experiment',
    taskTimeout: sfn.Timeout.duration(CALL_TIMEOUT),
  }), PERMANENT_SAGEMAKER_ERRORS);
  const noExperiment = new sfn.Succeed(scope, 'NoSuchExperiment', { comment: 'The experiment does not exist (yet, or any more).' });
  describe.addCatch(noExperiment, { errors: ['SageMaker.ResourceNotFoundException'], resultPath: '$.error' });
  const nothingToJudge = new sfn.Succeed(scope, 'NothingToJudge', { comment: 'The test has not started, or is changing status.' });

  const measure = measurement(scope, target);
  const startOfWindow = (kind: 'Final' | 'Interim', next: sfn.IChainable) => new sfn.Choice(scope, `${kind}WindowStart`)
    .when(sfn.Condition.isPresent('$.experiment.Schedule.StartTime'), copy(scope, `${kind}StartFromSchedule`, '$.experiment.Schedule.StartTime', '$.window.start').next(next))
    .otherwise(copy(scope, `${kind}StartFromCreation`, '$.experiment.CreationTime', '$.window.start').next(next));
  const kind = (value: string) => new sfn.Pass(scope, `${value}Verdict`, { result: sfn.Result.fromString(value), resultPath: '$.kind' });

  // A final verdict: the window ends when the test did. A final verdict published since then is published again, so
  // that the metric always has a recent data point for dashboards and alarms, and the test is not judged twice.
  const settle = new sfn.Wait(scope, 'WaitForLastDataPoints', { time: sfn.WaitTime.duration(SETTLE_TIME) });
  const published = newestValue(scope, 'FindFinalVerdict', {
    'MetricDataQueries': [{
      Id: 'published',
      MetricStat: {
        Metric: { Namespace: target.namespace, MetricName: VERDICT_METRIC, Dimensions: verdictDimensions(name, 'Final') },
        Period: 3600,
        Stat: 'Maximum',
      },
      ReturnData: true,
    }],
    'StartTime.$': '$.window.end',
    'EndTime.$': now,
  }, '$.published');
  const republish = putVerdictMetric(scope, 'PutFinalVerdictAgain', target, '$.published.values[0]', 'Final');
  republish.next(new sfn.Succeed(scope, 'AlreadyJudged'));
  published.next(new sfn.Choice(scope, 'IsFinalVerdictPublished')
    .when(sfn.Condition.isPresent('$.published.values[0]'), republish)
    .otherwise(settle));
  settle.next(measure.first);
  const endOfTest = new sfn.Choice(scope, 'FinalWindowEnd')
    .when(sfn.Condition.isPresent('$.experiment.CompletionTime'), copy(scope, 'EndFromCompletion', '$.experiment.CompletionTime', '$.window.end').next(published))
    .when(sfn.Condition.isPresent('$.experiment.Schedule.EndTime'), copy(scope, 'EndFromSchedule', '$.experiment.Schedule.EndTime', '$.window.end').next(published))
    .otherwise(copy(scope, 'EndFromLastChange', '$.experiment.LastModifiedTime', '$.window.end').next(published));
  const final = kind('Final').next(startOfWindow('Final', endOfTest));

  // An interim verdict: the window ends now.
  const interimWindow = () => {
    const endNow = new sfn.Pass(scope, 'EndNow', { parameters: { 'value.$': now }, resultPath: '$.now' });
    endNow.next(copy(scope, 'EndFromNow', '$.now.value', '$.window.end')).next(measure.first);
    return kind('Interim').next(startOfWindow('Interim', endNow));
  };
  const interim = target.interim ? interimWindow() : nothingToJudge;

  const status = (values: string[]) => sfn.Condition.or(...values.map((value) => sfn.Condition.stringEquals('$.experiment.Status', value)));
  describe.next(new sfn.Choice(scope, 'HasTestEnded')
    .when(status(ENDED), final)
    .when(status(['Running']), interim)
    .otherwise(nothingToJudge));

  measure.last.next(publication(scope, target));
  return describe;
}

/**
 * A GetMetricData call whose one returned series' newest value (a list of one value, or of none when CloudWatch has no
 * data point) goes to `<resultPath>.values`.
 */
function newestValue(scope: Construct, id: string, parameters: Record<string, unknown>, resultPath: string): tasks.CallAwsService {
  return withRetries(new tasks.CallAwsService(scope, id, {
    service: 'cloudwatch',
    action: 'getMetricData',
    iamAction: 'cloudwatch:GetMetricData',
    // GetMetricData supports no resource-level permission.
    iamResources: ['*'],
    parameters: { ...parameters, ScanBy: 'TimestampDescending', MaxDatapoints: 1 },
    resultSelector: { 'values.$': '$.MetricDataResults[0].Values' },
    resultPath,
    taskTimeout: sfn.Timeout.duration(CALL_TIMEOUT),
  }), PERMANENT_CLOUDWATCH_ERRORS);
}

/** The path of the newest value of the returned series `id`. */
function newest(id: string): string {
  return `$.measured.${id}.values[0]`;
}

/** A Pass state that copies the value at `from` to `to`. */
function copy(scope: Construct, id: string, from: string, to: string): sfn.Pass {
  return new sfn.Pass(scope, id, { inputPath: from, resultPath: to });
}

/** The dimensions of the verdict metric. */
function verdictDimensions(experimentName: string, kind: string): { Name: string; Value: string }[] {
  return [{ Name: 'InferenceExperimentName', Value: experimentName }, { Name: 'Kind', Value: kind }];
}

/** The measurement and the judgement: from the GetMetricData calls to `$.verdict` and `$.results`. */
function measurement(scope: Construct, target: VerdictTarget): { first: sfn.IChainable; last: sfn.INextable } {
  const queries = verdictQueries(target.variants, target.criteria, target.periodSeconds);
  const calls = returnedIds(target.criteria).map((id) => newestValue(scope, `Measure_${id}`, {
    'MetricDataQueries': queriesOf(id, queries),
    'StartTime.$': '$.window.start',
    'EndTime.$': '$.window.end',
  }, `$.measured.${id}`));
  calls.slice(1).forEach((call, index) => calls[index].next(call));
  let last: sfn.INextable = calls[calls.length - 1];
  const measure = calls[0];

  // Totals without data are zero.
  for (const id of [SHADOW_INVOCATIONS, PRODUCTION_INVOCATIONS]) {
    const zero = new sfn.Pass(scope, `No${upperFirst(id)}`, { result: sfn.Result.fromArray([0]), resultPath: `$.measured.${id}.values` });
    const join = new sfn.Pass(scope, `Counted${upperFirst(id)}`);
    last.next(new sfn.Choice(scope, `Has${upperFirst(id)}`)
      .when(sfn.Condition.isPresent(`${newest(id)}`), join)
      .otherwise(zero.next(join)));
    last = join;
  }

  for (const criterion of target.criteria) {
    const judged = criterionJudgement(scope, criterion);
    last.next(judged.first);
    last = judged.last;
  }

  const results = (outcome: string) => sfn.Condition.or(...target.criteria.map((criterion) =>
    sfn.Condition.stringEquals(`$.results.${criterion.key}.result`, outcome)));
  const decided = new sfn.Pass(scope, 'Decided');
  const advise = new sfn.Choice(scope, 'Advise');
  for (const [kindName, advice] of Object.entries(ADVICE)) {
    for (const [outcomeName, text] of Object.entries(advice)) {
      advise.when(sfn.Condition.and(sfn.Condition.stringEquals('$.kind', kindName), sfn.Condition.stringEquals('$.verdict.outcome', outcomeName)),
        new sfn.Pass(scope, `Advise${kindName}${outcomeName}`, { result: sfn.Result.fromString(text), resultPath: '$.advice' }).next(decided));
    }
  }
  const outcome = (value: keyof typeof VERDICT_VALUES, stateId: string, reason: string) => new sfn.Pass(scope, stateId, {
    parameters: { outcome: value, value: VERDICT_VALUES[value], reason },
    resultPath: '$.verdict',
  }).next(advise);
  last.next(new sfn.Choice(scope, 'Decide')
    .when(sfn.Condition.numberLessThan(newest(SHADOW_INVOCATIONS), target.minShadowInvocations),
      outcome('INCONCLUSIVE', 'TooFewInvocations', `fewer shadow invocations than the ${target.minShadowInvocations} required`))
    .when(results('FAIL'), outcome('FAIL', 'CriterionFailed', 'a criterion failed'))
    .when(results('NO_DATA'), outcome('INCONCLUSIVE', 'CriterionWithoutData', 'a criterion has no period with data on both variants'))
    .otherwise(outcome('PASS', 'EveryCriterionPassed', 'every criterion passed')));
  return { first: measure, last: decided };
}

/** The states that judge one criterion from the measured values, into `$.results.<key>`. */
function criterionJudgement(scope: Construct, criterion: CriterionSpec): { first: sfn.IChainable; last: sfn.INextable } {
  const k = criterion.key;
  const at = (result: typeof CRITERION_RESULTS[number]) => newest(resultId(k, result));
  const common = {
    measures: criterion.measures,
    threshold: criterion.threshold,
    judgedEachPeriod: criterion.eachPeriod,
  };
  const judged = new sfn.Pass(scope, `Judged_${k}`);
  const result = (outcome: 'PASS' | 'FAIL') => new sfn.Pass(scope, `${k}_${outcome}`, {
    parameters: {
      'result': outcome,
      ...common,
      'value.$': at('value'),
      'judgedPeriods.$': at('judged'),
      'failedPeriods.$': at('failed'),
      'allowedFailingPeriods.$': at('allowed'),
      'summary.$': criterion.eachPeriod
        ? `States.Format('${k}: ${outcome}, mean {} (threshold ${criterion.threshold} in each period), {} of {} periods ` +
          `failed, {} allowed', ${at('value')}, ${at('failed')}, ${at('judged')}, ${at('allowed')})`
        : `States.Format('${k}: ${outcome}, {} over the window (threshold ${criterion.threshold})', ${at('value')})`,
    },
    resultPath: `$.results.${k}`,
  }).next(judged);
  const noData = new sfn.Pass(scope, `${k}_NO_DATA`, {
    parameters: { result: 'NO_DATA', ...common, summary: `${k}: NO_DATA, no period with data on both variants` },
    resultPath: `$.results.${k}`,
  }).next(judged);
  const everyValue = sfn.Condition.and(...CRITERION_RESULTS.map((r) => sfn.Condition.isPresent(at(r))));
  const choice = new sfn.Choice(scope, `Judge_${k}`)
    .when(sfn.Condition.not(everyValue), noData)
    .when(sfn.Condition.numberEquals(at('judged'), 0), noData)
    .when(sfn.Condition.numberGreaterThanJsonPath(at('failed'), at('allowed')), result('FAIL'))
    .otherwise(result('PASS'));
  return { first: choice, last: judged };
}

/** The states that publish the verdict, and stop the test on an interim FAIL when asked to. */
function publication(scope: Construct, target: VerdictTarget): sfn.IChainable {
  const name = target.experimentName;
  const report = new sfn.Pass(scope, 'Report', {
    parameters: {
      'verdict.$': '$.verdict.outcome',
      'kind.$': '$.kind',
      'reason.$': '$.verdict.reason',
      'advice.$': '$.advice',
      'inferenceExperimentName': name,
      'experimentStatus.$': '$.experiment.Status',
      'endpointName': target.variants.endpointName,
      'productionVariantName': target.variants.productionVariantName,
      'shadowVariantName': target.variants.shadowVariantName,
      'window': { 'start.$': '$.window.start', 'end.$': '$.window.end' },
      'periodSeconds': target.periodSeconds,
      'shadowInvocations.$': newest(SHADOW_INVOCATIONS),
      'productionInvocations.$': newest(PRODUCTION_INVOCATIONS),
      'minShadowInvocations': target.minShadowInvocations,
      'criteria.$': '$.results',
    },
    resultPath: '$.report',
  });

  // The metric last: a later run that finds it does not judge the test again, so it must not come before the event.
  const metric = putVerdictMetric(scope, 'PutVerdictMetric', target, '$.verdict.value', sfn.JsonPath.stringAt('$.kind'));

  const event = withRetries(new tasks.CallAwsService(scope, 'PutVerdictEvent', {
    service: 'eventbridge',
    action: 'putEvents',
    iamAction: 'events:PutEvents',
    iamResources: [Stack.of(scope).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
    parameters: {
      Entries: [{
        'Source': VERDICT_EVENT_SOURCE,
        'DetailType': VERDICT_EVENT_DETAIL_TYPE,
        'Detail.$': 'States.JsonToString($.report)',
      }],
    },
    resultSelector: { 'failed.$': '$.FailedEntryCount' },
    resultPath: '$.putEvents',
    taskTimeout: sfn.Timeout.duration(CALL_TIMEOUT),
  }), PERMANENT_EVENTBRIDGE_ERRORS);
  // PutEvents answers success with a failed entry: the run fails, visibly, rather than publishing nothing.
  const eventPut = new sfn.Choice(scope, 'WasEventPut')
    .when(sfn.Condition.numberGreaterThan('$.putEvents.failed', 0),
      new sfn.Fail(scope, 'EventNotPut', { error: 'VerdictEventNotPut', cause: 'EventBridge did not accept the verdict event.' }));

  const summaries = target.criteria.map((criterion) => `$.results.${criterion.key}.summary`);
  const message = `Shadow test ${name}: {} ({} verdict, from {} to {}), {}.\n` +
    `Shadow invocations: {} (at least ${target.minShadowInvocations} required); production invocations: {}.\n` +
    `${summaries.map(() => '{}').join('\n')}\n{}`;
  const tell = target.topic ? withRetries(new tasks.CallAwsService(scope, 'TellVerdict', {
    service: 'sns',
    action: 'publish',
    iamAction: 'sns:Publish',
    iamResources: [target.topic.topicArn],
    parameters: {
      TopicArn: target.topic.topicArn,
      Subject: 'Shadow test verdict',
      Message: sfn.JsonPath.format(message, ...[
        '$.verdict.outcome', '$.kind', '$.window.start', '$.window.end', '$.verdict.reason',
        newest(SHADOW_INVOCATIONS), newest(PRODUCTION_INVOCATIONS), ...summaries, '$.advice',
      ].map((path) => sfn.JsonPath.stringAt(path))),
    },
    resultPath: sfn.JsonPath.DISCARD,
    taskTimeout: sfn.Timeout.duration(CALL_TIMEOUT),
  }), PERMANENT_SNS_ERRORS) : undefined;

  const judged = new sfn.Succeed(scope, 'Judged');
  let end: sfn.IChainable = judged;
  if (target.stopOnFail) {
    end = new sfn.Choice(scope, 'IsInterimFail')
      .when(sfn.Condition.and(sfn.Condition.stringEquals('$.kind', 'Interim'), sfn.Condition.stringEquals('$.verdict.outcome', 'FAIL')),
        stopWorkflow(scope, {
          experimentName: name,
          experimentArns: target.experimentArns,
          productionVariantName: target.variants.productionVariantName,
          shadowVariantName: target.variants.shadowVariantName,
          topic: target.topic,
        }, {
          reason: 'Stopped automatically: the interim verdict at {} was FAIL ({}).',
          cause: 'The interim verdict at {} was FAIL ({})',
          values: [sfn.JsonPath.stringAt('$.window.end'), sfn.JsonPath.stringAt('$.verdict.reason')],
          subject: 'Shadow test verdict',
          idPrefix: 'Stop',
        }))
      .otherwise(judged);
  }
  eventPut.otherwise(tell ? tell.next(metric) : metric);
  metric.next(end);
  report.next(event).next(eventPut);
  return report;
}

/** A state that puts the verdict metric: its value at `valuePath`, for the kind `kind` (a JSONPath or a literal). */
function putVerdictMetric(scope: Construct, id: string, target: VerdictTarget, valuePath: string, kind: string): sfn.CustomState {
  const [experimentDimension, kindDimension] = verdictDimensions(target.experimentName, kind);
  return withRetries(new sfn.CustomState(scope, id, {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${Aws.PARTITION}:states:::aws-sdk:cloudwatch:putMetricData`,
      Parameters: {
        Namespace: target.namespace,
        MetricData: [{
          'MetricName': VERDICT_METRIC,
          'Dimensions': [experimentDimension, kind.startsWith('$') ? { 'Name': kindDimension.Name, 'Value.$': kind } : kindDimension],
          'Value.$': valuePath,
          'Unit': 'None',
        }],
      },
      ResultPath: null,
      TimeoutSeconds: CALL_TIMEOUT.toSeconds(),
    },
  }), PERMANENT_CLOUDWATCH_ERRORS);
}

function upperFirst(text: string): string {
  return `${text[0].toUpperCase()}${text.slice(1)}`;
}
