/*
 * The props that the property-based suite and the judges' suite draw: generators across the whole API, valid and
 * invalid, each value with the properties it makes invalid; how a drawn spec is built into an app; and what the
 * construct and synthesis must report for it.
 */
import {
  App, aws_iam as iam, aws_kms as kms, aws_s3 as s3, aws_sagemaker as sagemaker, CfnOutput, CfnParameter, Duration, Stack, Token,
} from 'aws-cdk-lib';
import * as fc from 'fast-check';
import {
  DataCapture,
  ExistingEndpoint,
  ExistingModel,
  InferenceExperiment,
  InferenceExperimentProps,
  InstanceType,
  ModelVariant,
  PromotedInstanceSettings,
  Schedule,
  ShadowModeConfig,
} from '../../src';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = new Date('2027-03-01T00:00:00Z');

/** A generated value, with the properties it makes invalid (none for a valid value). */
export interface Gen<T> {
  readonly value: T;
  readonly invalid: string[];
}

/** Builds a value in a stack: resources and tokens need one. */
type Build<T> = (stack: Stack) => T;

// Invalid values are rare, so that about half of the cases are entirely valid and reach synthesis.
const VALID_WEIGHT = 30;
const INVALID_WEIGHT = 1;
type Weighted<T> = fc.WeightedArbitrary<Gen<T>>;
const valid = <T>(arb: fc.Arbitrary<T>): Weighted<T> => ({ arbitrary: arb.map((value) => ({ value, invalid: [] })), weight: VALID_WEIGHT });
const invalid = <T>(property: string, arb: fc.Arbitrary<T>): Weighted<T> => ({
  arbitrary: arb.map((value) => ({ value, invalid: [property] })),
  weight: INVALID_WEIGHT,
});

/** A deploy-time string: a template parameter. */
const tokenString: Build<string> = (stack) => new CfnParameter(stack, `P${stack.node.children.length}`).valueAsString;

// --- names and strings -------------------------------------------------------------------------------------------

const alnum = fc.constantFrom(...'abcXYZ019');
const alnumHyphen = fc.constantFrom(...'abcXYZ019-');
/** Letters, digits and hyphens, starting and ending with a letter or digit, at most `max` long. */
const hyphenatedName = (max: number) => fc.tuple(alnum, fc.array(alnumHyphen, { maxLength: max - 2 }), alnum, fc.boolean())
  .map(([first, middle, last, single]) => (single ? first : `${first}${middle.join('')}${last}`));
/** Strings that no name pattern accepts, among them the boundary lengths. */
const badName = (max: number) => fc.oneof(
  fc.constant(''),
  fc.constant('a'.repeat(max + 1)),
  hyphenatedName(max - 1).map((name) => `-${name}`),
  hyphenatedName(max - 1).map((name) => `${name}-`),
  hyphenatedName(max - 2).map((name) => `${name}_x`),
  fc.constantFrom('naïve', 'spa ce', 'dot.ted', '名前', '😀'),
);

function nameGen(property: string, max: number, optional: boolean): fc.Arbitrary<Gen<string | Build<string> | undefined>> {
  return fc.oneof(
    ...(optional ? [valid(fc.constant(undefined))] : []),
    valid(hyphenatedName(max)),
    valid(fc.constant('a'.repeat(max))),
    valid(fc.constant(tokenString)),
    invalid(property, badName(max)),
  );
}

const descriptionGen = fc.oneof(
  valid(fc.constant(undefined)),
  valid(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((d) => [...d].length >= 1)),
  valid(fc.constant('😀'.repeat(1024))),
  valid(fc.constant(tokenString)),
  invalid('description', fc.constantFrom('', 'd'.repeat(1025))),
);

// --- variants -----------------------------------------------------------------------------------------------------

/**
 * The instance types drawn: a fixed list of types that us-east-1, the region of the drawn stacks, offers for real-time
 * inference in the SageMaker price list that template validators check against. Among them, ml.g5 has local storage,
 * and ml.inf1.xlarge is an Inferentia 1 type, which shadow tests exclude from the endpoint.
 */
