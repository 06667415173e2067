import { Construct } from 'constructs';
import { ProblemCollector } from './validation';

/*
 * The kinds of values that the public API takes, checked at run time: TypeScript checks them at compile time, but
 * callers in plain JavaScript, and values that cross the jsii bridge as `any`, reach the construct unchecked, and a
 * wrong kind would otherwise fail deep inside it or inside aws-cdk-lib.
 */

/** A short description of what a value is, for an error message. */
export function describeKind(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  if (value === null) {
    return 'null';
  }
  if (typeof value === 'string') {
    return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return `a ${typeof value} (${value})`;
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (typeof value === 'function') {
    return 'a function';
  }
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  return Construct.isConstruct(value) ? `the construct '${value.node.path}'` : name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** One expected kind: a test, and how an error message names what it expects. */
export interface Kind {
  readonly test: (value: unknown) => boolean;
  readonly expected: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

export const STRING: Kind = { test: (v) => typeof v === 'string', expected: 'a string' };
export const NUMBER: Kind = { test: (v) => typeof v === 'number', expected: 'a number' };
export const BOOLEAN: Kind = { test: (v) => typeof v === 'boolean', expected: 'true or false' };
export const DATE: Kind = { test: (v) => v instanceof Date, expected: 'a Date' };
export const STRING_MAP: Kind = {
  test: (v) => isObject(v) && !Array.isArray(v) && Object.values(v).every((item) => typeof item === 'string'),
  expected: 'an object whose values are strings',
};
export const STRING_LIST: Kind = {
  test: (v) => Array.isArray(v) && v.every((item) => typeof item === 'string'),
  expected: 'an array of strings',
};
export const PROPS: Kind = { test: (v) => isObject(v) && !Array.isArray(v), expected: 'an object of properties' };

/**
 * A reference of aws-cdk-lib's kind: an object that has the given reference property (`endpointRef`, `keyRef`...),
 * and a construct too when the library needs its place in the app.
 */
export function reference(property: string, expected: string, construct = true): Kind {
  return { test: (v) => isObject(v) && property in v && (!construct || Construct.isConstruct(v)), expected };
}

/** One of the given values, such as the members of an enum. */
export function oneOf(values: readonly unknown[], expected: string): Kind {
  return { test: (v) => values.includes(v), expected };
}

/** An instance of a class (one whose constructor may be private, as the library's builders' are). */
export function instanceOf(type: { readonly prototype: object }, expected: string): Kind {
  return { test: (v) => isObject(v) && type.prototype.isPrototypeOf(v), expected };
}

/** Records a problem when `value` is not of `kind`; an optional property may be left out. */
export function checkKind(problems: ProblemCollector, property: string, value: unknown, kind: Kind, optional = false): boolean {
  if ((optional && value === undefined) || kind.test(value)) {
    return true;
  }
  problems.addDescribed(property, describeKind(value), `expects ${kind.expected}`);
  return false;
}

/** Throws at once when `value` is not of `kind`: for the arguments of a factory, which has nothing else to check. */
export function requireKind(subject: string, property: string, value: unknown, kind: Kind, optional = false): void {
  const problems = new ProblemCollector();
  checkKind(problems, property, value, kind, optional);
  problems.throwIfAny(subject);
}

export const SCOPE: Kind = { test: (v) => Construct.isConstruct(v), expected: 'a construct (the scope)' };
export const ENDPOINT = reference('endpointRef', 'a CfnEndpoint, an aws_sagemaker.IEndpoint or ExistingEndpoint.fromEndpointName()');
export const MODEL = reference('modelRef', 'a CfnModel or ExistingModel.fromModelName()');
export const ROLE: Kind = {
  test: (v) => Construct.isConstruct(v) && 'roleRef' in v && 'grantPrincipal' in v,
  expected: 'an iam.IRole, which can receive grants, such as an iam.Role of the app or iam.Role.fromRoleArn(); ' +
    'an iam.CfnRole cannot: import it with iam.Role.fromRoleArn(scope, id, cfnRole.attrArn)',
};
export const KEY = reference('keyRef', 'a kms.IKey, such as a kms.Key of the app or kms.Key.fromKeyArn()', false);
export const BUCKET = reference('bucketRef', 'an s3.IBucket, such as an s3.Bucket of the app or s3.Bucket.fromBucketName()', false);
export const GRANTEE: Kind = { test: (v) => isObject(v) && 'grantPrincipal' in v, expected: 'an iam.IGrantable, such as an iam.Role' };
