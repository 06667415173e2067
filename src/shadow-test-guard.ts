import {
  Annotations, ArnFormat, aws_cloudwatch as cloudwatch, aws_events as events, aws_events_targets as targets, aws_iam as iam,
  aws_kms as kms, aws_logs as logs, aws_sns as sns, aws_stepfunctions as sfn, Names, Stack,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { IInferenceExperiment } from './inference-experiment';
import { checkKind, Kind, PROPS, reference } from './private/kinds';
import { checkSameEnvironment, SameEnvironmentRule } from './private/placement';
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
   * Composite alarms work too. They must be in the guard's account and region.
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
   * @default - a new key with yearly rotation, used by this log group only (about 1 USD a month)
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * How long the state machine's logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

const ALARMS: Kind = {
  test: (v) => Array.isArray(v) && v.every((alarm) => typeof alarm?.alarmArn === 'string'),
  expected: 'a list of cloudwatch.IAlarm, such as experiment.metrics.createShadowErrorRateAlarm()',
};
const TOPIC = reference('topicArn', 'an sns.ITopic, such as an sns.Topic of the app or sns.Topic.fromTopicArn()', false);
const LOG_KEY = reference('keyArn', 'a kms.IKey, such as a kms.Key of the app or kms.Key.fromKeyArn()', false);
const RETENTION: Kind = { test: (v) => typeof v === 'number', expected: 'a logs.RetentionDays' };
const EXPERIMENT = reference('inferenceExperimentName', 'an InferenceExperiment, or an imported IInferenceExperiment');

const ALARM_EVENTS: SameEnvironmentRule = {
  user: 'guard',
  reason: 'CloudWatch sends alarm state changes to the EventBridge of the alarm\'s own account and region',
};
const SDK_CALLS: SameEnvironmentRule = {
  user: 'guard',
  reason: 'its state machine calls SageMaker and SNS in its own account and region',
};

/**
 * Stops a running shadow test as soon as any of the given CloudWatch alarms goes into ALARM, without a Lambda
 * function: an EventBridge rule on those alarms' state changes starts an Express state machine that describes the
 * experiment and, only when it is `Running`, stops it with `DesiredState` `Cancelled`, the production variant
 * retained and the shadow variant removed, and a reason that names the alarm and the time.
 *
 * After a stop, the experiment is `Cancelled`: CloudFormation then updates only its tags. Conclude or remove the
 * experiment in the app, and make the endpoint's configuration match what the endpoint serves (see "Stopping a failing
 * test automatically" in the README).
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
        checkSameEnvironment(problems, 'experiment', props.experiment, this, SDK_CALLS);
      }
      if (checkKind(problems, 'alarms', props.alarms, ALARMS)) {
        if (props.alarms.length === 0) {
          problems.addDescribed('alarms', 'an empty list', 'must hold at least one alarm: the guard stops the test when one of them goes into ALARM');
        }
        props.alarms.forEach((alarm, index) => checkSameEnvironment(problems, `alarms[${index}]`, alarm, this, ALARM_EVENTS));
      }
      if (checkKind(problems, 'notificationTopic', props.notificationTopic, TOPIC, true) && props.notificationTopic) {
        checkSameEnvironment(problems, 'notificationTopic', props.notificationTopic, this, SDK_CALLS);
        if (props.notificationTopic.fifo) {
          problems.addDescribed('notificationTopic', `'${props.notificationTopic.node.path}', a FIFO topic`,
            'must be a standard topic: the guard publishes each message on its own, without a message group ID');
        }
      }
      checkKind(problems, 'logEncryptionKey', props.logEncryptionKey, LOG_KEY, true);
      checkKind(problems, 'logRetention', props.logRetention, RETENTION, true);
    }
    problems.throwIfAny(`ShadowTestGuard '${this.node.path}'`);
    const { experiment, alarms, notificationTopic: topic } = props;

    this.logGroup = this.encryptedLogGroup(props.logEncryptionKey, props.logRetention ?? logs.RetentionDays.ONE_YEAR);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.EXPRESS,
      comment: `Stops the shadow test ${experiment.node.path} when one of its alarms goes into ALARM`,
      definitionBody: sfn.DefinitionBody.fromChainable(stopWorkflow(this, {
        experimentName: experiment.inferenceExperimentName,
        experimentArn: experiment.inferenceExperimentArn,
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
   * Logs' resource policy small), encrypted with a key whose policy lets CloudWatch Logs use it for this group only.
   */
  private encryptedLogGroup(givenKey: kms.IKey | undefined, retention: logs.RetentionDays): logs.LogGroup {
    const stack = Stack.of(this);
    const logGroupName = `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 400, separator: '-' })}`;
    const key = givenKey ?? new kms.Key(this, 'LogsKey', {
      description: `Encrypts the logs of the shadow test guard ${this.node.path}`,
      enableKeyRotation: true,
    });
    const { statementAdded } = key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnEquals: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }));
    if (!statementAdded) {
      Annotations.of(this).addWarningV2(LOG_KEY_POLICY_NOT_UPDATED, `logEncryptionKey '${key.node.path}' is not a key of ` +
        `the app, so its key policy cannot be changed here: let logs.${stack.region}.amazonaws.com use it for the log group ` +
        `${logGroupName} (kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey*, kms:Describe*), or the log ` +
        'group cannot be created');
    }
    return new logs.LogGroup(this, 'Logs', { logGroupName, encryptionKey: key, retention });
  }
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
