import { Duration, aws_sns as sns, aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CALL_TIMEOUT, PERMANENT_SAGEMAKER_ERRORS, PERMANENT_SNS_ERRORS, withRetries } from './sdk-calls';

/*
 * The steps that stop a shadow test, built from AWS SDK service integrations only: the guard's whole workflow, when an
 * alarm goes into ALARM, and the end of a verdict's, on FAIL.
 *
 * The guard runs them as an Express workflow: at most 5 minutes, and at least once, so a run may be repeated. Every
 * step is safe to repeat (a second run finds the test no longer Running), and the longest run that the retries,
 * time-outs and waits below allow stays well within the 5 minutes (the tests compute it from the definition).
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

/** Why the test is stopped, as `States.Format` strings whose `{}` the values fill, in order. */
export interface StopCause {
  /** The reason given to StopInferenceExperiment (at most 1024 characters once filled). */
  readonly reason: string;
  /** The beginning of each message to the topic, such as `The alarm {} went into ALARM at {}`. */
  readonly cause: string;
  /** The JSONPath values of the `{}` of `reason` and `cause`. */
  readonly values: string[];
  /** The subject of the messages to the topic. */
  readonly subject: string;
  /** What the ids of the states begin with: unique in the state machine. */
  readonly idPrefix: string;
}

/** The status in which a test is stopped. */
const RUNNING = 'Running';

/** The statuses of a test on its way to `Running` (or back to it, after an update): it is waited for. */
export const TRANSITIONAL_STATUSES = ['Creating', 'Starting', 'Updating'];

/** How long the workflow waits for a test in a transitional status before describing it again. */
export const TRANSITION_WAIT = Duration.seconds(30);

/** How many times the workflow waits for a test in a transitional status before it gives up. */
export const TRANSITION_CHECKS = 2;

/**
 * The workflow's first state: describe the experiment; when it is `Running`, stop it (production retained, shadow
 * removed); when it is on its way to `Running`, wait and describe it again, a bounded number of times. A stop refused
 * because the test left `Running` meanwhile (another alarm's run, or someone, stopped it first) is not a failure; a
 * test that cannot be stopped, or is still on its way after the last wait, ends the run failed. Each outcome is
 * published to the topic, if any.
 */
export function stopWorkflow(scope: Construct, target: StopWorkflowTarget, why: StopCause): sfn.IChainable {
  const id = (name: string) => `${why.idPrefix}${name}`;
  const status = sfn.JsonPath.stringAt('$.experiment.Status');
  const name = target.experimentName;
  // Without a topic, each outcome is the run's end state itself.
  const tell = (stateId: string, end: sfn.State, message: string, ...values: string[]): sfn.IChainable =>
    (target.topic ? publish(scope, stateId, target.topic, why.subject, message, values).next(end) : end);

  const describe = (stateId: string) => withRetries(new tasks.CallAwsService(scope, id(stateId), {
    service: 'sagemaker',
    action: 'describeInferenceExperiment',
    iamAction: 'sagemaker:DescribeInferenceExperiment',
    iamResources: target.experimentArns,
    parameters: { Name: name },
    resultSelector: { 'Status.$': '$.Status' },
    resultPath: '$.experiment',
    taskTimeout: sfn.Timeout.duration(CALL_TIMEOUT),
  }), PERMANENT_SAGEMAKER_ERRORS);
  const stop = withRetries(new tasks.CallAwsService(scope, id('StopExperiment'), {
    service: 'sagemaker',
    action: 'stopInferenceExperiment',
    iamAction: 'sagemaker:StopInferenceExperiment',
    iamResources: target.experimentArns,
    parameters: {
      Name: name,
      DesiredState: 'Cancelled',
      ModelVariantActions: { [target.productionVariantName]: 'Retain', [target.shadowVariantName]: 'Remove' },
      Reason: sfn.JsonPath.format(why.reason, ...why.values),
    },
    resultPath: sfn.JsonPath.DISCARD,
    taskTimeout: sfn.Timeout.duration(CALL_TIMEOUT),
  }), PERMANENT_SAGEMAKER_ERRORS);

  const stopped = tell(id('TellStopped'), new sfn.Succeed(scope, id('Stopped')),
    `${why.cause}: the shadow test ${name} was stopped (Cancelled), its production variant retained and its shadow ` +
    'variant removed.', ...why.values);
  const notRunning = tell(id('TellNotRunning'), new sfn.Succeed(scope, id('NothingToStop')),
    `${why.cause}: the shadow test ${name} is {}, not Running, so there is nothing to stop.`, ...why.values, status);
  const notStopped = tell(id('TellNotStopped'), new sfn.Fail(scope, id('NotStopped'), { error: 'ShadowTestNotStopped', causePath: '$.error.Cause' }),
    `${why.cause}, but the shadow test ${name} could not be stopped: {} {}`,
    ...why.values, sfn.JsonPath.stringAt('$.error.Error'), sfn.JsonPath.stringAt('$.error.Cause'));
  const stillInTransition = new sfn.Pass(scope, id('StillInTransition'), {
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
      : new sfn.Wait(scope, id(`WaitForTransition${index + 1}`), { time: sfn.WaitTime.duration(TRANSITION_WAIT) }).next(next);
    check.addCatch(notStopped, { resultPath: '$.error' });
    check.next(new sfn.Choice(scope, id(index === 0 ? 'IsRunning' : `IsRunningAfterWait${index}`))
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
  recheck.next(new sfn.Choice(scope, id('IsStillLive'))
    .when(sfn.Condition.or(isRunning, isTransitional), notStopped)
    .otherwise(notRunning));
  return checks[0];
}

/** A state that publishes `message` (with `{}` placeholders filled from `values`) to `topic`, with an SDK integration. */
function publish(scope: Construct, id: string, topic: sns.ITopic, subject: string, message: string, values: string[]): tasks.CallAwsService {
  return withRetries(new tasks.CallAwsService(scope, id, {
    service: 'sns',
    action: 'publish',
    iamAction: 'sns:Publish',
    iamResources: [topic.topicArn],
    parameters: {
      TopicArn: topic.topicArn,
      Subject: subject,
      Message: sfn.JsonPath.format(message, ...values),
    },
    resultPath: sfn.JsonPath.DISCARD,
    taskTimeout: sfn.Timeout.duration(CALL_TIMEOUT),
  }), PERMANENT_SNS_ERRORS);
}
