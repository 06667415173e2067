/*
 * The shadow test guard: the rule, the state machine's definition and decisions, and the permissions of each part.
 * The definition is validated by asl-validator and run by aws-local-stepfunctions, with the SDK calls answered locally.
 */
import { App, aws_cloudwatch as cloudwatch, aws_kms as kms, aws_sns as sns, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { StateMachine } from 'aws-local-stepfunctions';
import { InferenceExperiment, ShadowTestGuard, ShadowTestGuardProps } from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';
import { definitionOf } from './helpers/state-machines';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- asl-validator is a CommonJS function export
const validateAsl: (definition: object) => { isValid: boolean; errors: unknown[] } = require('asl-validator');

// aws-local-stepfunctions 3 times its tasks with Promise.withResolvers() (ES2024), which Node.js has from version 22
// on: on Node.js 20 the standard function is supplied here, as the specification defines it.
const promises = Promise as any;
promises.withResolvers ??= function withResolvers() {
  let resolve: unknown;
  let reject: unknown;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

/** Every status that DescribeInferenceExperiment can return (the API's InferenceExperimentStatus enum). */
const STATUSES = ['Creating', 'Created', 'Updating', 'Running', 'Starting', 'Stopping', 'Completed', 'Cancelled'];

const ALARM_EVENT = {
  'version': '0',
  'id': 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
  'detail-type': 'CloudWatch Alarm State Change',
  'source': 'aws.cloudwatch',
  'account': '123456789012',
  'time': '2026-11-20T08:14:03Z',
  'region': 'us-east-1',
  'resources': ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:shadow-error-rate'],
  'detail': {
    alarmName: 'shadow-error-rate',
    state: { value: 'ALARM', reason: 'Threshold Crossed', timestamp: '2026-11-20T08:14:03.123+0000' },
    previousState: { value: 'OK', timestamp: '2026-11-19T08:14:03.123+0000' },
  },
};

interface Guarded {
  readonly stack: Stack;
  readonly experiment: InferenceExperiment;
  readonly alarms: cloudwatch.Alarm[];
  readonly topic?: sns.Topic;
  readonly guard: ShadowTestGuard;
}

function guarded(options: { topic?: boolean; props?: Partial<ShadowTestGuardProps> } = {}): Guarded {
  const parts = new ShadowTestParts(newStack());
  const experiment = parts.experiment();
  const alarms = [
    experiment.metrics.createShadowErrorRateAlarm(parts.stack, 'ErrorRate', { maxErrorRatePercent: 1 }),
    experiment.metrics.createLatencyRegressionAlarm(parts.stack, 'Latency', { maxRegressionPercent: 10 }),
    experiment.metrics.createDiskUtilizationAlarm(parts.stack, 'Disk'),
  ];
  const topic = options.topic ? new sns.Topic(parts.stack, 'Topic', { masterKey: new kms.Key(parts.stack, 'TopicKey') }) : undefined;
  const guard = new ShadowTestGuard(parts.stack, 'Guard', { experiment, alarms, notificationTopic: topic, ...options.props });
  return { stack: parts.stack, experiment, alarms, topic, guard };
}

interface Call {
  readonly state: string;
  readonly input: any;
}

/** Runs the guard's definition on an alarm event; `answers` gives each SDK state's result, or an error to throw. */
async function run(g: Guarded, answers: Record<string, Array<object | Error>>, event: object = ALARM_EVENT) {
  const experimentRef = g.stack.getLogicalId(g.experiment.node.defaultChild as any);
  const definition = definitionOf(g.stack, { [experimentRef]: 'the-experiment' });
  const calls: Call[] = [];
  const handlers: Record<string, (input: any) => Promise<any>> = {};
  for (const state of Object.keys(definition.States).filter((s) => definition.States[s].Type === 'Task')) {
    handlers[state] = async (input: any) => {
      calls.push({ state, input });
      const answer = answers[state]?.shift() ?? {};
      if (answer instanceof Error) {
        throw answer;
      }
      return answer;
    };
  }
  const execution = new StateMachine(definition).run(event, { overrides: { taskResourceLocalHandlers: handlers } });
  try {
    return { output: await execution.result, calls, error: undefined as any };
  } catch (error) {
    return { output: undefined, calls, error: error as any };
  }
}

/** An error as an AWS SDK integration raises it: its name is the error that Catch and Retry match. */
function sdkError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('ShadowTestGuard', () => {
  test('the definition is valid Amazon States Language, with a topic and without', () => {
    for (const topic of [false, true]) {
      const definition = definitionOf(guarded({ topic }).stack);
      const result = validateAsl(structuredClone(definition));
      expect(result.errors).toEqual([]);
      expect(result.isValid).toBe(true);
    }
  });

  test('uses only AWS SDK service integrations, and no Lambda function', () => {
    const g = guarded({ topic: true });
    const definition = definitionOf(g.stack);
    const resources = Object.values<any>(definition.States).filter((s) => s.Type === 'Task').map((s) => s.Resource);
    expect(new Set(resources)).toEqual(new Set([
      'arn:aws:states:::aws-sdk:sagemaker:describeInferenceExperiment',
      'arn:aws:states:::aws-sdk:sagemaker:stopInferenceExperiment',
      'arn:aws:states:::aws-sdk:sns:publish',
    ]));
    Template.fromStack(g.stack).resourceCountIs('AWS::Lambda::Function', 0);
    Template.fromStack(g.stack).hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineType: 'EXPRESS' });
  });

  test.each(STATUSES)('a test that is %s is stopped only when Running, and the topic is told either way', async (status) => {
    const g = guarded({ topic: true });
    const { output, calls, error } = await run(g, { DescribeExperiment: [{ Status: status, Name: 'x' }] });

    expect(error).toBeUndefined();
    expect(output).toBeDefined();
    const states = calls.map((call) => call.state);
    if (status === 'Running') {
      expect(states).toEqual(['DescribeExperiment', 'StopExperiment', 'TellStopped']);
      const stop = calls[1].input;
      expect(stop).toEqual({
        Name: 'the-experiment',
        DesiredState: 'Cancelled',
        ModelVariantActions: { production: 'Retain', candidate: 'Remove' },
        Reason: 'Stopped automatically: the alarm shadow-error-rate went into ALARM at 2026-11-20T08:14:03Z.',
      });
      expect(calls[2].input.Message).toMatch(/shadow-error-rate went into ALARM at 2026-11-20T08:14:03Z: the shadow test the-experiment was stopped \(Cancelled\)/);
    } else {
      expect(states).toEqual(['DescribeExperiment', 'TellNotRunning']);
      expect(calls[1].input.Message).toContain(`the shadow test the-experiment was ${status}, not Running, so nothing was done`);
    }
    expect(calls[0].input).toEqual({ Name: 'the-experiment' });
    expect(calls[calls.length - 1].input.TopicArn).toBe('TopicBFC7AF6E');
  });

  test.each(STATUSES)('without a topic, a test that is %s is stopped only when Running', async (status) => {
    const { calls, error } = await run(guarded(), { DescribeExperiment: [{ Status: status }] });
    expect(error).toBeUndefined();
    expect(calls.map((call) => call.state)).toEqual(status === 'Running' ? ['DescribeExperiment', 'StopExperiment'] : ['DescribeExperiment']);
  });

  /** A run whose stop fails with `error`, the test then being `statusAfter`. */
  const failedStop = (error: Error, statusAfter: string) => run(guarded({ topic: true }), {
    DescribeExperiment: [{ Status: 'Running' }],
    StopExperiment: [error],
    DescribeExperimentAfterFailedStop: [{ Status: statusAfter }],
  });
  const afterFailedStop = ['DescribeExperiment', 'StopExperiment', 'DescribeExperimentAfterFailedStop'];

  test('a stop that fails because the test left Running meanwhile is not a failure', async () => {
    const { calls, error } = await failedStop(sdkError('SageMaker.ConflictException', 'The experiment is Stopping'), 'Stopping');
    expect(error).toBeUndefined();
    expect(calls.map((call) => call.state)).toEqual([...afterFailedStop, 'TellNotRunning']);
    expect(calls[3].input.Message).toContain('was Stopping, not Running, so nothing was done');
  });

  test('a stop that fails while the test still runs fails the run, and tells the topic why', async () => {
    const { calls, error } = await failedStop(sdkError('SageMaker.SageMakerException', 'Rate exceeded'), 'Running');
    expect(String(error?.message ?? error)).toMatch(/ShadowTestNotStopped|Rate exceeded/);
    expect(calls.map((call) => call.state)).toEqual([...afterFailedStop, 'TellNotStopped']);
    expect(calls[3].input.Message).toMatch(/could not be stopped: SageMaker.SageMakerException Rate exceeded/);
  });

  test('an experiment that cannot be described fails the run, and nothing is stopped', async () => {
    const { calls, error } = await run(guarded({ topic: true }), {
      DescribeExperiment: [sdkError('SageMaker.ResourceNotFoundException', 'Inference experiment not found')],
    });
    expect(error).toBeDefined();
    expect(calls.map((call) => call.state)).toEqual(['DescribeExperiment', 'TellNotStopped']);
  });

  test("the reason stays within StopInferenceExperiment's 1024 characters for the longest alarm name", async () => {
    const longest = 'a'.repeat(255);
    const event = { ...ALARM_EVENT, detail: { ...ALARM_EVENT.detail, alarmName: longest } };
    const { calls } = await run(guarded(), { DescribeExperiment: [{ Status: 'Running' }] }, event);
    const reason: string = calls[1].input.Reason;
    expect(reason).toContain(longest);
    expect(reason.length).toBeLessThanOrEqual(1024);
  });

  test('the rule matches exactly the given alarms going into ALARM, and starts only this state machine', () => {
    const g = guarded();
    const template = Template.fromStack(g.stack);
    const alarmArns = g.alarms.map((alarm) => ({ 'Fn::GetAtt': [g.stack.getLogicalId(alarm.node.defaultChild as any), 'Arn'] }));
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        'resources': alarmArns,
        'detail': { state: { value: ['ALARM'] } },
      },
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('GuardStateMachine') } })],
    });
    const machine = g.stack.getLogicalId(g.guard.stateMachine.node.defaultChild as any);
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('GuardStateMachineEventsRole') } });
    expect(Object.values(policies).map((p: any) => p.Properties.PolicyDocument.Statement)).toEqual([[
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: machine } },
    ]]);
  });

  test('the state machine may describe and stop only this experiment, publish only to the topic, and write its logs', () => {
    const g = guarded({ topic: true });
    const template = Template.fromStack(g.stack);
    const [policy] = Object.values<any>(template.findResources('AWS::IAM::Policy', {
      Properties: { PolicyName: Match.stringLikeRegexp('GuardStateMachineRoleDefaultPolicy') },
    }));
    const statements = g.stack.resolve(policy.Properties.PolicyDocument.Statement);
    const experimentArn = g.stack.resolve(g.experiment.inferenceExperimentArn);
    const byAction = (action: string) => statements.filter((s: any) => [s.Action].flat().includes(action));
    expect(byAction('sagemaker:DescribeInferenceExperiment')).toEqual([expect.objectContaining({ Resource: experimentArn })]);
    expect(byAction('sagemaker:StopInferenceExperiment')).toEqual([expect.objectContaining({ Resource: experimentArn })]);
    expect(byAction('sns:Publish')).toEqual([expect.objectContaining({ Resource: { Ref: 'TopicBFC7AF6E' } })]);
    const topicKey = g.stack.getLogicalId(g.topic!.masterKey!.node.defaultChild as any);
    expect(byAction('kms:GenerateDataKey*')).toEqual([{ Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [topicKey, 'Arn'] } }]);
    const actions = statements.flatMap((s: any) => [s.Action].flat());
    const sagemakerActions = actions.filter((a: string) => a.startsWith('sagemaker:'));
    expect(new Set(sagemakerActions)).toEqual(new Set(['sagemaker:DescribeInferenceExperiment', 'sagemaker:StopInferenceExperiment']));
    // Log delivery and X-Ray have no resource-level permissions: these are the only statements on every resource.
    const onEverything = statements.filter((s: any) => s.Resource === '*').flatMap((s: any) => [s.Action].flat());
    expect(onEverything.every((a: string) => /^(logs|xray):/.test(a))).toBe(true);
  });

  test('logs everything to a log group encrypted with a rotated key that only CloudWatch Logs may use for it', () => {
    const g = guarded();
    const template = Template.fromStack(g.stack);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      TracingConfiguration: { Enabled: true },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/TestStack-Guard'),
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('GuardLogsKey'), 'Arn'] },
      RetentionInDays: 365,
    });
    const [key] = Object.values<any>(template.findResources('AWS::KMS::Key', { Properties: { EnableKeyRotation: true } }));
    const forLogs = key.Properties.KeyPolicy.Statement.filter((s: any) => s.Principal.Service === 'logs.us-east-1.amazonaws.com');
    expect(forLogs).toEqual([{
      Effect: 'Allow',
      Principal: { Service: 'logs.us-east-1.amazonaws.com' },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Resource: '*',
      Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': expect.anything() } },
    }]);
    const logGroup = Object.values<any>(template.findResources('AWS::Logs::LogGroup'))[0].Properties.LogGroupName;
    const arn = forLogs[0].Condition.ArnEquals['kms:EncryptionContext:aws:logs:arn'];
    expect(arn).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:us-east-1:123456789012:log-group:${logGroup}`]] });
  });

  test('a log key outside the app gets a warning that its policy must let CloudWatch Logs use it', () => {
    const g = guarded({ props: { logEncryptionKey: kms.Key.fromKeyArn(newStack('Other'), 'Imported', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab') } });
    Annotations.fromStack(g.stack).hasWarning('/TestStack/Guard', Match.stringLikeRegexp('logEncryptionKey .* is not a key of the app.*logKeyPolicyNotUpdated'));
  });

  test('refuses no alarms, an alarm of another region, and an imported experiment whose variants are not known', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment();
    expect(() => new ShadowTestGuard(parts.stack, 'NoAlarms', { experiment, alarms: [] }))
      .toThrow(/alarms: got an empty list; must hold at least one alarm/);

    const elsewhere = new Stack(parts.stack.node.root as App, 'Elsewhere', { env: { account: '123456789012', region: 'eu-west-1' } });
    const remote = experiment.metrics.createDiskUtilizationAlarm(elsewhere, 'Disk');
    expect(() => new ShadowTestGuard(parts.stack, 'Remote', { experiment, alarms: [remote] }))
      .toThrow(/alarms\[0\]: got 'Elsewhere\/Disk', in account 123456789012, region eu-west-1; must be in the guard's own account 123456789012, region us-east-1: CloudWatch sends alarm state changes to the EventBridge of the alarm's own account and region/);

    const imported = InferenceExperiment.fromInferenceExperimentName(parts.stack, 'Imported', 'other-test');
    const alarm = experiment.metrics.createDiskUtilizationAlarm(parts.stack, 'Disk');
    expect(() => new ShadowTestGuard(parts.stack, 'ForImported', { experiment: imported, alarms: [alarm] }))
      .toThrow(/experiment: got 'TestStack\/Imported', whose variant names are not known; the stop names the variant to keep.*productionVariantName and shadowVariantName/);
  });

  test('reports values of the wrong kind, a FIFO topic, and a topic of another account', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment();
    const alarm = experiment.metrics.createDiskUtilizationAlarm(parts.stack, 'Disk');
    const untyped: any = { experiment: 'my-test', alarms: [alarm, 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:x'], logRetention: '365' };
    let message = '';
    try {
      new ShadowTestGuard(parts.stack, 'Untyped', untyped);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n')).toEqual([
      "ShadowTestGuard 'TestStack/Untyped' is invalid (3 problems):",
      '  - experiment: got a string ("my-test"); expects an InferenceExperiment, or an imported IInferenceExperiment',
      '  - alarms: got an array; expects a list of cloudwatch.IAlarm, such as experiment.metrics.createShadowErrorRateAlarm()',
      '  - logRetention: got a string ("365"); expects a logs.RetentionDays',
    ]);

    const fifo = new sns.Topic(parts.stack, 'Fifo', { fifo: true });
    expect(() => new ShadowTestGuard(parts.stack, 'ToFifo', { experiment, alarms: [alarm], notificationTopic: fifo }))
      .toThrow(/notificationTopic: got 'TestStack\/Fifo', a FIFO topic; must be a standard topic/);

    const elsewhere = new Stack(parts.stack.node.root as App, 'Elsewhere', { env: { account: '210987654321', region: 'us-east-1' } });
    const topic = new sns.Topic(elsewhere, 'Topic');
    expect(() => new ShadowTestGuard(parts.stack, 'Remote', { experiment, alarms: [alarm], notificationTopic: topic }))
      .toThrow(/notificationTopic: got 'Elsewhere\/Topic', in account 210987654321, region us-east-1; must be in the guard's own account 123456789012, region us-east-1: its state machine calls SageMaker and SNS in its own account and region/);
  });

  test('guards an imported experiment whose variants are known', async () => {
    const stack = newStack();
    const experiment = InferenceExperiment.fromInferenceExperimentAttributes(stack, 'Imported', {
      inferenceExperimentName: 'Other-Test', endpointName: 'ep', productionVariantName: 'blue', shadowVariantName: 'green',
    });
    const alarm = experiment.metrics.createShadowErrorRateAlarm(stack, 'ErrorRate', { maxErrorRatePercent: 1 });
    new ShadowTestGuard(stack, 'Guard', { experiment, alarms: [alarm] });
    const definition = definitionOf(stack);
    expect(definition.States.StopExperiment.Parameters).toEqual(expect.objectContaining({
      Name: 'Other-Test',
      ModelVariantActions: { blue: 'Retain', green: 'Remove' },
    }));
  });
});
