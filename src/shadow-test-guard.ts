import {
  Annotations, ArnFormat, aws_cloudwatch as cloudwatch, aws_events as events, aws_events_targets as targets, aws_iam as iam,
  aws_kms as kms, aws_logs as logs, aws_sns as sns, aws_stepfunctions as sfn, Fn, Names, RemovalPolicy, Stack, Token,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IInferenceExperiment } from './inference-experiment';
import { experimentArnForms } from './private/arns';
import { checkReachable, ReachRule } from './private/guard-placement';
import { checkKind, Kind, oneOf, PROPS, reference } from './private/kinds';
import { injectedProps } from './private/property-injection';
import { stopWorkflow } from './private/stop-workflow';
import { ProblemCollector } from './private/validation';
import { LOG_KEY_POLICY_NOT_UPDATED } from './private/warnings';
import { ShadowTestMetrics } from './shadow-test-metrics';

/**
 * Properties of a shadow test guard.
 */
export interface ShadowTestGuardProps {
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

  /**
   * The key that encrypts the state machine's log group. Its key policy must let CloudWatch Logs use it; the guard
   * adds that permission to a key of the app.
   *
   * The key must be in the guard's region: CloudWatch Logs uses only a key of the log group's region.
   *
   * @default - a new key with yearly rotation, used by this log group only (1 USD a month, plus 1 USD a month for
   * each of its first two rotations), removed with the log group unless `logRemovalPolicy` keeps it
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * How long the state machine's logs are kept: one of the numbers of days that CloudWatch Logs accepts (the members
   * of `logs.RetentionDays`), or `logs.RetentionDays.INFINITE` to keep them for ever.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the state machine's log group, and to the key that the guard creates for it, when the guard is
   * removed from the stack or the stack is deleted. `RemovalPolicy.RETAIN` keeps them (and their cost: the logs'
   * storage, and the key); the key goes with the logs, which cannot be read without it. A given `logEncryptionKey`
   * is not affected.
   *
   * A kept log group never stands in the way of a new deployment: the log group's name ends with the UUID of the
   * stack's ID, which is new each time the stack is created.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}

const ALARMS: Kind = {
  test: (v) => Array.isArray(v) && v.every((alarm) => typeof alarm?.alarmArn === 'string'),
  expected: 'a list of cloudwatch.IAlarm, such as experiment.metrics.createShadowErrorRateAlarm()',
};
const TOPIC = reference('topicArn', 'an sns.ITopic, such as an sns.Topic of the app or sns.Topic.fromTopicArn()', false);
const LOG_KEY = reference('keyArn', 'a kms.IKey, such as a kms.Key of the app or kms.Key.fromKeyArn()', false);
const RETENTION: Kind = { test: (v) => typeof v === 'number', expected: 'a logs.RetentionDays' };
const REMOVAL_POLICY = oneOf(Object.values(RemovalPolicy), 'a RemovalPolicy, such as RemovalPolicy.RETAIN');
const EXPERIMENT = reference('inferenceExperimentName', 'an InferenceExperiment, or an imported IInferenceExperiment');

/** The retention periods, in days, that CloudWatch Logs accepts (`RetentionInDays`). */
const ACCEPTED_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** The removal policies that CloudFormation applies to a log group and a key: neither can be snapshotted. */
const LOG_REMOVAL_POLICIES = [RemovalPolicy.DESTROY, RemovalPolicy.RETAIN, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE];

const ALARM_EVENTS: ReachRule = {
  reason: 'CloudWatch sends an alarm\'s state changes only to the default event bus of the alarm\'s own account and ' +
    'region, so the guard\'s rule would never see them',
  fix: 'Define the guard in a stack of the alarm\'s account and region, or create the alarm there',
};
const SDK_CALLS: ReachRule = {
  reason: 'its state machine calls SageMaker and SNS in its own account and region',
  fix: 'Define the guard in a stack of that account and region, or use a resource of this one',
};
const LOG_KEY_REGION: ReachRule = {
  reason: 'CloudWatch Logs encrypts a log group only with a key of the log group\'s region',
  fix: 'Use a key of this region, or leave logEncryptionKey out for a new key',
  regionOnly: true,
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
    let metrics: ShadowTestMetrics | undefined;
    if (checkKind(problems, 'props', props, PROPS)) {
      if (checkKind(problems, 'experiment', props.experiment, EXPERIMENT)) {
        metrics = variantsOf(problems, props.experiment);
        checkReachable(problems, 'experiment', props.experiment, props.experiment.inferenceExperimentArn, this, SDK_CALLS);
      }
      if (checkKind(problems, 'alarms', props.alarms, ALARMS)) {
        if (props.alarms.length === 0) {
          problems.addDescribed('alarms', 'an empty list', 'must hold at least one alarm: the guard stops the test when one of them goes into ALARM');
        }
        props.alarms.forEach((alarm, index) => checkReachable(problems, `alarms[${index}]`, alarm, alarm.alarmArn, this, ALARM_EVENTS));
      }
      if (checkKind(problems, 'notificationTopic', props.notificationTopic, TOPIC, true) && props.notificationTopic) {
        checkReachable(problems, 'notificationTopic', props.notificationTopic, props.notificationTopic.topicArn, this, SDK_CALLS);
        if (props.notificationTopic.fifo) {
          problems.addDescribed('notificationTopic', `'${props.notificationTopic.node.path}', a FIFO topic`,
            'must be a standard topic: the guard publishes each message on its own, without a message group ID');
        }
      }
      if (checkKind(problems, 'logEncryptionKey', props.logEncryptionKey, LOG_KEY, true) && props.logEncryptionKey) {
        checkReachable(problems, 'logEncryptionKey', props.logEncryptionKey, props.logEncryptionKey.keyArn, this, LOG_KEY_REGION);
      }
      if (checkKind(problems, 'logRetention', props.logRetention, RETENTION, true)) {
        checkRetention(problems, props.logRetention);
      }
      if (checkKind(problems, 'logRemovalPolicy', props.logRemovalPolicy, REMOVAL_POLICY, true) &&
        props.logRemovalPolicy !== undefined && !LOG_REMOVAL_POLICIES.includes(props.logRemovalPolicy)) {
        problems.add('logRemovalPolicy', props.logRemovalPolicy, 'must be RemovalPolicy.DESTROY, RETAIN or ' +
          'RETAIN_ON_UPDATE_OR_DELETE: CloudFormation takes no snapshot of a log group or a key');
      }
    }
    problems.throwIfAny(`ShadowTestGuard '${this.node.path}'`);
    const { experiment, alarms, notificationTopic: topic } = props;

    this.logGroup = this.encryptedLogGroup(props.logEncryptionKey, props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      props.logRemovalPolicy ?? RemovalPolicy.DESTROY);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.EXPRESS,
      comment: `Stops the shadow test ${experiment.node.path} when one of its alarms goes into ALARM`,
      definitionBody: sfn.DefinitionBody.fromChainable(stopWorkflow(this, {
        experimentName: experiment.inferenceExperimentName,
        experimentArns: experimentArnForms(experiment),
        productionVariantName: metrics!.production.variantName,
        shadowVariantName: metrics!.shadow.variantName,
        topic,
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

  /**
   * A log group named under `/aws/vendedlogs/`, as AWS advises for the logs of state machines (it keeps CloudWatch
   * Logs' resource policy small), encrypted with a key whose policy lets CloudWatch Logs use it for this guard's log
   * groups only.
   *
   * The name ends with the UUID of the stack's ID, which is new each time the stack is created: a log group kept by a
   * deleted stack then never holds the name that the next creation needs.
   */
  private encryptedLogGroup(givenKey: kms.IKey | undefined, retention: logs.RetentionDays, removalPolicy: RemovalPolicy): logs.LogGroup {
    const stack = Stack.of(this);
    // At most 23 + 400 + 1 + 36 characters, within the 512 that CloudWatch Logs accepts.
    const namePrefix = `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 400, separator: '-' })}-`;
    const logGroupName = `${namePrefix}${Fn.select(2, Fn.split('/', stack.stackId))}`;
    const key = givenKey ?? new kms.Key(this, 'LogsKey', {
      description: `Encrypts the logs of the shadow test guard ${this.node.path}`,
      enableKeyRotation: true,
      // The logs cannot be read without their key: it goes, or stays, with them.
      removalPolicy,
    });
    // The condition names the prefix rather than the whole name: a key of another stack could not refer to this
    // stack's ID without making each stack depend on the other.
    const logGroupArns = stack.formatArn({
      service: 'logs', resource: 'log-group', resourceName: `${namePrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const { statementAdded } = key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': logGroupArns } },
    }));
    if (!statementAdded) {
      Annotations.of(this).addWarningV2(LOG_KEY_POLICY_NOT_UPDATED, `logEncryptionKey '${key.node.path}' is not a key of ` +
        `the app, so its key policy cannot be changed here: let logs.${stack.region}.amazonaws.com use it for the log ` +
        `groups ${namePrefix}* (kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey*, kms:Describe*), or the ` +
        'log group cannot be created');
    }
    return new logs.LogGroup(this, 'Logs', { logGroupName, encryptionKey: key, retention, removalPolicy });
  }
}

/** Records a problem when `retention` is a number of days that CloudWatch Logs does not accept. */
function checkRetention(problems: ProblemCollector, retention: logs.RetentionDays | undefined): void {
  if (retention === undefined || Token.isUnresolved(retention) || retention === logs.RetentionDays.INFINITE ||
    ACCEPTED_RETENTION_DAYS.includes(retention)) {
    return;
  }
  problems.add('logRetention', retention, `must be a number of days that CloudWatch Logs accepts: ${ACCEPTED_RETENTION_DAYS.join(', ')} ` +
    '(the members of logs.RetentionDays), or logs.RetentionDays.INFINITE to keep the logs for ever');
}

/** The experiment's variant names, which the stop needs; undefined (with a problem) when they are not known. */
function variantsOf(problems: ProblemCollector, experiment: IInferenceExperiment): ShadowTestMetrics | undefined {
  try {
    return experiment.metrics;
  } catch {
    problems.addDescribed('experiment', `'${experiment.node.path}', whose variant names are not known`,
      'the stop names the variant to keep and the one to remove: import the experiment with ' +
      'InferenceExperiment.fromInferenceExperimentAttributes() and give its endpointName, productionVariantName and shadowVariantName');
    return undefined;
  }
}
