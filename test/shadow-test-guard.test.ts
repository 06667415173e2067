/*
 * The shadow test guard: the rule, the state machine's definition and decisions, and the permissions of each part.
 * The definition is validated by asl-validator and run by aws-local-stepfunctions, with the SDK calls answered locally
 * and every retry delay and wait shortened to nothing.
 */
import {
  App, Aws, aws_cloudwatch as cloudwatch, aws_kms as kms, aws_logs as logs, aws_sns as sns, CfnParameter, Fn, RemovalPolicy, Stack,
} from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { InferenceExperiment, ShadowTestGuard, ShadowTestGuardProps } from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';
import { LocalRun, runLocally, sdkError } from './helpers/local-runs';
import { definitionOf } from './helpers/state-machines';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- asl-validator is a CommonJS function export
const validateAsl: (definition: object) => { isValid: boolean; errors: unknown[] } = require('asl-validator');

/** Every status that DescribeInferenceExperiment can return (the API's InferenceExperimentStatus enum). */
const STATUSES = ['Creating', 'Created', 'Updating', 'Running', 'Starting', 'Stopping', 'Completed', 'Cancelled'];
/** The statuses of a test on its way to Running: the guard waits for them. */
const TRANSITIONAL = ['Creating', 'Starting', 'Updating'];
/** The statuses of a test that is not live, and will not be without someone starting it: nothing to stop. */
const NOT_LIVE = ['Created', 'Stopping', 'Completed', 'Cancelled'];

/** The Express workflows' limit on a run's duration, in seconds. */
const EXPRESS_LIMIT_SECONDS = 300;
/** What a run may take at worst: a minute less than the limit, for state transitions and the calls' own latency. */
const WORST_CASE_BUDGET_SECONDS = EXPRESS_LIMIT_SECONDS - 60;

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

/** A composite alarm's event while its actions are suppressed: CloudWatch sends it all the same. */
const SUPPRESSED_COMPOSITE_ALARM_EVENT = {
  ...ALARM_EVENT,
  resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:shadow-test-health'],
  detail: {
    alarmName: 'shadow-test-health',
    state: {
      value: 'ALARM',
      reason: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:shadow-error-rate transitioned to ALARM',
      timestamp: '2026-11-20T08:14:03.123+0000',
      actionsSuppressedBy: 'WaitPeriod',
      actionsSuppressedReason: 'Actions suppressed by WaitPeriod',
    },
    previousState: { value: 'OK', timestamp: '2026-11-19T08:14:03.123+0000' },
    configuration: {
      alarmRule: 'ALARM("shadow-error-rate") OR ALARM("shadow-latency")',
      actionsSuppressor: 'maintenance-window',
      actionsSuppressorWaitPeriod: 120,
      actionsSuppressorExtensionPeriod: 180,
    },
  },
};

interface Guarded {
  readonly stack: Stack;
  readonly experiment: InferenceExperiment;
  readonly alarms: cloudwatch.Alarm[];
  readonly topic?: sns.Topic;
  readonly guard: ShadowTestGuard;
}

function guarded(options: { topic?: boolean; props?: Partial<ShadowTestGuardProps>; experimentName?: string } = {}): Guarded {
  const parts = new ShadowTestParts(newStack());
  const experiment = parts.experiment(options.experimentName === undefined ? {} : { inferenceExperimentName: options.experimentName });
  const alarms = [
    experiment.metrics.createShadowErrorRateAlarm(parts.stack, 'ErrorRate', { maxErrorRatePercent: 1 }),
    experiment.metrics.createLatencyRegressionAlarm(parts.stack, 'Latency', { maxRegressionPercent: 10 }),
    experiment.metrics.createDiskUtilizationAlarm(parts.stack, 'Disk'),
  ];
  const topic = options.topic ? new sns.Topic(parts.stack, 'Topic', { masterKey: new kms.Key(parts.stack, 'TopicKey') }) : undefined;
  const guard = new ShadowTestGuard(parts.stack, 'Guard', { experiment, alarms, notificationTopic: topic, ...options.props });
  return { stack: parts.stack, experiment, alarms, topic, guard };
}

/** What an SDK state answers on one call: a result, or an error to throw. */
type Answer = object | Error;

/** The answers of an SDK state: one per call, in order (then `{}`), or the same answer on every call. */
type Answers = Answer[] | { always: Answer };

/**
 * Runs the guard's definition on an alarm event, with `answers` for the SDK states, no delay before a retry and no
 * wait: a run takes milliseconds whatever its definition says.
 */
async function run(g: Guarded, answers: Record<string, Answers>, event: object = ALARM_EVENT, experimentName = 'the-experiment'): Promise<LocalRun> {
  const experimentRef = g.stack.getLogicalId(g.experiment.node.defaultChild as any);
  const definition = definitionOf(g.stack, { [experimentRef]: experimentName });
  return runLocally(definition, event, (state) => {
    const given = answers[state];
    const answer = given === undefined ? {} : Array.isArray(given) ? given.shift() ?? {} : given.always;
    if (answer instanceof Error) {
      throw answer;
    }
    return answer;
  });
}

/** `count` copies of `answer`. */
const times = (count: number, answer: Answer): Answer[] => Array.from({ length: count }, () => answer);

const THROTTLED = sdkError('SageMaker.ThrottlingException', 'Rate exceeded');

/** The longest path through a definition: its states, and the seconds that they take at worst. */
interface WorstCase {
  readonly seconds: number;
  readonly path: string[];
}

/**
 * The longest time, in seconds, that a run of `definition` can take: every attempt of every task running to its
 * `TimeoutSeconds`, every retry waiting its longest delay (jitter only shortens it), every Wait state taken, over the
 * longest path of states (every Choice branch and every Catch followed). A definition whose states can loop has no
 * such bound, and is refused, as is a task without a time-out.
 */
function worstCase(definition: any): WorstCase {
  const known = new Map<string, WorstCase>();
  const onPath = new Set<string>();
  const longestFrom = (name: string): WorstCase => {
    const done = known.get(name);
    if (done) {
      return done;
    }
    if (onPath.has(name)) {
      throw new Error(`the state ${name} can be reached again from itself: a run's duration has no bound`);
    }
    onPath.add(name);
    const state = definition.States[name];
    const next = [state.Next, state.Default, ...(state.Choices ?? []).map((c: any) => c.Next), ...(state.Catch ?? []).map((c: any) => c.Next)]
      .filter((n): n is string => n !== undefined);
    const rest = next.map(longestFrom).reduce((a, b) => (b.seconds > a.seconds ? b : a), { seconds: 0, path: [] });
    onPath.delete(name);
    const result = { seconds: worstSecondsOf(name, state) + rest.seconds, path: [name, ...rest.path] };
    known.set(name, result);
    return result;
  };
  return longestFrom(definition.StartAt);
}

