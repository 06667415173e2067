import { Duration, aws_sns as sns, aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/*
 * The workflow that stops a shadow test when an alarm goes into ALARM, built from AWS SDK service integrations only.
 * It reads the CloudWatch alarm state-change event that EventBridge gives it as input.
 *
 * It runs as an Express workflow: at most 5 minutes, and at least once, so a run may be repeated. Every step is safe
 * to repeat (a second run finds the test no longer Running), and the longest run that the retries, time-outs and
 * waits below allow stays well within the 5 minutes (the tests compute it from the definition).
 */

/** What the workflow stops, and whom it tells. */
export interface StopWorkflowTarget {
  /** The name as the experiment was given it: SageMaker's API takes it in that case. */
  readonly experimentName: string;
  /** Every form that the experiment's ARN may take, for the permissions. */
  readonly experimentArns: string[];
  readonly productionVariantName: string;
  readonly shadowVariantName: string;
  readonly topic?: sns.ITopic;
}

/** The reason given to StopInferenceExperiment (at most 1024 characters): the alarm's name and the event's time. */
const STOP_REASON_FORMAT = 'Stopped automatically: the alarm {} went into ALARM at {}.';

/** The status in which a test is stopped. */
const RUNNING = 'Running';

/** The statuses of a test on its way to `Running` (or back to it, after an update): it is waited for. */
export const TRANSITIONAL_STATUSES = ['Creating', 'Starting', 'Updating'];

/** How long the workflow waits for a test in a transitional status before describing it again. */
export const TRANSITION_WAIT = Duration.seconds(30);

/** How many times the workflow waits for a test in a transitional status before it gives up. */
export const TRANSITION_CHECKS = 2;

/** How long one SDK call may take: a call that hangs is then retried, or fails the run, rather than using it up. */
const CALL_TIMEOUT = Duration.seconds(5);

/** The backoff between attempts of a call: exponential, capped, with full jitter so that parallel runs spread out. */
const BACKOFF = {
  interval: Duration.seconds(1),
  backoffRate: 2,
  maxAttempts: 3,
  maxDelay: Duration.seconds(4),
  jitterStrategy: sfn.JitterType.FULL,
};

/*
 * The errors that retrying cannot heal. Every other error is retried: throttling and internal errors surface under
 * several names (`SageMaker.ThrottlingException`, or a generic `SageMaker.SageMakerException`), and a needless retry
 * costs a few seconds of a run whose longest duration is bounded anyway, where a missed one leaves a failing test
 * running.
 */
const PERMANENT_STATE_ERRORS = ['States.Permissions', 'States.ParameterPathFailure', 'States.ResultPathMatchFailure', 'States.IntrinsicFailure'];
const PERMANENT_SAGEMAKER_ERRORS = [
  'SageMaker.ResourceNotFoundException', 'SageMaker.ValidationException', 'SageMaker.AccessDeniedException',
  // Stopping a test that is not Running: the workflow describes it again instead.
  'SageMaker.ConflictException',
  ...PERMANENT_STATE_ERRORS,
];
const PERMANENT_SNS_ERRORS = [
  'SNS.NotFoundException', 'SNS.AuthorizationErrorException', 'SNS.InvalidParameterException',
  'SNS.InvalidParameterValueException', 'SNS.InvalidSecurityException', 'SNS.KMSAccessDeniedException',
  'SNS.KMSDisabledException', 'SNS.KMSInvalidStateException', 'SNS.KMSNotFoundException', 'SNS.KMSOptInRequiredException',
  ...PERMANENT_STATE_ERRORS,
];

/**
 * Gives `task` a time-out, no retry on `permanentErrors`, and retries with backoff on any other error.
 * `States.TaskFailed` matches every error of a task except `States.Timeout`, hence both; a retrier listed first wins.
 */
function withRetries(task: tasks.CallAwsService, permanentErrors: string[]): tasks.CallAwsService {
  task.addRetry({ errors: permanentErrors, maxAttempts: 0 });
  task.addRetry({ errors: ['States.TaskFailed', 'States.Timeout'], ...BACKOFF });
  return task;
}

/**
 * The workflow's first state: describe the experiment; when it is `Running`, stop it (production retained, shadow
 * removed); when it is on its way to `Running`, wait and describe it again, a bounded number of times. A stop refused
 * because the test left `Running` meanwhile (another alarm's run, or someone, stopped it first) is not a failure; a
 * test that cannot be stopped, or is still on its way after the last wait, ends the run failed. Each outcome is
 * published to the topic, if any.
 */
export function stopWorkflow(scope: Construct, target: StopWorkflowTarget): sfn.IChainable {
  const alarm = sfn.JsonPath.stringAt('$.detail.alarmName');
  const time = sfn.JsonPath.stringAt('$.time');
  const status = sfn.JsonPath.stringAt('$.experiment.Status');
  const name = target.experimentName;
  // Without a topic, each outcome is the run's end state itself.
  const tell = (id: string, end: sfn.State, message: string, ...values: string[]): sfn.IChainable =>
    (target.topic ? publish(scope, id, target.topic, message, values).next(end) : end);

  const describe = (id: string) => withRetries(new tasks.CallAwsService(scope, id, {
    service: 'sagemaker',
    action: 'describeInferenceExperiment',
    iamAction: 'sagemaker:DescribeInferenceExperiment',
    iamResources: target.experimentArns,
    parameters: { Name: name },
    resultSelector: { 'Status.$': '$.Status' },
    resultPath: '$.experiment',
    taskTimeout: sfn.Timeout.duration(CALL_TIMEOUT),
  }), PERMANENT_SAGEMAKER_ERRORS);
  const stop = withRetries(new tasks.CallAwsService(scope, 'StopExperiment', {
    service: 'sagemaker',
    action: 'stopInferenceExperiment',
    iamAction: 'sagemaker:StopInferenceExperiment',
    iamResources: target.experimentArns,
    parameters: {
      Name: name,
      DesiredState: 'Cancelled',
      ModelVariantActions: { [target.productionVariantName]: 'Retain', [target.shadowVariantName]: 'Remove' },
      Reason: sfn.JsonPath.format(STOP_REASON_FORMAT, alarm, time),
    },
    resultPath: sfn.JsonPath.DISCARD,
    taskTimeout: sfn.Timeout.duration(CALL_TIMEOUT),
  }), PERMANENT_SAGEMAKER_ERRORS);

  const stopped = tell('TellStopped', new sfn.Succeed(scope, 'Stopped'),
    `The alarm {} went into ALARM at {}: the shadow test ${name} was stopped (Cancelled), its production variant ` +
    'retained and its shadow variant removed.', alarm, time);
  const notRunning = tell('TellNotRunning', new sfn.Succeed(scope, 'NothingToStop'),
    `The alarm {} went into ALARM at {}: the shadow test ${name} is {}, not Running, so there is nothing to stop.`,
    alarm, time, status);
  const notStopped = tell('TellNotStopped', new sfn.Fail(scope, 'NotStopped', { error: 'ShadowTestNotStopped', causePath: '$.error.Cause' }),
    `The alarm {} went into ALARM at {}, but the shadow test ${name} could not be stopped: {} {}`,
    alarm, time, sfn.JsonPath.stringAt('$.error.Error'), sfn.JsonPath.stringAt('$.error.Cause'));
  const stillInTransition = new sfn.Pass(scope, 'StillInTransition', {
    parameters: {
      Error: 'ShadowTestStillInTransition',
      Cause: sfn.JsonPath.format(`The test was still {} after ${TRANSITION_CHECKS} waits of ${TRANSITION_WAIT.toSeconds()} ` +
        'seconds. Stop it once it is Running: its alarm starts the guard again only when it goes into ALARM again.', status),
    },
    resultPath: '$.error',
  }).next(notStopped);

  const isRunning = sfn.Condition.stringEquals('$.experiment.Status', RUNNING);
  const isTransitional = sfn.Condition.or(...TRANSITIONAL_STATUSES.map((s) => sfn.Condition.stringEquals('$.experiment.Status', s)));

  // The waits are unrolled, a describe state after each: a run's length is bounded by the definition alone.
  const checks = [describe('DescribeExperiment')];
  for (let wait = 1; wait <= TRANSITION_CHECKS; wait++) {
    checks.push(describe(`DescribeExperimentAfterWait${wait}`));
  }
  checks.forEach((check, index) => {
    const next = checks[index + 1];
    const whileInTransition = next === undefined ? stillInTransition
      : new sfn.Wait(scope, `WaitForTransition${index + 1}`, { time: sfn.WaitTime.duration(TRANSITION_WAIT) }).next(next);
    check.addCatch(notStopped, { resultPath: '$.error' });
    check.next(new sfn.Choice(scope, index === 0 ? 'IsRunning' : `IsRunningAfterWait${index}`)
      .when(isRunning, stop)
      .when(isTransitional, whileInTransition)
      .otherwise(notRunning));
  });

  // A stop refused (ConflictException) is checked: a test that has left Running meanwhile needs nothing more.
  const recheck = describe('DescribeExperimentAfterFailedStop');
  recheck.addCatch(notStopped, { resultPath: '$.error' });
  stop.addCatch(recheck, { errors: ['SageMaker.ConflictException'], resultPath: '$.error' });
  stop.addCatch(notStopped, { resultPath: '$.error' });
  stop.next(stopped);
  recheck.next(new sfn.Choice(scope, 'IsStillLive')
    .when(sfn.Condition.or(isRunning, isTransitional), notStopped)
    .otherwise(notRunning));
  return checks[0];
}

/** A state that publishes `message` (with `{}` placeholders filled from `values`) to `topic`, with an SDK integration. */
function publish(scope: Construct, id: string, topic: sns.ITopic, message: string, values: string[]): tasks.CallAwsService {
  return withRetries(new tasks.CallAwsService(scope, id, {
    service: 'sns',
    action: 'publish',
    iamAction: 'sns:Publish',
    iamResources: [topic.topicArn],
    parameters: {
      TopicArn: topic.topicArn,
      Subject: 'Shadow test guard',
      Message: sfn.JsonPath.format(message, ...values),
    },
    resultPath: sfn.JsonPath.DISCARD,
    taskTimeout: sfn.Timeout.duration(CALL_TIMEOUT),
  }), PERMANENT_SNS_ERRORS);
}
