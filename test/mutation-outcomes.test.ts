/*
 * The outcomes of a shadow test (src/private/outcomes.ts) as a user meets them: each names the method that chose it.
 * Written from the survivors of mutation testing (`npx projen mutation`).
 */
import { newStack, ShadowTestParts } from './helpers/fixtures';

describe('an outcome chosen with cancel({ retainShadow: true })', () => {
  test('is named cancel() when another outcome conflicts with it', () => {
    const experiment = new ShadowTestParts(newStack()).experiment();
    experiment.cancel({ retainShadow: true });
    expect(() => experiment.promoteShadow()).toThrow(
      "InferenceExperiment 'TestStack/Experiment': promoteShadow() conflicts with cancel(), called before; a shadow test has one outcome");
  });

  test('is named cancel() when its reason is not a string', () => {
    const experiment = new ShadowTestParts(newStack()).experiment();
    expect(() => experiment.cancel({ retainShadow: true, reason: 42 as unknown as string })).toThrow(
      /^InferenceExperiment 'TestStack\/Experiment': cancel\(\)/);
  });
});