const DRAWN_INSTANCE_TYPES = new Set([
  ...['large', 'xlarge', '2xlarge', '4xlarge', '12xlarge', '24xlarge'].map((size) => `ml.m5.${size}`),
  ...['large', 'xlarge', '2xlarge', '4xlarge', '9xlarge', '18xlarge'].map((size) => `ml.c5.${size}`),
  ...['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge'].map((size) => `ml.g5.${size}`),
  ...['xlarge', '8xlarge', '24xlarge', '48xlarge'].map((size) => `ml.inf2.${size}`),
  'ml.inf1.xlarge',
]);
const INSTANCE_TYPES = Object.values(InstanceType)
  .filter((v): v is InstanceType => v instanceof InstanceType && DRAWN_INSTANCE_TYPES.has(v.name));
/** Well-formed types that SageMaker might add later (`InstanceType.of()`): no region offers them yet. */
const LATER_INSTANCE_TYPES = ['ml.g9.96xlarge', 'ml.x-1.large'];

/** What a CfnModel of the app hosts: one model in one container, or a kind that shadow tests exclude. */
type ModelKind = 'single' | 'multiModel' | 'multiContainer';

export interface VariantSpec {
  readonly name: Gen<string | Build<string>>;
  readonly model: Gen<string | undefined>;
  readonly modelKind: ModelKind;
  readonly instanceType: Gen<InstanceType>;
  readonly instanceCount: Gen<number | undefined>;
}

function variantGen(role: 'production' | 'shadow'): fc.Arbitrary<VariantSpec> {
  const property = (field: string) => `shadowMode.${role}.${field}`;
  return fc.record({
    name: fc.oneof(
      valid(hyphenatedName(63)),
      valid(fc.constant(tokenString)),
      invalid(property('variantName'), badName(63)),
    ),
    // A model name for ExistingModel, or undefined for a CfnModel.
    model: fc.oneof(valid(fc.constant(undefined)), valid(hyphenatedName(63)), invalid(property('model'), badName(63))),
    modelKind: fc.oneof(
      { arbitrary: fc.constant<ModelKind>('single'), weight: 10 },
      { arbitrary: fc.constantFrom<ModelKind>('multiModel', 'multiContainer'), weight: 1 },
    ),
    instanceType: fc.oneof(
      valid(fc.constantFrom(...INSTANCE_TYPES)),
      valid(fc.constantFrom(...LATER_INSTANCE_TYPES).map((name) => InstanceType.of(name))),
      invalid(property('instanceType'), fc.constantFrom('', 'm5.large', 'ML.M5.LARGE', 'ml.m5', 'ml.m5.xlarge ').map((n) => InstanceType.of(n))),
    ),
    instanceCount: fc.oneof(
      valid(fc.constant(undefined)),
      valid(fc.integer({ min: 1, max: 1000 })),
      invalid(property('instanceCount'), fc.constantFrom(0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY)),
    ),
  });
}

const samplingGen = fc.oneof(
  valid(fc.constantFrom(0, 1, 100)),
  valid(fc.integer({ min: 0, max: 100 })),
  valid(fc.constant('token' as const)),
  invalid('shadowMode.samplingPercentage', fc.constantFrom(101, -1, 50.5, Number.NaN, 1000)),
);

// --- schedule, keys, data capture, tags ---------------------------------------------------------------------------

const scheduleGen: fc.Arbitrary<Gen<Schedule | undefined>> = fc.oneof(
  valid(fc.constant(undefined)),
  valid(fc.constantFrom(HOUR, 30 * DAY).map((length) => Schedule.between(START, new Date(START.getTime() + length)))),
  valid(fc.integer({ min: HOUR, max: 30 * DAY }).map((length) => Schedule.startingAt(START, Duration.millis(length)))),
  invalid('schedule', fc.constantFrom(HOUR - 1, 30 * DAY + 1000).map((length) => Schedule.between(START, new Date(START.getTime() + length)))),
  invalid('schedule.endTime', fc.constantFrom(0, -HOUR).map((length) => Schedule.between(START, new Date(START.getTime() + length)))),
  invalid('schedule.startTime', fc.constant(Schedule.between(new Date('not a date'), START))),
);

