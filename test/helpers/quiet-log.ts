/*
 * What the tests print: nothing, unless a test fails.
 *
 * Both jest configurations load this file before every test file (setupFilesAfterEnv). From then on, console.error
 * and console.warn print nothing: each message is kept, and a test that ends with a message it did not take fails,
 * with the message in its failure. A test that makes something print on purpose takes what it expects, and asserts
 * it, with `expectPrinted(pattern)` or `takePrinted()`. So an unexpected warning, such as a finding of aws-cdk-lib's
 * synthesis-time template validation (printed with console.error), fails the test that caused it instead of being
 * lost among expected ones.
 *
 * A message printed outside a test (at load, or in a beforeAll hook that did not take it) fails the next test, or
 * the test file when no test follows.
 */
import { format } from 'util';

interface Printed {
  /** The messages printed and not taken yet, each as `console.error: text`. */
  readonly pending: string[];
}

// Kept on the global object, so that a test file that imports this module shares it with the setup.
const KEY = Symbol.for('cdk-sagemaker-inference-experiment.test.printed');
const printed: Printed = ((globalThis as any)[KEY] ??= { pending: [] });

for (const method of ['error', 'warn'] as const) {
  console[method] = (...args: unknown[]) => {
    printed.pending.push(`console.${method}: ${format(...args)}`);
  };
}

function failOnPending(when: string): void {
  const messages = printed.pending.splice(0);
  if (messages.length > 0) {
    throw new Error(`${messages.length} message(s) printed ${when} that no test expected (a test takes what it expects `
      + `with expectPrinted() or takePrinted(), from test/helpers/quiet-log.ts):\n\n${messages.join('\n\n')}`);
  }
}

beforeEach(() => failOnPending('before this test, at load or in a beforeAll hook,'));
afterEach(() => failOnPending('by this test'));
afterAll(() => failOnPending('after the last test, or in an afterAll hook,'));

const matcher = (pattern: RegExp | string) => (message: string) =>
  (typeof pattern === 'string' ? message.includes(pattern) : pattern.test(message));

/**
 * Takes the messages printed so far, and not taken yet, that match `pattern` (every one without it), and returns
 * them, none if none does. Messages that do not match are left for the end of the test, which fails if any is left.
 */
export function takePrinted(pattern: RegExp | string = ''): string[] {
  const matches = matcher(pattern);
  const taken = printed.pending.filter(matches);
  const left = printed.pending.filter((message) => !matches(message));
  printed.pending.splice(0, printed.pending.length, ...left);
  return taken;
}

/** As `takePrinted(pattern)`, but fails when nothing printed matches `pattern`. */
export function expectPrinted(pattern: RegExp | string): string[] {
  const left = [...printed.pending];
  const taken = takePrinted(pattern);
  if (taken.length === 0) {
    throw new Error(`Nothing printed matches ${pattern}; printed and not taken:\n\n${left.join('\n\n') || '(nothing)'}`);
  }
  return taken;
}
