import { CfnElement, CfnResource, Lazy, Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { mayBeOverridden, renderedProperties } from './rendered';
import { EXPERIMENT_NAME } from './rules';

const HASH_LENGTH = 8;

/**
 * The properties whose change makes CloudFormation replace a resource of each type that an experiment's create-only
 * properties can refer to (the `createOnlyProperties` of the types' registry schemas): a replaced resource gets a new
 * ARN or name, so the experiment that refers to it is replaced too. A KMS key is never replaced by an update (an
 * update of its immutable properties fails instead), so only its logical ID counts.
 */
const REPLACED_WHEN_CHANGED: Record<string, string[]> = {
  'AWS::IAM::Role': ['Path', 'RoleName'],
  'AWS::SageMaker::Endpoint': ['EndpointName'],
  'AWS::KMS::Alias': ['AliasName'],
};

/**
 * The name of an experiment given none: unique in the app, valid for the API, in lower case, stable while the
 * experiment's create-only properties stay the same as CloudFormation sees them, and new whenever CloudFormation will
 * replace the experiment.
 *
 * CloudFormation replaces the experiment when its logical ID or a create-only property's value changes, and refuses
 * to create the replacement under the name of the resource it replaces, so the name carries a hash of what decides
 * those values in the template: the experiment's logical ID, the literal values, and for each reference the resource
 * it refers to (its stack and logical ID) with the properties whose change replaces that resource. The name is made
 * once the app is complete (logical IDs can be overridden after the experiment is defined), when it is first resolved.
 *
 * It is in lower case because SageMaker may write the name in lower case in the experiment's ARN (it does for
 * endpoints; it is not documented for experiments): a lower-case name has one ARN whichever it does.
 */
export function generatedExperimentName(
  experiment: IConstruct, resource: () => CfnElement, createOnlyValues: Record<string, string | undefined>,
): string {
  return Lazy.string({
    produce: () => {
      const path = experiment.node.path;
      const values = Object.entries(createOnlyValues)
        .map(([property, value]) => `${property}=${value === undefined ? '' : fingerprint(experiment, value)}`)
        .join(';');
      // The path makes the name unique in the app, the logical ID and the values make it follow replacements.
      const logicalId = Stack.of(experiment).resolve(resource().logicalId);
      return `${readablePart(path)}-${fnv1a(`${path}\n${logicalId}\n${values}`)}`;
    },
  });
}

const READABLE_LENGTH = EXPERIMENT_NAME.maxLength! - HASH_LENGTH - 1;

/** The path's ids in the name's alphabet (lower-case letters and digits), its start and end kept when it is too long. */
function readablePart(path: string): string {
  const text = path.split('/').filter((id) => id !== 'Default').join('').replace(/[^a-zA-Z0-9]/g, '').toLowerCase();
  if (text.length === 0) {
    return 'inferenceexperiment';
  }
  if (text.length <= READABLE_LENGTH) {
    return text;
  }
  const head = Math.floor(READABLE_LENGTH / 2);
  return `${text.slice(0, head)}${text.slice(text.length - (READABLE_LENGTH - head))}`;
}

/**
 * The 32-bit FNV-1a hash of `text`, in 8 hexadecimal digits. The name only has to change when the values do, and
 * this costs a fraction of a cryptographic hash, for each experiment of an app.
 */
/* eslint-disable no-bitwise -- FNV-1a is defined by an exclusive or and a 32-bit unsigned product */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(HASH_LENGTH, '0');
}
/* eslint-enable no-bitwise */

/**
 * What decides `value` in the template: the text itself; for each reference, the resource it refers to as
 * CloudFormation knows it (stack, logical ID, attribute) and the properties whose change replaces that resource;
 * for any other token, its resolved form.
 */
function fingerprint(scope: IConstruct, value: string): string {
  if (!Token.isUnresolved(value)) {
    return value;
  }
  return Tokenization.reverseString(value)
    .mapTokens({
      mapToken: (token) => (token instanceof Reference && CfnElement.isCfnElement(token.target)
        ? referenceFingerprint(token.target, token.displayName)
        : textOf(Stack.of(scope).resolve(token))),
    })
    .join({ join: (left, right) => `${left}${right}` });
}

/** A resolved value as the template writes it: a string as itself, so that a lazy value and a literal agree. */
function textOf(resolved: unknown): string {
  return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
}

function referenceFingerprint(target: CfnElement, attribute: string): string {
  const stack = Stack.of(target);
  const where = `${stack.artifactId}:${stack.resolve(target.logicalId)}.${attribute}`;
  const replacing = CfnResource.isCfnResource(target) ? REPLACED_WHEN_CHANGED[target.cfnResourceType] : undefined;
  if (replacing === undefined) {
    return `<${where}>`;
  }
  return `<${where}:${JSON.stringify(replacingValues(target as CfnResource, replacing))}>`;
}

/**
 * The values of `properties` as the template holds them. Without escape-hatch overrides, they are the L1's own
 * (resolved): rendering the whole resource costs more, for each experiment of an app. The values are the same either way,
 * so the name does not change when an unrelated override is added.
 */
function replacingValues(resource: CfnResource, properties: string[]): unknown[] {
  const rendered = mayBeOverridden(resource) ? renderedProperties(resource) : undefined;
  const stack = Stack.of(resource);
  return properties.map((property) => (rendered
    ? rendered[property]
    : stack.resolve((resource as unknown as Record<string, unknown>)[property.charAt(0).toLowerCase() + property.slice(1)])) ?? null);
}