const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
function keyGen(property: string): fc.Arbitrary<Gen<Build<kms.IKey> | undefined>> {
  return fc.oneof(
    valid(fc.constant(undefined)),
    valid(fc.constant<Build<kms.IKey>>((stack) => new kms.Key(stack, `Key${stack.node.children.length}`))),
    valid(fc.constant<Build<kms.IKey>>((stack) => kms.Key.fromKeyArn(stack, `ImportedKey${stack.node.children.length}`, KEY_ARN))),
    invalid(property, fc.constant<Build<kms.IKey>>((stack) => kms.Key.fromKeyArn(stack, `BadKey${stack.node.children.length}`, `${KEY_ARN} `))),
  );
}

const contentType = fc.tuple(hyphenatedName(20), hyphenatedName(20)).map(([type, subtype]) => `${type}/${subtype}`);
function contentTypesGen(property: string): fc.Arbitrary<Gen<string[] | undefined>> {
  return fc.oneof(
    valid(fc.constant(undefined)),
    valid(fc.array(contentType, { minLength: 1, maxLength: 10 })),
    invalid(property, fc.constant<string[]>([])),
    invalid(property, fc.array(contentType, { minLength: 11, maxLength: 12 })),
    invalid(property, fc.constantFrom<string[]>(['json'], ['application/'], ['a/b', '/x'], [`${'a'.repeat(200)}/${'b'.repeat(60)}`])),
  );
}

interface CaptureSpec {
  readonly target: Gen<{ uri?: string; prefix?: string }>;
  readonly key: Gen<Build<kms.IKey> | undefined>;
  readonly csv: Gen<string[] | undefined>;
  readonly json: Gen<string[] | undefined>;
}

const captureGen: fc.Arbitrary<CaptureSpec | undefined> = fc.option(fc.record({
  target: fc.oneof(
    valid(fc.record({ prefix: fc.option(fc.stringMatching(/^[a-z0-9][a-z0-9/_-]{0,40}$/), { nil: undefined }) })),
    valid(fc.constant({ prefix: 'p'.repeat(443) })),
    invalid('dataCapture.prefix', fc.constantFrom({ prefix: '/captures' }, { prefix: 'p'.repeat(444) })),
    valid(fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,40}[a-z0-9]$/).map((bucket) => ({ uri: `s3://${bucket}/shadow/` }))),
    invalid('dataCapture.destination', fc.constantFrom(
      { uri: 'ftp://bucket/x' }, { uri: '' }, { uri: `s3://bucket/${'x'.repeat(510)}` }, { uri: 's3://0.-a/shadow/' }, { uri: 's3://Upper/x' },
    )),
  ),
  key: keyGen('dataCapture.encryptionKey'),
  csv: contentTypesGen('dataCapture.csvContentTypes'),
  json: contentTypesGen('dataCapture.jsonContentTypes'),
}), { nil: undefined });

const tagKey = fc.stringMatching(/^[a-zA-Z0-9 _.:/=+@-]{1,40}$/).filter((key) => !key.toLowerCase().startsWith('aws:'));
const tagsGen: fc.Arbitrary<Gen<Record<string, string> | undefined>> = fc.oneof(
  valid(fc.constant(undefined)),
  valid(fc.dictionary(tagKey, fc.stringMatching(/^[a-zA-Z0-9 _.:/=+@-]{0,40}$/), { maxKeys: 10 })),
  valid(fc.constant({ équipe: 'données', ['k'.repeat(128)]: 'v'.repeat(256) })),
  invalid('tags', fc.constantFrom<Record<string, string>>(
    { 'aws:owner': 'me' }, { ['k'.repeat(129)]: 'v' }, { owner: 'a&b' }, { owner: 'v'.repeat(257) }, { '': 'empty' },
    Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`tag${i}`, 'v'])),
  )),
);

/**
 * The configuration of a CfnEndpoint of the app: outside the app (a literal name no configuration has), written from
 * the production variant, or bent into a shape that shadow tests exclude.
 */
