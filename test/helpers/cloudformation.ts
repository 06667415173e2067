/*
 * Checks a synthesized AWS::SageMaker::InferenceExperiment the way CloudFormation and SageMaker would: against the
 * registry schema (test/fixtures) and against the service rules that the schema does not encode. Written from the
 * resource's documentation, independently of the library's own rules, so that the two can disagree.
 */
import Ajv from 'ajv';
import * as schema from '../fixtures/inference-experiment.schema.json';

export const EXPERIMENT_TYPE = 'AWS::SageMaker::InferenceExperiment';

const ajv = new Ajv({ allErrors: true, strict: true });
const validateSchema = ajv.compile(schema);

/**
 * What a template parameter stands for: a value known only at deploy time. The checks skip any value that holds
 * it, as CloudFormation can only check such a value once it is known.
 */
export const DEPLOY_TIME_VALUE = '<<deploy-time value>>';

/** Errors of the registry schema for these resource properties; none means valid. */
export function schemaErrors(properties: unknown): string[] {
  if (validateSchema(properties)) {
    return [];
  }
  return (validateSchema.errors ?? [])
    .filter((e) => !holdsDeployTimeValue(valueAt(properties, e.instancePath)))
    .map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

function valueAt(root: unknown, pointer: string): unknown {
  return pointer.split('/').slice(1).reduce<any>((value, key) => value?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], root);
}

function holdsDeployTimeValue(value: unknown): boolean {
  return JSON.stringify(value ?? null).includes(DEPLOY_TIME_VALUE);
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

/**
 * The properties of the template's only inference experiment, with each intrinsic function replaced by a value
 * of the kind it would produce at deploy time (a role ARN for a role's Arn, a bucket name for a bucket's Ref...).
 */
export function deployedExperimentProperties(template: any): any {
  const experiments = Object.values<any>(template.Resources ?? {}).filter((r) => r.Type === EXPERIMENT_TYPE);
  if (experiments.length !== 1) {
    throw new Error(`expected one ${EXPERIMENT_TYPE}, found ${experiments.length}`);
  }
  return resolveIntrinsics(experiments[0].Properties, template);
}

/** `value`, from `template`, with each intrinsic function replaced by a value of the kind it produces at deploy time. */
export function deployedValue(value: unknown, template: any): unknown {
  return resolveIntrinsics(value, template);
}

function resolveIntrinsics(value: unknown, template: any): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => resolveIntrinsics(item, template));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [[fn, args]] = entries;
    if (fn === 'Ref') {
      return standInForRef(args as string, template);
    }
    if (fn === 'Fn::GetAtt') {
      const [logicalId, attribute] = args as [string, string];
      return standInForAttribute(logicalId, attribute, template);
    }
    if (fn === 'Fn::Join') {
      const [separator, parts] = args as [string, unknown[]];
      return parts.map((part) => resolveIntrinsics(part, template)).join(separator);
    }
    if (fn.startsWith('Fn::')) {
      throw new Error(`no stand-in for ${fn}`);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, template)]));
}

function standInForRef(name: string, template: any): string {
  const pseudo: Record<string, string> = {
    'AWS::AccountId': ACCOUNT, 'AWS::Region': REGION, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com',
  };
  if (name in pseudo) {
    return pseudo[name];
  }
  if (template.Parameters?.[name] !== undefined) {
    return DEPLOY_TIME_VALUE;
  }
  const type = resourceType(name, template);
  switch (type) {
    case 'AWS::S3::Bucket': return name.toLowerCase().slice(0, 63);
    case 'AWS::KMS::Key': return '1234abcd-12ab-34cd-56ef-1234567890ab';
    case 'AWS::IAM::Role': return name;
    case 'AWS::SageMaker::Model': return `arn:aws:sagemaker:${REGION}:${ACCOUNT}:model/model-${name.toLowerCase()}`.slice(0, 63);
    default: throw new Error(`no stand-in for Ref of ${type}`);
  }
}

