import {
  aws_cloudwatch as cloudwatch, aws_events as events, aws_events_targets as targets, aws_logs as logs, aws_sns as sns,
  aws_stepfunctions as sfn,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IInferenceExperiment } from './inference-experiment';
import { experimentArnForms } from './private/arns';
import { checkReachable, ReachRule } from './private/guard-placement';
import { checkKind, Kind, PROPS } from './private/kinds';
import { injectedProps } from './private/property-injection';
import { stopWorkflow } from './private/stop-workflow';
import { ProblemCollector } from './private/validation';
import { checkLogOptions, encryptedLogGroup } from './private/workflow-logs';
import { checkExperiment, checkTopic, ExperimentVariants } from './private/workflow-targets';
import { WorkflowLogOptions } from './workflow-log-options';

/**
 * Properties of a shadow test guard.
 */
export interface ShadowTestGuardProps extends WorkflowLogOptions {
  /**
   * The shadow test to stop: an `InferenceExperiment` of the app, or one imported with
   * `InferenceExperiment.fromInferenceExperimentAttributes()` with its `endpointName`, `productionVariantName` and
   * `shadowVariantName`, since the stop names the variant to keep and the one to remove.
   */
  readonly experiment: IInferenceExperiment;

  /**
   * The alarms that stop the test, any of them, when it goes into ALARM: for example the experiment's
   * `metrics.createShadowErrorRateAlarm()`, `createLatencyRegressionAlarm()` and `createDiskUtilizationAlarm()`.
   * Composite alarms work too, also while their actions are suppressed. They must be in the guard's account and
   * region: CloudWatch sends an alarm's state changes only to the default event bus of the alarm's own account and
   * region.
   */
  readonly alarms: cloudwatch.IAlarm[];

  /**
   * A standard topic (not FIFO) told what each run did: stopped the test, found it not running, or failed to stop it.
   *
   * @default - no notification; the runs are in the state machine's logs and metrics
   */
  readonly notificationTopic?: sns.ITopic;
}

const ALARMS: Kind = {
  test: (v) => Array.isArray(v) && v.every((alarm) => typeof alarm?.alarmArn === 'string'),
  expected: 'a list of cloudwatch.IAlarm, such as experiment.metrics.createShadowErrorRateAlarm()',
};
const ALARM_EVENTS: ReachRule = {
  reason: 'CloudWatch sends an alarm\'s state changes only to the default event bus of the alarm\'s own account and ' +
    'region, so the guard\'s rule would never see them',
  fix: 'Define the guard in a stack of the alarm\'s account and region, or create the alarm there',
};
/**
 * Stops a running shadow test as soon as any of the given CloudWatch alarms goes into ALARM, without a Lambda
 * function: an EventBridge rule on those alarms' state changes starts an Express state machine that describes the
 * experiment and, only when it is `Running`, stops it with `DesiredState` `Cancelled`, the production variant
 * retained and the shadow variant removed, and a reason that names the alarm and the time. A test that is on its way
 * to `Running` (`Creating`, `Starting`, `Updating`) is waited for, a bounded number of times; throttling and other
 * transient errors are retried with backoff. A run that cannot stop a live test fails: alarm on
 * `stateMachine.metricFailed()`.
 *
 * After a stop, the experiment is `Cancelled`: CloudFormation then updates only its tags, but a change of a
 * create-only property replaces it, which starts a new test. Cancel the experiment in the app with `cancel()`, then
 * remove it, and make the endpoint's configuration match what the endpoint serves (see "Stopping a failing test
 * automatically" in the README).
 *
 * @example
 * declare const topic: sns.ITopic;
 * const experiment = new InferenceExperiment(this, 'ShadowTest', { endpoint, shadowMode });
 * new ShadowTestGuard(this, 'Guard', {
 *   experiment,
 *   alarms: [
 *     experiment.metrics.createShadowErrorRateAlarm(this, 'ShadowErrorRate', { maxErrorRatePercent: 1 }),
 *     experiment.metrics.createLatencyRegressionAlarm(this, 'LatencyRegression', { maxRegressionPercent: 10 }),
 *     experiment.metrics.createDiskUtilizationAlarm(this, 'DiskUtilization'),
 *   ],
 *   notificationTopic: topic,
 * });
 */
