import { StateMachine } from 'aws-local-stepfunctions';

/*
 * Runs state machine definitions locally with aws-local-stepfunctions: every Task answered by a handler of the test,
 * no delay before a retry and no wait, so that a run takes milliseconds whatever its definition says.
 */

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

/** One call of a Task state: the state's name and its effective input (its Parameters, resolved). */
export interface Call {
  readonly state: string;
  readonly input: any;
}

/** The end of a local run. */
export interface LocalRun {
  readonly output: any;
  readonly calls: Call[];
  /** The Task states called, in order, once for each attempt. */
  readonly states: string[];
  /** How the run failed: the error and cause of its end, or undefined when it succeeded. */
  readonly failure?: { readonly error: string; readonly cause: string };
}

/**
 * Runs `definition` on `input`: each Task state's call goes to `answer(state, input)`, which returns its result or
 * throws its error.
 */
export async function runLocally(definition: any, input: object, answer: (state: string, input: any) => any): Promise<LocalRun> {
  const calls: Call[] = [];
  const handlers: Record<string, (input: any) => Promise<any>> = {};
  const noDelay: Record<string, number> = {};
  const noWait: Record<string, number> = {};
  for (const [state, body] of Object.entries<any>(definition.States)) {
    if (body.Type === 'Wait') {
      noWait[state] = 0;
    }
    if (body.Type !== 'Task') {
      continue;
    }
    noDelay[state] = 0;
    handlers[state] = async (taskInput: any) => {
      calls.push({ state, input: taskInput });
      return answer(state, taskInput);
    };
  }
  const execution = machineOf(definition).run(input as any, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: noDelay, waitTimeOverrides: noWait },
    // The interpreter does not fill in the time a state is entered, which Step Functions' context object holds.
    context: { State: { EnteredTime: new Date().toISOString() } } as any,
  });
  const states = () => calls.map((call) => call.state);
  try {
    return { output: await execution.result, calls, states: states() };
  } catch (error: any) {
    const end = error.cause ?? error;
    return { output: undefined, calls, states: states(), failure: { error: end.name, cause: end.message } };
  }
}

/** The interpreter of each definition, made once: making one validates the whole definition. */
const machines = new WeakMap<object, StateMachine>();
function machineOf(definition: any): StateMachine {
  let machine = machines.get(definition);
  if (machine === undefined) {
    machine = new StateMachine(definition);
    machines.set(definition, machine);
  }
  return machine;
}

/** An error as an AWS SDK integration raises it: its name is the error that Catch and Retry match. */
export function sdkError(name: string, message = `${name} happened`): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
