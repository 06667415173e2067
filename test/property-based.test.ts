/*
 * Property-based conformance: for props generated across the whole API, valid and invalid, exactly one of two things
 * happens. Either the construct throws an Error, or synthesis fails (for the endpoint's configuration and the models
 * of the app, which are checked then), naming every offending property and no other; or the template passes the
 * registry schema and the SageMaker service rules, with every value the user gave in it.
 *
 * Every generated value comes from a pool that is valid or invalid by construction, so the expected outcome is known
 * before the construct runs. PROPERTY_RUNS sets the number of cases (default 300; 10000 for a thorough run).
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as fc from 'fast-check';
import { InferenceExperimentProps, PromotedInstanceSettings } from '../src';
import { DEPLOY_TIME_VALUE, deployedExperimentProperties, schemaErrors, serviceRuleViolations } from './helpers/cloudformation';
import { takeTemplateFindings, VALIDATES_TEMPLATES } from './helpers/fixtures';
import {
  Built, build, conclude, expectedProblems, expectedSynthProblems, expectedTemplateFindings, namedProperties, Spec, specGen,
} from './helpers/property-specs';

const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

/** Every value given in `props` that must reach the template, and where. */
function expectNothingDropped(spec: Spec, props: InferenceExperimentProps, p: any): void {
  const given = (value: unknown) => typeof value !== 'string' || !value.includes('${Token');
  if (props.inferenceExperimentName !== undefined && given(props.inferenceExperimentName)) {
    expect(p.Name).toBe(props.inferenceExperimentName);
  }
  if (props.description !== undefined && given(props.description)) {
    expect(p.Description).toBe(props.description);
  }
  const listed = (p.ModelVariants as any[]).map((v) => v.VariantName);
  for (const [index, variant] of [props.shadowMode.production, props.shadowMode.shadow].entries()) {
    const rendered = (p.ModelVariants as any[]).find((v) => v.VariantName === variant.variantName);
    const promoted = spec.outcome?.method === 'promoteShadow';
    const keptByOutcome = p.ModelVariants.length === 2 || (promoted ? index === 1 : index === 0);
    // A promoted shadow keeps the production variant's instances unless told to keep its own.
    const instancesOf = promoted && spec.outcome?.instanceSettings !== PromotedInstanceSettings.SHADOW
      ? props.shadowMode.production : variant;
    if (keptByOutcome && given(variant.variantName)) {
      expect(listed).toContain(variant.variantName);
      expect(rendered.InfrastructureConfig.RealTimeInferenceConfig).toEqual({
        InstanceType: instancesOf.instanceType.name, InstanceCount: instancesOf.instanceCount,
      });
    }
  }
  if (p.ShadowModeConfig && spec.sampling.value !== 'token') {
    expect(p.ShadowModeConfig.ShadowModelVariants[0].SamplingPercentage).toBe(props.shadowMode.samplingPercentage);
  }
  if (props.schedule) {
    expect(p.Schedule).toEqual({ StartTime: props.schedule.startTime.toISOString(), EndTime: props.schedule.endTime.toISOString() });
  }
  for (const [key, value] of Object.entries(props.tags ?? {})) {
    expect(p.Tags).toContainEqual({ Key: key, Value: value });
  }
  if (props.dataCapture) {
    expect(p.DataStorageConfig.ContentType?.CsvContentTypes).toEqual(props.dataCapture.csvContentTypes);
    expect(p.DataStorageConfig.ContentType?.JsonContentTypes).toEqual(props.dataCapture.jsonContentTypes);
    expect(p.DataStorageConfig.Destination.endsWith(props.dataCapture.prefix ?? '')).toBe(true);
    expect(p.DataStorageConfig.KmsKey === undefined).toBe(props.dataCapture.encryptionKey === undefined);
  }
  expect(p.KmsKey === undefined).toBe(props.volumeEncryptionKey === undefined);
}

/** How many cases of a run ended in a synthesized template, and how many in an error. */
const outcomes = { synthesized: 0, rejected: 0, rejectedAtSynth: 0 };

function checkCase(spec: Spec): void {
  const expected = expectedProblems(spec);
  let built: Built | undefined;
  let error: unknown;
  try {
    built = build(spec);
  } catch (e) {
    error = e;
  }
  if (expected.size > 0 || error !== undefined) {
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).constructor).toBe(Error);
    expect(namedProperties((error as Error).message)).toEqual(expected);
    outcomes.rejected++;
    return;
  }

  const { stack, props, experiment } = built!;
  const outcome = spec.outcome;
  if (outcome) {
    if (outcome.method === 'startNow' && !props.schedule) {
      expect(() => conclude(spec, experiment!)).toThrow(/startNow\(\) needs a schedule/);
    } else if (outcome.method !== 'startNow' && outcome.reason.invalid.length > 0) {
      expect(() => conclude(spec, experiment!)).toThrow(/is invalid \(1 problem\):\n {2}- reason: got/);
      return;
    } else {
      conclude(spec, experiment!);
    }
  }

  const synthProblems = expectedSynthProblems(spec, built!);
  let template: any;
  try {
    template = Template.fromStack(stack).toJSON();
  } catch (e) {
    expect(namedProperties((e as Error).message)).toEqual(synthProblems);
    outcomes.rejected++;
    outcomes.rejectedAtSynth++;
    return;
  }
  expect(synthProblems).toEqual(new Set());
  // aws-cdk-lib's template validation, where it has one, warns of what the spec drew on purpose, and of nothing else.
  expect(takeTemplateFindings()).toEqual(VALIDATES_TEMPLATES ? expectedTemplateFindings(template) : []);
  const properties = deployedExperimentProperties(template);
  expect(schemaErrors(properties)).toEqual([]);
  expect(serviceRuleViolations(properties)).toEqual([]);
  expectNothingDropped(spec, props, properties);
  outcomes.synthesized++;
}

describe('any props', () => {
  test(`either fail naming exactly the offending properties, or synthesize a valid template with every value (${NUM_RUNS} cases)`, () => {
    fc.assert(fc.property(specGen, (spec) => checkCase(spec)), { numRuns: NUM_RUNS });

    // Both paths must be exercised in earnest, or the property proves little.
    expect(outcomes.synthesized).toBeGreaterThan(NUM_RUNS * 0.25);
    expect(outcomes.rejected).toBeGreaterThan(NUM_RUNS * 0.25);
    // The checks of the endpoint's configuration and of the models run at synth: they must be reached too.
    expect(outcomes.rejectedAtSynth).toBeGreaterThan(NUM_RUNS * 0.01);
  });

  test('the deploy-time stand-in is never a valid value of its own', () => {
    expect(DEPLOY_TIME_VALUE).not.toMatch(/^[a-zA-Z0-9-]+$/);
  });
});