export class ShadowTestGuard extends Construct {
  /**
   * The id under which a property injector gives defaults to this construct's props:
   * `PropertyInjectors.of(scope).add({ constructUniqueId: ShadowTestGuard.PROPERTY_INJECTION_ID, inject })`.
   */
  public static readonly PROPERTY_INJECTION_ID: string = 'cdk-sagemaker-inference-experiment.ShadowTestGuard';

  /** The rule that starts the state machine when an alarm goes into ALARM. */
  public readonly rule: events.Rule;

  /** The Express state machine that stops the test; alarm on its `metricFailed()` to learn of a stop that failed. */
  public readonly stateMachine: sfn.StateMachine;

  /** The log group of the state machine's runs, encrypted with `logEncryptionKey`. */
  public readonly logGroup: logs.LogGroup;

  /**
   * @param scope the scope of the guard
   * @param id the id of the guard, unique in `scope`
   * @param props the experiment, the alarms that stop it, and whom to tell
   */
  constructor(scope: Construct, id: string, props: ShadowTestGuardProps) {
    super(scope, id);
    props = injectedProps(ShadowTestGuard.PROPERTY_INJECTION_ID, props, scope, id);
    const problems = new ProblemCollector();
    let variants: ExperimentVariants | undefined;
    if (checkKind(problems, 'props', props, PROPS)) {
      variants = checkExperiment(problems, props.experiment, this, 'guard', 'the stop names the variant to keep and the one to remove');
      if (checkKind(problems, 'alarms', props.alarms, ALARMS)) {
        if (props.alarms.length === 0) {
          problems.addDescribed('alarms', 'an empty list', 'must hold at least one alarm: the guard stops the test when one of them goes into ALARM');
        }
        props.alarms.forEach((alarm, index) => checkReachable(problems, `alarms[${index}]`, alarm, alarm.alarmArn, this, ALARM_EVENTS));
      }
      checkTopic(problems, props.notificationTopic, this, 'guard');
      checkLogOptions(problems, props, this, 'guard');
    }
    problems.throwIfAny(`ShadowTestGuard '${this.node.path}'`);
    const { experiment, alarms, notificationTopic: topic } = props;

    this.logGroup = encryptedLogGroup(this, props, 'shadow test guard');
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.EXPRESS,
      comment: `Stops the shadow test ${experiment.node.path} when one of its alarms goes into ALARM`,
      definitionBody: sfn.DefinitionBody.fromChainable(stopWorkflow(this, {
        experimentName: experiment.inferenceExperimentName,
        experimentArns: experimentArnForms(experiment),
        productionVariantName: variants!.production.variantName,
        shadowVariantName: variants!.shadow.variantName,
        topic,
      }, {
        reason: 'Stopped automatically: the alarm {} went into ALARM at {}.',
        cause: 'The alarm {} went into ALARM at {}',
        values: [sfn.JsonPath.stringAt('$.detail.alarmName'), sfn.JsonPath.stringAt('$.time')],
        subject: 'Shadow test guard',
        idPrefix: '',
      })),
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    // The SDK integration's statement covers sns:Publish; an encrypted topic needs its key as well.
    topic?.masterKey?.grant(this.stateMachine, 'kms:Decrypt', 'kms:GenerateDataKey*');

    this.rule = new events.Rule(this, 'AlarmRule', {
      description: `Stops the shadow test ${experiment.node.path} when one of its alarms goes into ALARM`,
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: [...new Set(alarms.map((alarm) => alarm.alarmArn))],
        detail: { state: { value: ['ALARM'] } },
      },
      targets: [new targets.SfnStateMachine(this.stateMachine)],
    });
  }
}