type EndpointShape = 'outside' | 'matching' | 'async' | 'shadowVariants' | 'twoProduction' | 'serverless' | 'accelerator' | 'inf1'
| 'otherProductionName' | 'shadowNameTaken';
const endpointShapeGen = fc.oneof(
  { arbitrary: fc.constantFrom<EndpointShape>('outside', 'matching'), weight: 2 },
  {
    arbitrary: fc.constantFrom<EndpointShape>('async', 'shadowVariants', 'twoProduction', 'serverless', 'accelerator', 'inf1',
      'otherProductionName', 'shadowNameTaken'),
    weight: 1,
  },
);

export type OutcomeName = 'startNow' | 'promoteShadow' | 'keepProduction' | 'cancel';
const outcomeGen = fc.option(fc.record({
  method: fc.constantFrom<OutcomeName>('startNow', 'promoteShadow', 'keepProduction', 'cancel'),
  retainShadow: fc.option(fc.boolean(), { nil: undefined }),
  instanceSettings: fc.option(fc.constantFrom(PromotedInstanceSettings.PRODUCTION, PromotedInstanceSettings.SHADOW), { nil: undefined }),
  reason: fc.oneof(
    valid(fc.constant(undefined)),
    valid(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 })),
    invalid('reason', fc.constantFrom('', 'r'.repeat(1025))),
  ),
}), { nil: undefined });

export const specGen = fc.record({
  name: nameGen('inferenceExperimentName', 120, true),
  description: descriptionGen,
  // A CfnEndpoint of the app (undefined) as often as the other kinds together, for the checks of its configuration.
  endpoint: fc.oneof(
    { ...valid(fc.constant(undefined)), weight: 3 * VALID_WEIGHT },
    valid(hyphenatedName(63)), valid(fc.constant(tokenString)), invalid('endpoint', badName(63)),
  ),
  endpointShape: endpointShapeGen,
  production: variantGen('production'),
  shadow: variantGen('shadow'),
  sameVariantNames: fc.boolean(),
  sampling: samplingGen,
  schedule: scheduleGen,
  volumeKey: keyGen('volumeEncryptionKey'),
  capture: captureGen,
  tags: tagsGen,
  userRole: fc.boolean(),
  outcome: outcomeGen,
});
export type Spec = typeof specGen extends fc.Arbitrary<infer T> ? T : never;

// --- building and checking ----------------------------------------------------------------------------------------

const resolveValue = <T>(stack: Stack, value: T | Build<T>): T => (typeof value === 'function' ? (value as Build<T>)(stack) : value);

/** The properties that the spec makes invalid: what the construct must report, and nothing else. */
export function expectedProblems(spec: Spec): Set<string> {
  const productionName = spec.production.name;
  // With the same name, the shadow variant's name is invalid exactly when the production variant's is.
  const shadowName: Gen<string | Build<string>> = spec.sameVariantNames
    ? { value: productionName.value, invalid: productionName.invalid.map(() => 'shadowMode.shadow.variantName') }
    : spec.shadow.name;
  const gens: Array<Gen<unknown>> = [
    spec.name, spec.description, spec.endpoint, spec.sampling, spec.schedule, spec.volumeKey, spec.tags,
    productionName, shadowName,
    ...[spec.production, spec.shadow].flatMap((v) => [v.model, v.instanceType, v.instanceCount]),
    ...(spec.capture ? [spec.capture.target, spec.capture.key, spec.capture.csv, spec.capture.json] : []),
  ];
  const problems = new Set(gens.flatMap((gen) => gen.invalid));
  if (typeof productionName.value === 'string' && productionName.value === shadowName.value) {
    problems.add('shadowMode.shadow.variantName');
  }
  return problems;
}

/**
 * The properties that synthesis must report once the construct accepted the props: the models, the endpoint and its
 * configuration that the app defines, checked while the test is not concluded.
 */
