/*
 * The templates that the independent judges (cfn-lint, the IAM reference check, checkov) run on: every template the
 * tests produce. The snapshot tests' stacks, a stack with every grant, the example app, a verdict with every option,
 * the integration test's snapshot, and valid templates drawn by the property-based suite's generators, spread over
 * every option and outcome.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, aws_iam as iam, aws_kms as kms, aws_sns as sns } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fc from 'fast-check';
import { newStack, ShadowTestParts } from './fixtures';
import { build, conclude, expectedProblems, expectedSynthProblems, Spec, specGen } from './property-specs';
import { ShadowTestStack } from '../../examples/shadow-test-stack';
import { InstanceType, LatencyMetric, ShadowTestVerdict, UtilizationMetric, VerdictCriterion } from '../../src';

export interface JudgedTemplate {
  /** A file name for the template, unique among them. */
  readonly name: string;
  readonly template: any;
}

const INTEG_SNAPSHOT = path.join(__dirname, '..', 'integ.shadow-test.ts.snapshot');

/** The stacks that the snapshot tests record, a stack with every grant, the example app, the integration test's. */
export function fixedTemplates(): JudgedTemplate[] {
  const minimal = new ShadowTestParts(newStack());
  minimal.experiment();
  const full = new ShadowTestParts(newStack());
  full.experiment(full.fullProps());
  const granted = new ShadowTestParts(newStack());
  const experiment = granted.experiment(granted.fullProps());
  const operator = new iam.Role(granted.stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
  for (const grant of ['create', 'read', 'update', 'delete', 'list', 'start', 'stop'] as const) {
    experiment.grants[grant](operator);
  }
  const integ = fs.readdirSync(INTEG_SNAPSHOT).filter((file) => file.endsWith('.template.json')).map((file) => ({
    name: `integ-${file}`,
    template: JSON.parse(fs.readFileSync(path.join(INTEG_SNAPSHOT, file), 'utf-8')),
  }));
  return [
    { name: 'snapshot-minimal.json', template: Template.fromStack(minimal.stack).toJSON() },
    { name: 'snapshot-fully-configured.json', template: Template.fromStack(full.stack).toJSON() },
    { name: 'every-grant.json', template: Template.fromStack(granted.stack).toJSON() },
    { name: 'example.json', template: exampleTemplate() },
    { name: 'verdict.json', template: verdictTemplate() },
    ...integ,
  ];
}

/** A verdict with every option, each kind of criterion, and a topic encrypted with a key of the app. */
export function verdictTemplate(): any {
  const parts = new ShadowTestParts(newStack());
  new ShadowTestVerdict(parts.stack, 'Verdict', {
    experiment: parts.experiment({ inferenceExperimentName: 'Shadow-Test-A' }),
    criteria: [
      ...VerdictCriterion.defaults(),
      VerdictCriterion.latency({ percentile: 99.9, maxRegressionPercent: 30, metric: LatencyMetric.OVERHEAD_LATENCY }),
      VerdictCriterion.utilization({ metric: UtilizationMetric.MEMORY, maxIncreasePercentagePoints: 10, allowedFailingPeriods: 1 }),
    ],
    interimVerdicts: true,
    stopOnFail: true,
    notificationTopic: new sns.Topic(parts.stack, 'Topic', { masterKey: new kms.Key(parts.stack, 'TopicKey', { enableKeyRotation: true }) }),
    metricNamespace: 'Team/ShadowTests',
  });
  return Template.fromStack(parts.stack).toJSON();
}

export function exampleTemplate(): any {
  return Template.fromStack(new ShadowTestStack(new App(), 'ShadowTestExample')).toJSON();
}

const KNOWN_INSTANCE_TYPES = new Set(Object.values(InstanceType).filter((v): v is InstanceType => v instanceof InstanceType));

/**
 * Whether a drawn spec is valid as a whole: the construct accepts it, its outcome applies, synthesis succeeds, and
 * the endpoint and models are of kinds that shadow tests accept. Its instance types are among those that the
 * generators draw from the types its region offers: they also draw types that do not exist yet (`InstanceType.of()`
 * is for types SageMaker adds later), which cfn-lint rightly rejects.
 */
function isValid(spec: Spec): boolean {
  const outcome = spec.outcome;
  // A concluded test's endpoint is not checked, so the shapes that shadow tests exclude are left out here.
  return expectedProblems(spec).size === 0 && ['outside', 'matching'].includes(spec.endpointShape) &&
    spec.production.modelKind === 'single' && spec.shadow.modelKind === 'single' &&
    KNOWN_INSTANCE_TYPES.has(spec.production.instanceType.value) && KNOWN_INSTANCE_TYPES.has(spec.shadow.instanceType.value) &&
    !(outcome && outcome.reason.invalid.length > 0 && outcome.method !== 'startNow') &&
    !(outcome?.method === 'startNow' && spec.schedule.value === undefined);
}

/** What a valid template covers, to show that the drawn templates are spread over every option and outcome. */
function coverageOf(spec: Spec): string[] {
  const endpoint = spec.endpoint.value === undefined ? `CfnEndpoint on a configuration ${spec.endpointShape}` :
    typeof spec.endpoint.value === 'function' ? 'endpoint name as a token' : 'existing endpoint';
  return [
    `outcome ${spec.outcome?.method ?? 'none'}`,
    ...(spec.outcome?.retainShadow ? ['retainShadow'] : []),
    ...(spec.outcome?.method === 'promoteShadow' ? [`instanceSettings ${spec.outcome.instanceSettings?.toString() ?? 'default'}`] : []),
    endpoint,
    spec.capture === undefined ? 'no data capture' : spec.capture.target.value.uri === undefined ? 'capture to a bucket' : 'capture to a URI',
    spec.schedule.value === undefined ? 'no schedule' : 'schedule',
    spec.volumeKey.value === undefined ? 'no volume key' : 'volume key',
    spec.userRole ? 'role given' : 'default role',
    spec.tags.value === undefined ? 'no tags' : 'tags',
    spec.name.value === undefined ? 'generated name' : 'given name',
  ];
}

/**
 * At least `count` valid templates drawn by the property-based generators, each with what it covers. `seed` makes a
 * draw repeatable.
 */
export function drawnTemplates(count: number, seed: number): Array<JudgedTemplate & { covers: string[] }> {
  const drawn: Array<JudgedTemplate & { covers: string[] }> = [];
  // Drawn in batches until enough are valid: about one in ten is.
  for (let batch = 0; drawn.length < count && batch < 100; batch++) {
    for (const spec of fc.sample(specGen, { numRuns: 1000, seed: seed + batch })) {
      if (drawn.length >= count || !isValid(spec)) {
        continue;
      }
      const built = build(spec);
      conclude(spec, built.experiment!);
      if (expectedSynthProblems(spec, built).size > 0) {
        continue;
      }
      // A concluded test's template lists one variant.
      const state = spec.outcome && spec.outcome.method !== 'startNow' ? 'concluded' : 'running';
      drawn.push({ name: `drawn-${drawn.length}-${state}.json`, template: Template.fromStack(built.stack).toJSON(), covers: coverageOf(spec) });
    }
  }
  return drawn;
}