/** The longest time that one state takes, its retries included. */
function worstSecondsOf(name: string, state: any): number {
  switch (state.Type) {
    case 'Task': {
      if (!(state.TimeoutSeconds > 0)) {
        throw new Error(`the task ${name} has no TimeoutSeconds: a call that hangs would use up the run`);
      }
      const retriers: any[] = state.Retry ?? [];
      // Each retrier counts its own attempts: at worst, each uses all of them.
      const attempts = 1 + retriers.reduce((sum, r) => sum + (r.MaxAttempts ?? 3), 0);
      const delays = retriers.reduce((sum, r) => {
        let total = 0;
        for (let retry = 0; retry < (r.MaxAttempts ?? 3); retry++) {
          total += Math.min((r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** retry, r.MaxDelaySeconds ?? Infinity);
        }
        return sum + total;
      }, 0);
      return attempts * state.TimeoutSeconds + delays;
    }
    case 'Wait':
      if (typeof state.Seconds !== 'number') {
        throw new Error(`the Wait state ${name} does not wait a fixed number of seconds`);
      }
      return state.Seconds;
    case 'Pass':
    case 'Choice':
    case 'Succeed':
    case 'Fail':
      return 0;
    default:
      throw new Error(`the ${state.Type} state ${name} has no known bound`);
  }
}

describe('ShadowTestGuard', () => {
  describe('the definition', () => {
    test('is valid Amazon States Language, with a topic and without', () => {
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

    test('gives every call a time-out, and retries it with capped exponential backoff and full jitter', () => {
      const definition = definitionOf(guarded({ topic: true }).stack);
      const tasks = Object.entries<any>(definition.States).filter(([, s]) => s.Type === 'Task');
      expect(tasks.map(([name]) => name).sort()).toEqual([
        'DescribeExperiment', 'DescribeExperimentAfterFailedStop', 'DescribeExperimentAfterWait1', 'DescribeExperimentAfterWait2',
        'StopExperiment', 'TellNotRunning', 'TellNotStopped', 'TellStopped',
      ]);
      for (const [name, task] of tasks) {
        expect({ name, timeout: task.TimeoutSeconds }).toEqual({ name, timeout: expect.any(Number) });
        const [permanent, transient] = task.Retry;
        expect({ name, permanent: permanent.MaxAttempts }).toEqual({ name, permanent: 0 });
        expect({ name, transient }).toEqual({
          name,
          transient: {
            ErrorEquals: ['States.TaskFailed', 'States.Timeout'],
            IntervalSeconds: 1,
            BackoffRate: 2,
            MaxAttempts: 3,
            MaxDelaySeconds: 4,
            JitterStrategy: 'FULL',
          },
        });
        expect(task.Retry).toHaveLength(2);
      }
    });

    test.each([['without a topic', false], ['with a topic', true]])('%s, a run takes at worst well under the 5 minutes of an Express workflow', (_, topic) => {
      const { seconds, path } = worstCase(definitionOf(guarded({ topic }).stack));
      expect(seconds).toBeLessThanOrEqual(WORST_CASE_BUDGET_SECONDS);
      // The README gives the figure with a topic: change it there when it changes here.
      expect(seconds).toBe(topic ? 222 : 195);
      // The longest path waits twice for a test in transition, finds it Running, and has its stop refused.
      expect(path.slice(0, 10)).toEqual([
        'DescribeExperiment', 'IsRunning', 'WaitForTransition1', 'DescribeExperimentAfterWait1', 'IsRunningAfterWait1',
        'WaitForTransition2', 'DescribeExperimentAfterWait2', 'IsRunningAfterWait2', 'StopExperiment',
        'DescribeExperimentAfterFailedStop',
      ]);
    });

    test('the worst case counts every attempt, capped delay and wait, and refuses a loop or a call without a time-out', () => {
      const task = (next: string | undefined, extra: object = {}) => ({
        Type: 'Task',
        Resource: 'arn:aws:states:::aws-sdk:sagemaker:describeInferenceExperiment',
        TimeoutSeconds: 5,
        Retry: [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3, MaxDelaySeconds: 3 }],
        ...(next === undefined ? { End: true } : { Next: next }),
        ...extra,
      });
      // 4 attempts of 5 seconds, delays of 1, 2 and 3 (capped) seconds, then a 30-second wait and one more attempt.
      expect(worstCase({
        StartAt: 'A',
        States: { A: task('W'), W: { Type: 'Wait', Seconds: 30, Next: 'B' }, B: { ...task(undefined), Retry: undefined } },
      }).seconds).toBe(4 * 5 + 1 + 2 + 3 + 30 + 5);
      expect(() => worstCase({
        StartAt: 'A',
        States: { A: task('C'), C: { Type: 'Choice', Choices: [{ Variable: '$.s', StringEquals: 'x', Next: 'A' }], Default: 'D' }, D: { Type: 'Succeed' } },
      })).toThrow(/the state A can be reached again from itself/);
      expect(() => worstCase({ StartAt: 'A', States: { A: task(undefined, { TimeoutSeconds: undefined }) } }))
        .toThrow(/the task A has no TimeoutSeconds/);
    });

    test('waits twice for a test in transition, 30 seconds each time', () => {
      const definition = definitionOf(guarded().stack);
      const waits = Object.values<any>(definition.States).filter((s) => s.Type === 'Wait');
      expect(waits).toEqual([
        { Type: 'Wait', Seconds: 30, Next: 'DescribeExperimentAfterWait1' },
        { Type: 'Wait', Seconds: 30, Next: 'DescribeExperimentAfterWait2' },
      ]);
    });
  });

  describe('a run', () => {
    test('stops a Running test, keeping the production variant, and tells the topic', async () => {
      const { states, calls, failure } = await run(guarded({ topic: true }), { DescribeExperiment: [{ Status: 'Running', Name: 'x' }] });
      expect(failure).toBeUndefined();
      expect(states).toEqual(['DescribeExperiment', 'StopExperiment', 'TellStopped']);
      expect(calls[0].input).toEqual({ Name: 'the-experiment' });
      expect(calls[1].input).toEqual({
        Name: 'the-experiment',
        DesiredState: 'Cancelled',
        ModelVariantActions: { production: 'Retain', candidate: 'Remove' },
        Reason: 'Stopped automatically: the alarm shadow-error-rate went into ALARM at 2026-11-20T08:14:03Z.',
      });
      expect(calls[2].input.Message).toBe('The alarm shadow-error-rate went into ALARM at 2026-11-20T08:14:03Z: the shadow test ' +
        'the-experiment was stopped (Cancelled), its production variant retained and its shadow variant removed.');
      expect(calls[2].input.TopicArn).toBe('TopicBFC7AF6E');
    });

    test.each(NOT_LIVE)('does nothing to a test that is %s, and tells the topic', async (status) => {
      const { states, calls, failure } = await run(guarded({ topic: true }), { DescribeExperiment: [{ Status: status }] });
      expect(failure).toBeUndefined();
      expect(states).toEqual(['DescribeExperiment', 'TellNotRunning']);
      expect(calls[1].input.Message).toContain(`the shadow test the-experiment is ${status}, not Running, so there is nothing to stop`);
    });

    test.each(STATUSES)('without a topic, a test that is %s is stopped only when Running, or once Running', async (status) => {
      const { states, failure } = await run(guarded(), { DescribeExperiment: [{ Status: status }], DescribeExperimentAfterWait1: [{ Status: 'Running' }] });
      expect(failure).toBeUndefined();
      const expected: Record<string, string[]> = {
        Running: ['DescribeExperiment', 'StopExperiment'],
        ...Object.fromEntries(TRANSITIONAL.map((s) => [s, ['DescribeExperiment', 'DescribeExperimentAfterWait1', 'StopExperiment']])),
        ...Object.fromEntries(NOT_LIVE.map((s) => [s, ['DescribeExperiment']])),
      };
      expect(states).toEqual(expected[status]);
    });

    test.each(TRANSITIONAL)('waits for a test that is %s, and stops it once Running', async (status) => {
      const { states, calls, failure } = await run(guarded({ topic: true }), {
        DescribeExperiment: [{ Status: status }],
        DescribeExperimentAfterWait1: [{ Status: 'Running' }],
      });
      expect(failure).toBeUndefined();
      expect(states).toEqual(['DescribeExperiment', 'DescribeExperimentAfterWait1', 'StopExperiment', 'TellStopped']);
      expect(calls[1].input).toEqual({ Name: 'the-experiment' });
      expect(calls[2].input.Name).toBe('the-experiment');
    });

    test.each(TRANSITIONAL)('waits twice for a test that is %s, and stops it once Running', async (status) => {
      const { states, failure } = await run(guarded({ topic: true }), {
        DescribeExperiment: [{ Status: status }],
        DescribeExperimentAfterWait1: [{ Status: status }],
        DescribeExperimentAfterWait2: [{ Status: 'Running' }],
      });
      expect(failure).toBeUndefined();
      expect(states).toEqual(['DescribeExperiment', 'DescribeExperimentAfterWait1', 'DescribeExperimentAfterWait2', 'StopExperiment', 'TellStopped']);
    });

    test.each(TRANSITIONAL)('gives up on a test that stays %s, fails, and tells the topic', async (status) => {
      const { states, calls, failure } = await run(guarded({ topic: true }), {
        DescribeExperiment: { always: { Status: status } },
        DescribeExperimentAfterWait1: { always: { Status: status } },
        DescribeExperimentAfterWait2: { always: { Status: status } },
      });
      expect(states).toEqual(['DescribeExperiment', 'DescribeExperimentAfterWait1', 'DescribeExperimentAfterWait2', 'TellNotStopped']);
      expect(failure).toEqual({ error: 'ShadowTestNotStopped', cause: expect.stringContaining(`The test was still ${status} after 2 waits of 30 seconds`) });
      expect(calls[3].input.Message).toContain(`the shadow test the-experiment could not be stopped: ShadowTestStillInTransition The test was still ${status}`);
    });

    test.each(TRANSITIONAL)('without a topic, gives up on a test that stays %s and fails', async (status) => {
      const { states, failure } = await run(guarded(), {
        DescribeExperiment: [{ Status: status }],
        DescribeExperimentAfterWait1: [{ Status: status }],
        DescribeExperimentAfterWait2: [{ Status: status }],
      });
      expect(states).toEqual(['DescribeExperiment', 'DescribeExperimentAfterWait1', 'DescribeExperimentAfterWait2']);
      expect(failure?.error).toBe('ShadowTestNotStopped');
    });

    test.each(TRANSITIONAL)('does nothing to a test that was %s and then is not live', async (status) => {
      const next = status === 'Creating' ? 'Created' : 'Cancelled';
      const { states, calls, failure } = await run(guarded({ topic: true }), {
        DescribeExperiment: [{ Status: status }],
        DescribeExperimentAfterWait1: [{ Status: next }],
      });
      expect(failure).toBeUndefined();
      expect(states).toEqual(['DescribeExperiment', 'DescribeExperimentAfterWait1', 'TellNotRunning']);
      expect(calls[2].input.Message).toContain(`is ${next}, not Running, so there is nothing to stop`);
    });

    test('a stop refused because the test left Running meanwhile is not a failure', async () => {
      const { states, calls, failure } = await run(guarded({ topic: true }), {
        DescribeExperiment: [{ Status: 'Running' }],
        StopExperiment: [sdkError('SageMaker.ConflictException', 'The experiment is Stopping')],
        DescribeExperimentAfterFailedStop: [{ Status: 'Stopping' }],
      });
      expect(failure).toBeUndefined();
      expect(states).toEqual(['DescribeExperiment', 'StopExperiment', 'DescribeExperimentAfterFailedStop', 'TellNotRunning']);
      expect(calls[3].input.Message).toContain('is Stopping, not Running, so there is nothing to stop');
    });

    test.each(['Running', 'Updating'])('a stop refused while the test is still live (%s) fails the run, and tells the topic why', async (status) => {
      const { states, calls, failure } = await run(guarded({ topic: true }), {
        DescribeExperiment: [{ Status: 'Running' }],
        StopExperiment: [sdkError('SageMaker.ConflictException', 'Cannot stop now')],
        DescribeExperimentAfterFailedStop: [{ Status: status }],
      });
      expect(failure).toEqual({ error: 'ShadowTestNotStopped', cause: 'Cannot stop now' });
      expect(states).toEqual(['DescribeExperiment', 'StopExperiment', 'DescribeExperimentAfterFailedStop', 'TellNotStopped']);
      expect(calls[3].input.Message).toMatch(/could not be stopped: SageMaker.ConflictException Cannot stop now/);
    });

    test('a stop refused, then a describe that fails, fails the run, and tells the topic the describe\'s error', async () => {
      const { states, calls, failure } = await run(guarded({ topic: true }), {
        DescribeExperiment: [{ Status: 'Running' }],
        StopExperiment: [sdkError('SageMaker.ConflictException', 'Cannot stop now')],
        DescribeExperimentAfterFailedStop: { always: sdkError('SageMaker.AccessDeniedException', 'Not authorized') },
      });
      expect(failure).toEqual({ error: 'ShadowTestNotStopped', cause: 'Not authorized' });
      expect(states).toEqual(['DescribeExperiment', 'StopExperiment', 'DescribeExperimentAfterFailedStop', 'TellNotStopped']);
      expect(calls[3].input.Message).toMatch(/could not be stopped: SageMaker.AccessDeniedException Not authorized$/);
    });

    test("the reason stays within StopInferenceExperiment's 1024 characters for the longest alarm name", async () => {
      const longest = 'a'.repeat(255);
      const event = { ...ALARM_EVENT, detail: { ...ALARM_EVENT.detail, alarmName: longest } };
      const { calls } = await run(guarded(), { DescribeExperiment: [{ Status: 'Running' }] }, event);
      const reason: string = calls[1].input.Reason;
      expect(reason).toContain(longest);
      expect(reason.length).toBeLessThanOrEqual(1024);
    });

    test('a repeated run (Express workflows run at least once) finds the test stopped and does nothing', async () => {
      const g = guarded({ topic: true });
      const first = await run(g, { DescribeExperiment: [{ Status: 'Running' }] });
      const again = await run(g, { DescribeExperiment: [{ Status: 'Stopping' }] });
      expect(first.states).toEqual(['DescribeExperiment', 'StopExperiment', 'TellStopped']);
      expect(again.states).toEqual(['DescribeExperiment', 'TellNotRunning']);
      expect(again.failure).toBeUndefined();
    });
  });

  describe('retries', () => {
    const transient = [
      'SageMaker.ThrottlingException', 'SageMaker.SageMakerException', 'SageMaker.AmazonSageMakerException',
      'SageMaker.InternalFailureException', 'States.Timeout', 'States.TaskFailed',
    ];

    test.each(transient)('the describe is retried after %s, and the test then stopped', async (error) => {
      const { states, failure } = await run(guarded({ topic: true }), {
        DescribeExperiment: [sdkError(error), sdkError(error), { Status: 'Running' }],
      });
      expect(failure).toBeUndefined();
      expect(states).toEqual(['DescribeExperiment', 'DescribeExperiment', 'DescribeExperiment', 'StopExperiment', 'TellStopped']);
    });

    test.each(transient)('the stop is retried after %s', async (error) => {
      const { states, failure } = await run(guarded({ topic: true }), {
        DescribeExperiment: [{ Status: 'Running' }],
        StopExperiment: [sdkError(error), sdkError(error), sdkError(error), {}],
      });
      expect(failure).toBeUndefined();
      expect(states).toEqual(['DescribeExperiment', ...times(4, 'StopExperiment' as any), 'TellStopped']);
    });

    test('the describes after a wait and after a refused stop are retried', async () => {
      const afterWait = await run(guarded({ topic: true }), {
        DescribeExperiment: [{ Status: 'Starting' }],
        DescribeExperimentAfterWait1: [THROTTLED, { Status: 'Running' }],
      });
      expect(afterWait.failure).toBeUndefined();
      expect(afterWait.states).toEqual(['DescribeExperiment', 'DescribeExperimentAfterWait1', 'DescribeExperimentAfterWait1', 'StopExperiment', 'TellStopped']);

      const afterStop = await run(guarded({ topic: true }), {
        DescribeExperiment: [{ Status: 'Running' }],
        StopExperiment: [sdkError('SageMaker.ConflictException')],
        DescribeExperimentAfterFailedStop: [THROTTLED, { Status: 'Cancelled' }],
      });
      expect(afterStop.failure).toBeUndefined();
      expect(afterStop.states).toEqual(['DescribeExperiment', 'StopExperiment', 'DescribeExperimentAfterFailedStop', 'DescribeExperimentAfterFailedStop', 'TellNotRunning']);
    });

    test.each(['SNS.ThrottledException', 'SNS.InternalErrorException', 'SNS.KMSThrottlingException', 'States.Timeout'])(
      'the message to the topic is retried after %s', async (error) => {
        const { states, failure } = await run(guarded({ topic: true }), {
          DescribeExperiment: [{ Status: 'Running' }],
          TellStopped: [sdkError(error), {}],
        });
        expect(failure).toBeUndefined();
        expect(states).toEqual(['DescribeExperiment', 'StopExperiment', 'TellStopped', 'TellStopped']);
      });

    test('a describe throttled on every attempt fails the run after 4 attempts, and the topic is told', async () => {
      const { states, calls, failure } = await run(guarded({ topic: true }), { DescribeExperiment: { always: THROTTLED } });
      expect(states).toEqual([...times(4, 'DescribeExperiment' as any), 'TellNotStopped']);
      expect(failure).toEqual({ error: 'ShadowTestNotStopped', cause: 'Rate exceeded' });
      expect(calls[4].input.Message).toMatch(/could not be stopped: SageMaker.ThrottlingException Rate exceeded/);
    });

    test('a stop throttled on every attempt fails the run after 4 attempts, and the topic is told', async () => {
      const { states, calls, failure } = await run(guarded({ topic: true }), {
        DescribeExperiment: [{ Status: 'Running' }],
        StopExperiment: { always: sdkError('SageMaker.SageMakerException', 'Rate exceeded') },
      });
      expect(states).toEqual(['DescribeExperiment', ...times(4, 'StopExperiment' as any), 'TellNotStopped']);
      expect(failure).toEqual({ error: 'ShadowTestNotStopped', cause: 'Rate exceeded' });
      expect(calls[5].input.Message).toMatch(/could not be stopped: SageMaker.SageMakerException Rate exceeded/);
    });

    test('a stop whose every attempt times out fails the run', async () => {
      const { states, failure } = await run(guarded(), {
        DescribeExperiment: [{ Status: 'Running' }],
        StopExperiment: { always: sdkError('States.Timeout', 'Task timed out') },
      });
      expect(states).toEqual(['DescribeExperiment', ...times(4, 'StopExperiment' as any)]);
      expect(failure?.error).toBe('ShadowTestNotStopped');
    });

    test('a message that cannot be published after 4 attempts fails the run, which metricFailed() counts', async () => {
      const { states, failure } = await run(guarded({ topic: true }), {
        DescribeExperiment: [{ Status: 'Running' }],
        TellStopped: { always: sdkError('SNS.ThrottledException') },
      });
      expect(states).toEqual(['DescribeExperiment', 'StopExperiment', ...times(4, 'TellStopped' as any)]);
      expect(failure?.error).toBe('SNS.ThrottledException');
    });

    test.each(['SageMaker.ResourceNotFoundException', 'SageMaker.ValidationException', 'SageMaker.AccessDeniedException', 'States.Permissions'])(
      'a describe that fails with %s is not retried: the run fails, nothing is stopped', async (error) => {
        const { states, failure } = await run(guarded({ topic: true }), { DescribeExperiment: { always: sdkError(error) } });
        expect(states).toEqual(['DescribeExperiment', 'TellNotStopped']);
        expect(failure?.error).toBe('ShadowTestNotStopped');
      });

    test.each(['SageMaker.ResourceNotFoundException', 'SageMaker.ValidationException', 'SageMaker.AccessDeniedException'])(
      'a stop that fails with %s is not retried: the run fails', async (error) => {
        const { states, failure } = await run(guarded({ topic: true }), {
          DescribeExperiment: [{ Status: 'Running' }],
          StopExperiment: { always: sdkError(error) },
        });
        expect(states).toEqual(['DescribeExperiment', 'StopExperiment', 'TellNotStopped']);
        expect(failure?.error).toBe('ShadowTestNotStopped');
      });

    test('a refused stop (ConflictException) is not retried but checked', async () => {
      const { states } = await run(guarded(), {
        DescribeExperiment: [{ Status: 'Running' }],
        StopExperiment: { always: sdkError('SageMaker.ConflictException') },
        DescribeExperimentAfterFailedStop: [{ Status: 'Stopping' }],
      });
      expect(states).toEqual(['DescribeExperiment', 'StopExperiment', 'DescribeExperimentAfterFailedStop']);
    });

    test.each(['SNS.NotFoundException', 'SNS.AuthorizationErrorException', 'SNS.KMSAccessDeniedException'])(
      'a message refused with %s is not retried: the run fails', async (error) => {
        const { states, failure } = await run(guarded({ topic: true }), {
          DescribeExperiment: [{ Status: 'Cancelled' }],
          TellNotRunning: { always: sdkError(error) },
        });
        expect(states).toEqual(['DescribeExperiment', 'TellNotRunning']);
        expect(failure?.error).toBe(error);
      });
  });

  describe('names and permissions', () => {
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

    /** The state machine's role's statements, resolved. */
    const statementsOf = (g: Guarded) => {
      const [policy] = Object.values<any>(Template.fromStack(g.stack).findResources('AWS::IAM::Policy', {
        Properties: { PolicyName: Match.stringLikeRegexp('GuardStateMachineRoleDefaultPolicy') },
      }));
      const statements = g.stack.resolve(policy.Properties.PolicyDocument.Statement);
      return { statements, byAction: (action: string) => statements.filter((s: any) => [s.Action].flat().includes(action)) };
    };

    test('the state machine may describe and stop only this experiment, publish only to the topic, and write its logs', () => {
      const g = guarded({ topic: true });
      const { statements, byAction } = statementsOf(g);
      const experimentArn = g.stack.resolve(g.experiment.inferenceExperimentArn);
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

    test('an experiment named with upper-case letters is called by its name as given, and permitted under both ARN forms', async () => {
      const g = guarded({ experimentName: 'Candidate-V2' });
      const experimentRef = g.stack.getLogicalId(g.experiment.node.defaultChild as any);
      const definition = definitionOf(g.stack);
      // The name is the experiment's Ref, which CloudFormation gives as the name was given: never a lower-cased copy.
      expect(g.stack.resolve(g.experiment.inferenceExperimentName)).toEqual({ Ref: experimentRef });
      expect(JSON.stringify(definition)).not.toContain('candidate-v2');
      const { calls } = await run(g, { DescribeExperiment: [{ Status: 'Running' }] }, ALARM_EVENT, 'Candidate-V2');
      expect(calls.map((call) => call.input.Name)).toEqual(['Candidate-V2', 'Candidate-V2']);

      const { byAction } = statementsOf(g);
      for (const action of ['sagemaker:DescribeInferenceExperiment', 'sagemaker:StopInferenceExperiment']) {
        const [statement] = byAction(action);
        const resources = JSON.stringify(statement.Resource);
        expect(statement.Resource).toHaveLength(2);
        expect(resources).toContain(':sagemaker:us-east-1:123456789012:inference-experiment/candidate-v2"');
        expect(resources).toContain(':sagemaker:us-east-1:123456789012:inference-experiment/Candidate-V2"');
      }
    });

    test.each([['a lower-case name', 'candidate-v2'], ['a generated name', undefined]])('an experiment with %s is permitted under one ARN', (_, experimentName) => {
      const g = guarded({ experimentName });
      const { byAction } = statementsOf(g);
      const experimentArn = g.stack.resolve(g.experiment.inferenceExperimentArn);
      expect(byAction('sagemaker:DescribeInferenceExperiment')).toEqual([expect.objectContaining({ Resource: experimentArn })]);
      expect(byAction('sagemaker:StopInferenceExperiment')).toEqual([expect.objectContaining({ Resource: experimentArn })]);
    });

    test('guards an imported experiment whose variants are known, by its name as given', async () => {
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
      expect(definition.States.DescribeExperimentAfterWait2.Parameters).toEqual({ Name: 'Other-Test' });
    });
  });

  describe('composite alarms', () => {
    test('a composite alarm starts the guard, also while its actions are suppressed', async () => {
      const parts = new ShadowTestParts(newStack());
      const experiment = parts.experiment();
      const errors = experiment.metrics.createShadowErrorRateAlarm(parts.stack, 'ErrorRate', { maxErrorRatePercent: 1 });
      const latency = experiment.metrics.createLatencyRegressionAlarm(parts.stack, 'Latency', { maxRegressionPercent: 10 });
      const composite = new cloudwatch.CompositeAlarm(parts.stack, 'Health', {
        alarmRule: cloudwatch.AlarmRule.anyOf(errors, latency),
        actionsSuppressor: new cloudwatch.Alarm(parts.stack, 'Maintenance', {
          metric: new cloudwatch.Metric({ namespace: 'Ops', metricName: 'Maintenance' }), threshold: 1, evaluationPeriods: 1,
        }),
      });
      const guard = new ShadowTestGuard(parts.stack, 'Guard', { experiment, alarms: [composite] });
      const template = Template.fromStack(parts.stack);
      const rule = template.findResources('AWS::Events::Rule');
      const pattern = Object.values<any>(rule)[0].Properties.EventPattern;
      expect(pattern.resources).toEqual([{ 'Fn::GetAtt': [parts.stack.getLogicalId(composite.node.defaultChild as any), 'Arn'] }]);
      // Nothing in the pattern looks at whether the alarm's actions are suppressed.
      expect(pattern.detail).toEqual({ state: { value: ['ALARM'] } });

      const g: Guarded = { stack: parts.stack, experiment, alarms: [], guard };
      const { states, calls, failure } = await run(g, { DescribeExperiment: [{ Status: 'Running' }] }, SUPPRESSED_COMPOSITE_ALARM_EVENT);
      expect(failure).toBeUndefined();
      expect(states).toEqual(['DescribeExperiment', 'StopExperiment']);
      expect(calls[1].input.Reason).toBe('Stopped automatically: the alarm shadow-test-health went into ALARM at 2026-11-20T08:14:03Z.');
    });

    test('an imported composite alarm of the guard\'s account and region is accepted', () => {
      const stack = newStack();
      const parts = new ShadowTestParts(stack);
      const experiment = parts.experiment();
      const arn = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:shadow-test-health';
      new ShadowTestGuard(stack, 'Guard', { experiment, alarms: [cloudwatch.CompositeAlarm.fromCompositeAlarmArn(stack, 'Health', arn)] });
      Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ resources: [arn] }) });
    });
  });

  describe('every resource must be reachable', () => {
    const setUp = () => {
      const parts = new ShadowTestParts(newStack());
      const experiment = parts.experiment();
      const alarm = experiment.metrics.createDiskUtilizationAlarm(parts.stack, 'Disk');
      const app = parts.stack.node.root as App;
      const otherRegion = new Stack(app, 'OtherRegion', { env: { account: '123456789012', region: 'eu-west-1' } });
      const otherAccount = new Stack(app, 'OtherAccount', { env: { account: '210987654321', region: 'us-east-1' } });
      return { stack: parts.stack, experiment, alarm, otherRegion, otherAccount };
    };
    const ALARM_REASON = "CloudWatch sends an alarm's state changes only to the default event bus of the alarm's own account and region";

    test('refuses no alarms, and an imported experiment whose variants are not known', () => {
      const { stack, experiment, alarm } = setUp();
      expect(() => new ShadowTestGuard(stack, 'NoAlarms', { experiment, alarms: [] }))
        .toThrow(/alarms: got an empty list; must hold at least one alarm/);
      const imported = InferenceExperiment.fromInferenceExperimentName(stack, 'Imported', 'other-test');
      expect(() => new ShadowTestGuard(stack, 'ForImported', { experiment: imported, alarms: [alarm] }))
        .toThrow(/experiment: got 'TestStack\/Imported', whose variant names are not known; the stop names the variant to keep.*productionVariantName and shadowVariantName/);
    });

    test('refuses an alarm of a stack of another region or account, with the reason', () => {
      const { stack, experiment, otherRegion, otherAccount } = setUp();
      const remote = experiment.metrics.createDiskUtilizationAlarm(otherRegion, 'Disk');
      expect(() => new ShadowTestGuard(stack, 'Remote', { experiment, alarms: [remote] })).toThrow(
        "alarms[0]: got 'OtherRegion/Disk', in account 123456789012, region eu-west-1; must be in the guard's own account 123456789012, " +
        `region us-east-1: ${ALARM_REASON}, so the guard's rule would never see them. Define the guard in a stack of the alarm's ` +
        'account and region, or create the alarm there');
      const foreign = experiment.metrics.createDiskUtilizationAlarm(otherAccount, 'Disk');
      expect(() => new ShadowTestGuard(stack, 'Foreign', { experiment, alarms: [foreign] }))
        .toThrow(/alarms\[0\]: got 'OtherAccount\/Disk', in account 210987654321, region us-east-1; must be in the guard's own account/);
    });

    test.each([
      ['fromAlarmArn, another region', (s: Stack) => cloudwatch.Alarm.fromAlarmArn(s, 'Imported', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:errors'), 'region eu-west-1'],
      ['fromAlarmArn, another account', (s: Stack) => cloudwatch.Alarm.fromAlarmArn(s, 'Imported', 'arn:aws:cloudwatch:us-east-1:210987654321:alarm:errors'), 'account 210987654321'],
      ['fromAlarmArn, a partition token', (s: Stack) => cloudwatch.Alarm.fromAlarmArn(s, 'Imported', `arn:${Aws.PARTITION}:cloudwatch:eu-west-1:123456789012:alarm:errors`), 'region eu-west-1'],
      ['fromCompositeAlarmArn, another region', (s: Stack) => cloudwatch.CompositeAlarm.fromCompositeAlarmArn(s, 'Imported', 'arn:aws:cloudwatch:eu-central-1:123456789012:alarm:health'), 'region eu-central-1'],
      ['fromAlarmName in a stack of another region', (_: Stack, other: Stack) => cloudwatch.Alarm.fromAlarmName(other, 'Imported', 'errors'), 'region eu-west-1'],
    ])('refuses an imported alarm (%s)', (_, importAlarm, where) => {
      const { stack, experiment, otherRegion } = setUp();
      const alarm = importAlarm(stack, otherRegion);
      expect(() => new ShadowTestGuard(stack, 'Guard', { experiment, alarms: [alarm] }))
        .toThrow(new RegExp(`alarms\\[0\\]: got '[^']+'.*, in [^;]*${where}[^;]*; must be in the guard's own account 123456789012, region us-east-1: ${ALARM_REASON}`));
    });

    test('accepts an alarm imported by ARN or name in the guard\'s account and region, and reports every problem at once', () => {
      const { stack, experiment, otherRegion } = setUp();
      const here = [
        cloudwatch.Alarm.fromAlarmArn(stack, 'ByArn', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:errors'),
        cloudwatch.Alarm.fromAlarmName(stack, 'ByName', 'latency'),
        cloudwatch.Alarm.fromAlarmArn(stack, 'ByToken', Fn.importValue('AlarmArn')),
      ];
      expect(() => new ShadowTestGuard(stack, 'Guard', { experiment, alarms: here })).not.toThrow();
      const there = cloudwatch.Alarm.fromAlarmArn(stack, 'There', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:errors');
      const topic = sns.Topic.fromTopicArn(otherRegion, 'Topic', 'arn:aws:sns:eu-west-1:123456789012:alerts');
      expect(() => new ShadowTestGuard(stack, 'Mixed', { experiment, alarms: [...here, there], notificationTopic: topic }))
        .toThrow(/\(2 problems\):\n {2}- alarms\[3\]: got 'TestStack\/There'.*\n {2}- notificationTopic: got/);
    });

    test.each([
      ['another region', 'arn:aws:sns:eu-west-1:123456789012:alerts', 'account 123456789012, region eu-west-1'],
      ['another account', 'arn:aws:sns:us-east-1:210987654321:alerts', 'account 210987654321, region us-east-1'],
    ])('refuses a topic imported by ARN of %s', (_, arn, where) => {
      const { stack, experiment, alarm } = setUp();
      const topic = sns.Topic.fromTopicArn(stack, 'Topic', arn);
      expect(() => new ShadowTestGuard(stack, 'Guard', { experiment, alarms: [alarm], notificationTopic: topic })).toThrow(
        `notificationTopic: got 'TestStack/Topic' (${arn}), in ${where}; must be in the guard's own account 123456789012, region ` +
        'us-east-1: its state machine calls SageMaker and SNS in its own account and region');
    });

    test('refuses a topic of a stack of another account', () => {
      const { stack, experiment, alarm, otherAccount } = setUp();
      const topic = new sns.Topic(otherAccount, 'Topic');
      expect(() => new ShadowTestGuard(stack, 'Remote', { experiment, alarms: [alarm], notificationTopic: topic }))
        .toThrow(/notificationTopic: got 'OtherAccount\/Topic', in account 210987654321, region us-east-1; must be in the guard's own account 123456789012, region us-east-1: its state machine calls SageMaker and SNS in its own account and region/);
    });

    test.each([
      ['another region', 'arn:aws:sagemaker:eu-west-1:123456789012:inference-experiment/other-test', 'region eu-west-1'],
      ['another account', 'arn:aws:sagemaker:us-east-1:210987654321:inference-experiment/other-test', 'account 210987654321'],
    ])('refuses an experiment imported by ARN of %s', (_, inferenceExperimentArn, where) => {
      const { stack, alarm } = setUp();
      const experiment = InferenceExperiment.fromInferenceExperimentAttributes(stack, 'Imported', {
        inferenceExperimentArn, endpointName: 'ep', productionVariantName: 'blue', shadowVariantName: 'green',
      });
      expect(() => new ShadowTestGuard(stack, 'Guard', { experiment, alarms: [alarm] }))
        .toThrow(new RegExp(`experiment: got 'TestStack/Imported' \\(${inferenceExperimentArn}\\), in [^;]*${where}[^;]*; must be in the guard's own account`));
    });

    test('reports values of the wrong kind, and a FIFO topic', () => {
      const { stack, experiment, alarm } = setUp();
      const untyped: any = {
        experiment: 'my-test', alarms: [alarm, 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:x'], logRetention: '365', logRemovalPolicy: 'keep',
      };
      let message = '';
      try {
        new ShadowTestGuard(stack, 'Untyped', untyped);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message.split('\n')).toEqual([
        "ShadowTestGuard 'TestStack/Untyped' is invalid (4 problems):",
        '  - experiment: got a string ("my-test"); expects an InferenceExperiment, or an imported IInferenceExperiment',
        '  - alarms: got an array; expects a list of cloudwatch.IAlarm, such as experiment.metrics.createShadowErrorRateAlarm()',
        '  - logRetention: got a string ("365"); expects a logs.RetentionDays',
        '  - logRemovalPolicy: got a string ("keep"); expects a RemovalPolicy, such as RemovalPolicy.RETAIN',
      ]);

      const fifo = new sns.Topic(stack, 'Fifo', { fifo: true });
      expect(() => new ShadowTestGuard(stack, 'ToFifo', { experiment, alarms: [alarm], notificationTopic: fifo }))
        .toThrow(/notificationTopic: got 'TestStack\/Fifo', a FIFO topic; must be a standard topic/);
    });
  });

  describe('log settings', () => {
    const ACCEPTED = '1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653';

    test.each([2, 0, -1, 366, 1.5, 10000])('refuses a logRetention of %s days, which CloudWatch Logs does not accept', (days) => {
      expect(() => guarded({ props: { logRetention: days as logs.RetentionDays } })).toThrow(
        `logRetention: got ${days}; must be a number of days that CloudWatch Logs accepts: ${ACCEPTED} (the members of ` +
        'logs.RetentionDays), or logs.RetentionDays.INFINITE to keep the logs for ever');
    });

    test('accepts every logs.RetentionDays, INFINITE as no retention, and a token', () => {
      const members = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number');
      expect(members.length).toBeGreaterThan(20);
      for (const days of members) {
        const template = Template.fromStack(guarded({ props: { logRetention: days } }).stack);
        template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: days === logs.RetentionDays.INFINITE ? Match.absent() : days });
      }
      const parts = new ShadowTestParts(newStack());
      const experiment = parts.experiment();
      const days = new CfnParameter(parts.stack, 'Days', { type: 'Number' }).valueAsNumber;
      new ShadowTestGuard(parts.stack, 'Guard', { experiment, alarms: [experiment.metrics.createDiskUtilizationAlarm(parts.stack, 'Disk')], logRetention: days });
      Template.fromStack(parts.stack).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: { Ref: 'Days' } });
    });

    test('refuses a logEncryptionKey of a stack of another region', () => {
      const parts = new ShadowTestParts(newStack());
      const other = new Stack(parts.stack.node.root as App, 'OtherRegion', { env: { account: '123456789012', region: 'eu-west-1' } });
      const key = new kms.Key(other, 'Key');
      const experiment = parts.experiment();
      expect(() => new ShadowTestGuard(parts.stack, 'Guard', { experiment, alarms: [experiment.metrics.createDiskUtilizationAlarm(parts.stack, 'Disk')], logEncryptionKey: key }))
        .toThrow("logEncryptionKey: got 'OtherRegion/Key', in region eu-west-1; must be in the guard's own region us-east-1: CloudWatch " +
          "Logs encrypts a log group only with a key of the log group's region. Use a key of this region, or leave logEncryptionKey out for a new key");
    });

    test('refuses a logEncryptionKey imported by an ARN of another region, and accepts one of another account', () => {
      const otherRegion = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      expect(() => guarded({ props: { logEncryptionKey: kms.Key.fromKeyArn(newStack('Other'), 'Imported', otherRegion) } }))
        .toThrow(`logEncryptionKey: got 'Other/Imported' (${otherRegion}), in region eu-west-1; must be in the guard's own region us-east-1`);
      const otherAccount = 'arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      const g = guarded({ props: { logEncryptionKey: kms.Key.fromKeyArn(newStack('Other'), 'Imported', otherAccount) } });
      Template.fromStack(g.stack).hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: otherAccount });
    });

    test('accepts a logEncryptionKey whose ARN is a token, and a key of another stack of the same environment', () => {
      const byToken = guarded({ props: { logEncryptionKey: kms.Key.fromKeyArn(newStack('Other'), 'Imported', Fn.importValue('LogsKeyArn')) } });
      Template.fromStack(byToken.stack).hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::ImportValue': 'LogsKeyArn' } });

      const parts = new ShadowTestParts(newStack());
      const keys = new Stack(parts.stack.node.root as App, 'Keys', { env: { account: '123456789012', region: 'us-east-1' } });
      const key = new kms.Key(keys, 'LogsKey');
      const experiment = parts.experiment();
      new ShadowTestGuard(parts.stack, 'Guard', { experiment, alarms: [experiment.metrics.createDiskUtilizationAlarm(parts.stack, 'Disk')], logEncryptionKey: key });
      // Both stacks synthesize: the key's policy does not refer back to the guard's stack.
      const keyPolicy = JSON.stringify(Template.fromStack(keys).findResources('AWS::KMS::Key'));
      expect(keyPolicy).toContain('/aws/vendedlogs/states/TestStack-Guard');
      expect(keyPolicy).not.toContain('Fn::ImportValue');
      Template.fromStack(parts.stack);
    });

    test('a log key outside the app gets a warning that its policy must let CloudWatch Logs use it', () => {
      const g = guarded({ props: { logEncryptionKey: kms.Key.fromKeyArn(newStack('Other'), 'Imported', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab') } });
      Annotations.fromStack(g.stack).hasWarning('/TestStack/Guard',
        Match.stringLikeRegexp('logEncryptionKey .* is not a key of the app.*log groups /aws/vendedlogs/states/TestStack-Guard-[0-9A-F]+-\\* .*logKeyPolicyNotUpdated'));
    });

    test('refuses a logRemovalPolicy that CloudFormation cannot apply to a log group', () => {
      expect(() => guarded({ props: { logRemovalPolicy: RemovalPolicy.SNAPSHOT } })).toThrow(
        'logRemovalPolicy: got "snapshot"; must be RemovalPolicy.DESTROY, RETAIN or RETAIN_ON_UPDATE_OR_DELETE: CloudFormation takes ' +
        'no snapshot of a log group or a key');
    });
  });

  describe('destroy and deploy again', () => {
    /** The resources that the guard creates (their logical IDs start with its id), by logical ID. */
    const guardResources = (stack: Stack) => {
      const resources = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
      return Object.fromEntries(Object.entries(resources).filter(([id]) => id.startsWith('Guard')));
    };

    test('logs everything to a log group encrypted with a rotated key that only CloudWatch Logs may use for it', () => {
      const g = guarded();
      const template = Template.fromStack(g.stack);
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
        TracingConfiguration: { Enabled: true },
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', {
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
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': expect.anything() } },
      }]);

      // The key's policy matches the log group's ARN once the stack's ID is known, and no other guard's log group.
      const stackId = 'arn:aws:cloudformation:us-east-1:123456789012:stack/TestStack/1c2fa620-982a-11e3-aff7-50e2416294e0';
      const logGroupName = deployed(Object.values<any>(template.findResources('AWS::Logs::LogGroup'))[0].Properties.LogGroupName, stackId);
      expect(logGroupName).toMatch(/^\/aws\/vendedlogs\/states\/TestStack-Guard-[0-9A-F]{8}-1c2fa620-982a-11e3-aff7-50e2416294e0$/);
      const pattern = deployed(forLogs[0].Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'], stackId);
      const matches = (arn: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.?+^$()[\]{}|\\/]/g, '\\$&')).join('.*')}$`).test(arn);
      expect(matches(`arn:aws:logs:us-east-1:123456789012:log-group:${logGroupName}`)).toBe(true);
      expect(matches('arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/TestStack-OtherGuard-12345678-abc')).toBe(false);
    });

    test('the log group\'s name ends with the stack ID\'s UUID, so that a kept log group never blocks the next creation', () => {
      const g = guarded();
      const [logGroup] = Object.values<any>(Template.fromStack(g.stack).findResources('AWS::Logs::LogGroup'));
      const name = logGroup.Properties.LogGroupName;
      expect(name).toEqual({
        'Fn::Join': ['', [
          expect.stringMatching(/^\/aws\/vendedlogs\/states\/TestStack-Guard-[0-9A-F]{8}-$/),
          { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] },
        ]],
      });
      const first = deployed(name, 'arn:aws:cloudformation:us-east-1:123456789012:stack/TestStack/1c2fa620-982a-11e3-aff7-50e2416294e0');
      const next = deployed(name, 'arn:aws:cloudformation:us-east-1:123456789012:stack/TestStack/7d5b2b10-2a4f-11f1-9c3e-0a1b2c3d4e5f');
      expect(first).not.toEqual(next);
    });

    test('the log group\'s name stays within 512 characters for the longest construct path', () => {
      const parts = new ShadowTestParts(newStack());
      const experiment = parts.experiment();
      let scope: Construct = parts.stack;
      for (let depth = 0; depth < 20; depth++) {
        scope = new Construct(scope, `Level${depth}${'x'.repeat(50)}`);
      }
      new ShadowTestGuard(scope, 'Guard', { experiment, alarms: [experiment.metrics.createDiskUtilizationAlarm(parts.stack, 'Disk')] });
      const [logGroup] = Object.values<any>(Template.fromStack(parts.stack).findResources('AWS::Logs::LogGroup'));
      const name = deployed(logGroup.Properties.LogGroupName, 'arn:aws:cloudformation:us-east-1:123456789012:stack/TestStack/1c2fa620-982a-11e3-aff7-50e2416294e0');
      expect(name.length).toBeLessThanOrEqual(512);
      expect(name).toMatch(/^[\w./#-]+$/);
    });

    test('by default, nothing that the guard creates is kept when it is removed', () => {
      const resources = guardResources(guarded().stack);
      const types = Object.values(resources).map((r) => r.Type);
      expect(types).toEqual(expect.arrayContaining(['AWS::Logs::LogGroup', 'AWS::KMS::Key', 'AWS::StepFunctions::StateMachine', 'AWS::Events::Rule']));
      for (const [id, resource] of Object.entries(resources)) {
        expect({ id, deletion: resource.DeletionPolicy, replace: resource.UpdateReplacePolicy }).toEqual({
          id, deletion: expect.not.stringMatching(/Retain/), replace: expect.not.stringMatching(/Retain/),
        });
      }
      const byType = (type: string) => Object.values(resources).find((r) => r.Type === type);
      expect(byType('AWS::Logs::LogGroup')).toEqual(expect.objectContaining({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' }));
      expect(byType('AWS::KMS::Key')).toEqual(expect.objectContaining({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' }));
    });

    test.each([RemovalPolicy.RETAIN, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE])('logRemovalPolicy %s keeps the log group and its key', (policy) => {
      const resources = Object.values(guardResources(guarded({ props: { logRemovalPolicy: policy } }).stack));
      const deletion = policy === RemovalPolicy.RETAIN ? 'Retain' : 'RetainExceptOnCreate';
      for (const type of ['AWS::Logs::LogGroup', 'AWS::KMS::Key']) {
        expect(resources.find((r) => r.Type === type)).toEqual(expect.objectContaining({ DeletionPolicy: deletion, UpdateReplacePolicy: 'Retain' }));
      }
      expect(resources.filter((r) => /Retain/.test(r.DeletionPolicy)).map((r) => r.Type).sort()).toEqual(['AWS::KMS::Key', 'AWS::Logs::LogGroup']);
    });

    test('logRemovalPolicy does not change a given key', () => {
      const stack = newStack();
      const key = new kms.Key(stack, 'MyLogsKey', { removalPolicy: RemovalPolicy.DESTROY });
      const parts = new ShadowTestParts(stack);
      const experiment = parts.experiment();
      new ShadowTestGuard(stack, 'Guard', {
        experiment, alarms: [experiment.metrics.createDiskUtilizationAlarm(stack, 'Disk')], logEncryptionKey: key, logRemovalPolicy: RemovalPolicy.RETAIN,
      });
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::KMS::Key', 1);
      template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
      template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    });
  });
});

/** A value of the template as CloudFormation makes it, with the stack's ID and the partition known. */
function deployed(value: any, stackId: string): string {
  if (typeof value === 'string') {
    return value;
  }
  if (value['Fn::Join']) {
    const [separator, parts] = value['Fn::Join'];
    return parts.map((part: any) => deployed(part, stackId)).join(separator);
  }
  if (value['Fn::Select']) {
    const [index, list] = value['Fn::Select'];
    const [separator, source] = list['Fn::Split'];
    return deployed(source, stackId).split(separator)[index];
  }
  if (value.Ref === 'AWS::StackId') {
    return stackId;
  }
  if (value.Ref === 'AWS::Partition') {
    return 'aws';
  }
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}