export function expectedSynthProblems(spec: Spec, built: Built): Set<string> {
  const problems = new Set<string>();
  const outcome = spec.outcome;
  if (outcome && outcome.method !== 'startNow') {
    return problems;
  }
  const inApp = (variant: VariantSpec) => variant.model.value === undefined;
  for (const [role, variant] of [['production', spec.production], ['shadow', spec.shadow]] as const) {
    if (inApp(variant) && variant.modelKind !== 'single') {
      problems.add(`shadowMode.${role}.model`);
    }
  }
  const shape = spec.endpointShape;
  if (spec.endpoint.value !== undefined || shape === 'outside') {
    return problems;
  }
  if (!['matching', 'otherProductionName', 'shadowVariants'].includes(shape)) {
    problems.add('endpoint');
  }
  // The configuration's variants are written from the production variant, and inherit what shadow tests exclude.
  if ((inApp(spec.production) && spec.production.modelKind !== 'single') ||
    (shape !== 'serverless' && spec.production.instanceType.value.name.startsWith('ml.inf1.'))) {
    problems.add('endpoint');
  }
  const { production, shadow } = built.props.shadowMode;
  const literal = (name: string) => !name.includes('${Token');
  if (shape === 'otherProductionName' && literal(production.variantName)) {
    problems.add('shadowMode.production.variantName');
  }
  if (shape === 'shadowNameTaken' && literal(production.variantName) && literal(shadow.variantName)) {
    problems.add('shadowMode.shadow.variantName');
  }
  return problems;
}

/** The endpoint of a spec whose endpoint is a CfnEndpoint of the app, with its configuration in the shape drawn. */
function endpointOf(spec: Spec, stack: Stack, production: ModelVariant, shadow: ModelVariant): sagemaker.CfnEndpoint {
  if (spec.endpointShape === 'outside') {
    return new sagemaker.CfnEndpoint(stack, 'Endpoint', { endpointConfigName: 'config-outside-the-app' });
  }
  const base = production.toProductionVariant();
  const variants: Record<EndpointShape, Partial<sagemaker.CfnEndpointConfigProps>> = {
    outside: {},
    matching: {},
    async: { asyncInferenceConfig: { outputConfig: { s3OutputPath: 's3://bucket/async/' } } },
    shadowVariants: { shadowProductionVariants: [{ ...base, variantName: 'old-shadow' }] },
    twoProduction: { productionVariants: [base, { ...base, variantName: 'second-variant' }] },
    serverless: {
      productionVariants: [{
        ...base, instanceType: undefined, initialInstanceCount: undefined, serverlessConfig: { maxConcurrency: 1, memorySizeInMb: 1024 },
      }],
    },
    accelerator: { productionVariants: [{ ...base, acceleratorType: 'ml.eia2.medium' }] },
    inf1: { productionVariants: [{ ...base, instanceType: 'ml.inf1.xlarge' }] },
    otherProductionName: { productionVariants: [{ ...base, variantName: 'endpoint-variant' }] },
    shadowNameTaken: { productionVariants: [base, { ...base, variantName: shadow.variantName }] },
  };
  const config = new sagemaker.CfnEndpointConfig(stack, 'EndpointConfig', {
    productionVariants: [base],
    ...variants[spec.endpointShape],
  });
  return new sagemaker.CfnEndpoint(stack, 'Endpoint', { endpointConfigName: config.attrEndpointConfigName });
}

/** The properties of a CfnModel that hosts the kind of model drawn. */
function modelProps(kind: ModelKind): Partial<sagemaker.CfnModelProps> {
  const image = 'image';
  return {
    single: { primaryContainer: { image } },
    multiModel: { primaryContainer: { image, mode: 'MultiModel' } },
    multiContainer: { containers: [{ image }, { image }] },
  }[kind];
}