function standInForAttribute(logicalId: string, attribute: string, template: any): string {
  const type = resourceType(logicalId, template);
  switch (`${type}.${attribute}`) {
    case 'AWS::IAM::Role.Arn': return `arn:aws:iam::${ACCOUNT}:role/${logicalId}`;
    case 'AWS::KMS::Key.Arn': return `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    case 'AWS::S3::Bucket.Arn': return `arn:aws:s3:::${logicalId.toLowerCase()}`;
    case 'AWS::SageMaker::Endpoint.EndpointName': return `Endpoint-${logicalId}`.slice(0, 63);
    case 'AWS::SageMaker::Model.ModelName': return `Model-${logicalId}`.slice(0, 63);
    default: throw new Error(`no stand-in for Fn::GetAtt ${type}.${attribute}`);
  }
}

function resourceType(logicalId: string, template: any): string {
  const resource = template.Resources?.[logicalId];
  if (!resource) {
    throw new Error(`${logicalId} is not a resource of the template`);
  }
  return resource.Type;
}

const VARIANT_NAME = /^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const MAX_DAYS_MS = 30 * 24 * 3_600_000;

/**
 * Violations of the SageMaker rules that the registry schema does not encode (CreateInferenceExperiment's
 * required members, the API's patterns, and the cross-field rules of a shadow test).
 */
export function serviceRuleViolations(p: any): string[] {
  const violations: string[] = [];
  const fail = (message: string) => {
    if (!message.includes(DEPLOY_TIME_VALUE)) {
      violations.push(message);
    }
  };

  if (typeof p.Name !== 'string' || !/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}$/.test(p.Name)) {
    fail(`Name ${JSON.stringify(p.Name)} does not match the API pattern`);
  }
  if (typeof p.EndpointName !== 'string' || !/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(p.EndpointName)) {
    fail(`EndpointName ${JSON.stringify(p.EndpointName)} does not match the API pattern`);
  }
  const variants: any[] = p.ModelVariants ?? [];
  if (variants.length < 1 || variants.length > 2) {
    fail(`ModelVariants has ${variants.length} items, not 1 or 2`);
  }
  for (const variant of variants) {
    if (!/^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/.test(variant.ModelName) || variant.ModelName.length > 63) {
      fail(`ModelName ${JSON.stringify(variant.ModelName)} does not match the API pattern`);
    }
    if (!VARIANT_NAME.test(variant.VariantName)) {
      fail(`VariantName ${JSON.stringify(variant.VariantName)} does not match the API pattern`);
    }
    const count = variant.InfrastructureConfig?.RealTimeInferenceConfig?.InstanceCount;
    if (!Number.isInteger(count) || count < 1) {
      fail(`InstanceCount ${count} is not a whole number of at least 1`);
    }
  }
  const shadowMode = p.ShadowModeConfig;
  // A template that concludes a test with one variant can only stop a running test (the handler's stop reads the
  // variants' roles from the test itself); it cannot create one, and the construct warns of it.
  const concludedWithOneVariant = ['Completed', 'Cancelled'].includes(p.DesiredState) && variants.length === 1;
  if (shadowMode === undefined) {
    if (!concludedWithOneVariant) {
      fail('ShadowModeConfig is missing (CreateInferenceExperiment requires it)');
    }
  } else {
    const names = variants.map((v) => v.VariantName);
    const source = shadowMode.SourceModelVariantName;
    const shadows: any[] = shadowMode.ShadowModelVariants ?? [];
    if (shadows.length !== 1) {
      fail(`ShadowModelVariants has ${shadows.length} items, not 1`);
    }
    if (!names.includes(source)) {
      fail(`SourceModelVariantName ${source} is not in ModelVariants (${names})`);
    }
    for (const shadow of shadows) {
      if (!names.includes(shadow.ShadowModelVariantName)) {
        fail(`ShadowModelVariantName ${shadow.ShadowModelVariantName} is not in ModelVariants (${names})`);
      }
      if (shadow.ShadowModelVariantName === source) {
        fail(`the shadow variant is the production variant (${source})`);
      }
      const percentage = shadow.SamplingPercentage;
      if (!Number.isInteger(percentage) || percentage < 0 || percentage > 100) {
        fail(`SamplingPercentage ${percentage} is not a whole number from 0 to 100`);
      }
    }
  }
  if (p.Schedule !== undefined) {
    const start = Date.parse(p.Schedule.StartTime);
    const end = Date.parse(p.Schedule.EndTime);
    if (Number.isNaN(start) || Number.isNaN(end)) {
      fail(`Schedule ${JSON.stringify(p.Schedule)} is not ISO-8601`);
    } else if (end <= start || end - start > MAX_DAYS_MS) {
      fail(`Schedule ${JSON.stringify(p.Schedule)} does not last more than 0 and at most 30 days`);
    }
  }
  for (const key of [p.KmsKey, p.DataStorageConfig?.KmsKey]) {
    if (key !== undefined && !/^[a-zA-Z0-9:/_-]*$/.test(key)) {
      fail(`KMS key ${key} does not match the API pattern`);
    }
  }
  return violations;
}

/**
 * What the resource handler does to each variant when it stops a running test, from the template's
 * `ModelVariants` (the handler's mapping, as read from its source): the production variant is retained when it is
 * listed and removed otherwise; then the shadow variant is promoted when only it is listed, retained when it is
 * listed with the production variant, and removed when it is not listed.
 */
export function handlerStopActions(properties: any, productionName: string, shadowName: string): Record<string, string> {
  const listed = (properties.ModelVariants as any[]).map((v) => v.VariantName);
  const productionKept = listed.includes(productionName);
  const shadowAction = !listed.includes(shadowName) ? 'Remove' : productionKept ? 'Retain' : 'Promote';
  return { [productionName]: productionKept ? 'Retain' : 'Remove', [shadowName]: shadowAction };
}

/**
 * A cycle among the template's resources, as CloudFormation orders them (`Ref`, `Fn::GetAtt`, `Fn::Sub` and
 * `DependsOn`), or undefined when there is none: CloudFormation rejects a template with a cycle, and CDK does not
 * report one within a stack.
 */
export function dependencyCycle(template: any): string[] | undefined {
  const resources: Record<string, any> = template.Resources ?? {};
  const edges = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(resources)) {
    const targets = new Set<string>([resource.DependsOn ?? []].flat());
    collectReferences(resource.Properties, targets);
    edges.set(id, new Set([...targets].filter((target) => target in resources)));
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): string[] | undefined => {
    if (state.get(id) === 'visiting') {
      return [...path.slice(path.indexOf(id)), id];
    }
    if (state.get(id) === 'done') {
      return undefined;
    }
    state.set(id, 'visiting');
    for (const target of edges.get(id) ?? []) {
      const cycle = visit(target, [...path, id]);
      if (cycle) {
        return cycle;
      }
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id, []);
    if (cycle) {
      return cycle;
    }
  }
  return undefined;
}

function collectReferences(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    value.forEach((item) => collectReferences(item, into));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') {
        into.add(inner);
      } else if (key === 'Fn::GetAtt') {
        into.add(Array.isArray(inner) ? inner[0] : String(inner).split('.')[0]);
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        for (const match of String(text).matchAll(/\$\{([A-Za-z0-9]+)[.}]/g)) {
          into.add(match[1]);
        }
        collectReferences(Array.isArray(inner) ? inner[1] : undefined, into);
      } else {
        collectReferences(inner, into);
      }
    }
  }
}
