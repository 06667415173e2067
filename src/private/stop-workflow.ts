import { aws_sns as sns, aws_stepfunctions as sfn, aws_stepfunctions_tasks as tasks } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/*
 * The workflow that stops a shadow test when an alarm goes into ALARM, built from AWS SDK service integrations only.
 * It reads the CloudWatch alarm state-change event that EventBridge gives it as input.
 */

/** What the workflow stops, and whom it tells. */
export interface StopWorkflowTarget {
  readonly experimentName: string;
  readonly experimentArn: string;
  readonly productionVariantName: string;
  readonly shadowVariantName: string;
  readonly topic?: sns.ITopic;
}

/** The reason given to StopInferenceExperiment (at most 1024 characters): the alarm's name and the event's time. */
const STOP_REASON_FORMAT = 'Stopped automatically: the alarm {} went into ALARM at {}.';

/** The status in which a test is stopped; in any other, the workflow ends without acting. */
const RUNNING = 'Running';

/**
 * The workflow's first state: describe the experiment; when it is `Running`, stop it (production retained, shadow
 * removed). A stop that fails because the test left `Running` meanwhile (another alarm's run, or someone, stopped
 * it first) is not a failure; any other failure ends the run failed. Each outcome is published to the topic, if any.
 */
export function stopWorkflow(scope: Construct, target: StopWorkflowTarget): sfn.IChainable {
  const alarm = sfn.JsonPath.stringAt('$.detail.alarmName');
  const time = sfn.JsonPath.stringAt('$.time');
  const name = target.experimentName;
  // Without a topic, each outcome is the run's end state itself.
  const tell = (id: string, end: sfn.State, message: string, ...values: string[]): sfn.IChainable =>
    (target.topic ? publish(scope, id, target.topic, message, values).next(end) : end);

  const describe = (id: string) => new tasks.CallAwsService(scope, id, {
    service: 'sagemaker',
    action: 'describeInferenceExperiment',
    iamAction: 'sagemaker:DescribeInferenceExperiment',
    iamResources: [target.experimentArn],
    parameters: { Name: name },
    resultSelector: { 'Status.$': '$.Status' },
    resultPath: '$.experiment',
  });
  const stop = new tasks.CallAwsService(scope, 'StopExperiment', {
    service: 'sagemaker',
    action: 'stopInferenceExperiment',
    iamAction: 'sagemaker:StopInferenceExperiment',
    iamResources: [target.experimentArn],
    parameters: {
      Name: name,
      DesiredState: 'Cancelled',
      ModelVariantActions: { [target.productionVariantName]: 'Retain', [target.shadowVariantName]: 'Remove' },
      Reason: sfn.JsonPath.format(STOP_REASON_FORMAT, alarm, time),
    },
    resultPath: sfn.JsonPath.DISCARD,
  });

  const stopped = tell('TellStopped', new sfn.Succeed(scope, 'Stopped'),
    `The alarm {} went into ALARM at {}: the shadow test ${name} was stopped (Cancelled), its production variant ` +
    'retained and its shadow variant removed.', alarm, time);
  const notRunning = tell('TellNotRunning', new sfn.Succeed(scope, 'NothingToStop'),
    `The alarm {} went into ALARM at {}: the shadow test ${name} was {}, not Running, so nothing was done.`,
    alarm, time, sfn.JsonPath.stringAt('$.experiment.Status'));
  const notStopped = tell('TellNotStopped', new sfn.Fail(scope, 'NotStopped', { error: 'ShadowTestNotStopped', causePath: '$.error.Cause' }),
    `The alarm {} went into ALARM at {}, but the shadow test ${name} could not be stopped: {} {}`,
    alarm, time, sfn.JsonPath.stringAt('$.error.Error'), sfn.JsonPath.stringAt('$.error.Cause'));

  const isRunning = sfn.Condition.stringEquals('$.experiment.Status', RUNNING);
  const first = describe('DescribeExperiment');
  first.addCatch(notStopped, { resultPath: '$.error' });
  const recheck = describe('DescribeExperimentAfterFailedStop');
  recheck.addCatch(notStopped, { resultPath: '$.error' });
  stop.addCatch(recheck, { resultPath: '$.error' });
  recheck.next(new sfn.Choice(scope, 'IsStillRunning').when(isRunning, notStopped).otherwise(notRunning));
  return first.next(new sfn.Choice(scope, 'IsRunning').when(isRunning, stop.next(stopped)).otherwise(notRunning));
}

/** A state that publishes `message` (with `{}` placeholders filled from `values`) to `topic`, with an SDK integration. */
function publish(scope: Construct, id: string, topic: sns.ITopic, message: string, values: string[]): tasks.CallAwsService {
  return new tasks.CallAwsService(scope, id, {
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
  });
}