/** The properties that an error message names, without item indexes and tag keys. */
export function namedProperties(message: string): Set<string> {
  return new Set([...message.matchAll(/^ {2}- (.+?): got /gm)].map(([, property]) => property.replace(/\[.*$/, '')));
}

export interface Built {
  readonly stack: Stack;
  readonly props: InferenceExperimentProps;
  readonly experiment?: InferenceExperiment;
}

export function build(spec: Spec): Built {
  const stack = new Stack(new App(), 'PropertyStack', { env: { account: '123456789012', region: 'us-east-1' } });
  const role = new iam.Role(stack, 'ModelRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  const variant = (id: string, variantSpec: VariantSpec, name: string | Build<string>) => ModelVariant.realTime({
    variantName: resolveValue(stack, name),
    model: variantSpec.model.value === undefined
      ? new sagemaker.CfnModel(stack, `${id}Model`, { executionRoleArn: role.roleArn, ...modelProps(variantSpec.modelKind) })
      : ExistingModel.fromModelName(stack, `${id}Model`, variantSpec.model.value),
    instanceType: variantSpec.instanceType.value,
    instanceCount: variantSpec.instanceCount.value,
  });
  const endpointName = spec.endpoint.value;
  const capture = spec.capture;
  const production = variant('Production', spec.production, spec.production.name.value);
  const shadow = variant('Shadow', spec.shadow, spec.sameVariantNames ? spec.production.name.value : spec.shadow.name.value);
  const props: InferenceExperimentProps = {
    endpoint: endpointName === undefined
      ? endpointOf(spec, stack, production, shadow)
      : ExistingEndpoint.fromEndpointName(stack, 'Endpoint', resolveValue(stack, endpointName)),
    shadowMode: ShadowModeConfig.of({
      production,
      shadow,
      samplingPercentage: spec.sampling.value === 'token'
        ? new CfnParameter(stack, 'Sampling', { type: 'Number' }).valueAsNumber : spec.sampling.value,
    }),
    role: spec.userRole ? role : undefined,
    inferenceExperimentName: spec.name.value === undefined ? undefined : resolveValue(stack, spec.name.value),
    description: spec.description.value === undefined ? undefined : resolveValue(stack, spec.description.value),
    schedule: spec.schedule.value,
    volumeEncryptionKey: spec.volumeKey.value?.(stack),
    dataCapture: capture && (() => {
      const options = {
        encryptionKey: capture.key.value?.(stack),
        csvContentTypes: capture.csv.value,
        jsonContentTypes: capture.json.value,
      };
      const target = capture.target.value;
      return target.uri !== undefined
        ? DataCapture.toS3Uri(target.uri, options)
        : DataCapture.toBucket(new s3.Bucket(stack, 'Captures'), { ...options, prefix: target.prefix });
    })(),
    tags: spec.tags.value,
  };
  const experiment = new InferenceExperiment(stack, 'Experiment', props);
  // Every parameter made is used, even one that a concluded test's template leaves out: a template whose parameter
  // nothing refers to is one that template validators warn of (W2001).
  for (const parameter of stack.node.children.filter((child): child is CfnParameter => child instanceof CfnParameter)) {
    new CfnOutput(stack, `${parameter.node.id}Value`, { value: Token.asString(parameter.value) });
  }
  return { stack, props, experiment };
}

/**
 * The rules that a template validation with the registry schemas and the us-east-1 price list (aws-cdk-lib's, after
 * the floor) reports for a template that a spec synthesized: types that SageMaker might add later are in no list yet,
 * in the experiment (E3642) and in the endpoint's configuration (W3030), and Elastic Inference accelerators are no
 * longer in the configuration's schema (F3002; a concluded test synthesizes with one, since its endpoint is not
 * checked then).
 */
export function expectedTemplateFindings(template: any): string[] {
  const later = (instanceType: unknown) => LATER_INSTANCE_TYPES.includes(instanceType as string);
  const findings = new Set<string>();
  for (const { Type: type, Properties: properties } of Object.values<any>(template.Resources)) {
    if (type === 'AWS::SageMaker::InferenceExperiment' &&
      properties.ModelVariants.some((v: any) => later(v.InfrastructureConfig.RealTimeInferenceConfig.InstanceType))) {
      findings.add('E3642');
    }
    if (type === 'AWS::SageMaker::EndpointConfig') {
      const variants: any[] = [...properties.ProductionVariants ?? [], ...properties.ShadowProductionVariants ?? []];
      if (variants.some((v) => later(v.InstanceType))) {
        findings.add('W3030');
      }
      if (variants.some((v) => v.AcceleratorType !== undefined)) {
        findings.add('F3002');
      }
    }
  }
  return [...findings].sort();
}

/** Applies the spec's outcome to the experiment, as a user would call it. */
export function conclude(spec: Spec, experiment: InferenceExperiment): void {
  const outcome = spec.outcome;
  if (outcome === undefined) {
    return;
  }
  const options = { reason: outcome.reason.value, retainShadow: outcome.retainShadow, instanceSettings: outcome.instanceSettings };
  if (outcome.method === 'startNow') {
    experiment.startNow();
  } else {
    experiment[outcome.method](options);
  }
}
