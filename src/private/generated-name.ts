import { Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { EXPERIMENT_NAME } from './rules';

const HASH_LENGTH = 8;

/**
 * The name of an experiment given none: unique in the app, valid for the API, stable while the experiment's
 * create-only properties stay the same, and new whenever one of them changes.
 *
 * CloudFormation replaces the experiment when a create-only property changes, and refuses to replace a resource
 * under an unchanged name, so the name carries a hash of those properties' values as the template will hold them.
 */
export function generatedExperimentName(experiment: IConstruct, createOnlyValues: Record<string, string | undefined>): string {
  const path = experiment.node.path;
  const values = Object.entries(createOnlyValues)
    .map(([property, value]) => `${property}=${value === undefined ? '' : fingerprint(experiment, value)}`)
    .join(';');
  // One hash of the path and the values: the path makes the name unique in the app, the values make it follow them.
  return `${readablePart(path)}-${fnv1a(`${path}\n${values}`)}`;
}

const READABLE_LENGTH = EXPERIMENT_NAME.maxLength! - HASH_LENGTH - 1;

/** The path's ids in the name's alphabet (letters and digits), its start and end kept when it is too long. */
function readablePart(path: string): string {
  const text = path.split('/').filter((id) => id !== 'Default').join('').replace(/[^a-zA-Z0-9]/g, '');
  if (text.length === 0) {
    return 'InferenceExperiment';
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
 * What identifies `value` in the template: the text itself, and for each token the resource and attribute that it
 * refers to (which change with the resource), or else its resolved form.
 */
function fingerprint(scope: IConstruct, value: string): string {
  if (!Token.isUnresolved(value)) {
    return value;
  }
  return Tokenization.reverseString(value)
    .mapTokens({
      mapToken: (token) => (token instanceof Reference
        ? `<${token.target.node.path}.${token.displayName}>`
        : JSON.stringify(Stack.of(scope).resolve(token))),
    })
    .join({ join: (left, right) => `${left}${right}` });
}
