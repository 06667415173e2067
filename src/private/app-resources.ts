import { CfnResource, Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/*
 * Finding the L1 resources of the app that a value refers to, so that what the app defines can be checked at synth.
 */

/** The L1 behind `construct`: the construct itself, or the default child of an L2 that has one. */
export function l1Of<T extends CfnResource>(construct: IConstruct, isType: (x: unknown) => x is T): T | undefined {
  if (isType(construct)) {
    return construct;
  }
  const child = construct.node.defaultChild;
  return isType(child) ? child : undefined;
}

/**
 * The construct that `value` refers to when it is exactly one reference (`Ref` or `Fn::GetAtt`) to a resource of the
 * app; undefined for a literal or any other token.
 */
export function referenceIn(value: string): IConstruct | undefined {
  if (!Token.isUnresolved(value)) {
    return undefined;
  }
  const fragments = Tokenization.reverseString(value);
  const token = fragments.length === 1 ? fragments.firstToken : undefined;
  return token instanceof Reference ? token.target : undefined;
}

/**
 * The L1 resource of type `isType` that `value` names: the one it refers to by `Ref` or `Fn::GetAtt`, or the one
 * whose `nameOf` is the same literal, in the same account and region as `from`; undefined when there is none or it
 * cannot be known.
 */
export function resourceNamedBy<T extends CfnResource>(
  value: string | undefined,
  from: IConstruct,
  isType: (x: unknown) => x is T,
  nameOf: (resource: T) => string | undefined,
): T | undefined {
  if (value === undefined) {
    return undefined;
  }
  const target = referenceIn(value);
  if (target !== undefined) {
    return isType(target) ? target : undefined;
  }
  if (Token.isUnresolved(value)) {
    return undefined;
  }
  const here = Stack.of(from);
  return from.node.root.node.findAll().find((construct): construct is T =>
    isType(construct) && nameOf(construct) === value && sameEnvironment(Stack.of(construct), here));
}

function sameEnvironment(a: Stack, b: Stack): boolean {
  return a === b || (a.account === b.account && a.region === b.region);
}
