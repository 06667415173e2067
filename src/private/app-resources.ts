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
export function referenceIn(value: string | undefined): IConstruct | undefined {
  if (!Token.isUnresolved(value)) {
    return undefined;
  }
  // An unresolved value is a string: undefined is not unresolved.
  const fragments = Tokenization.reverseString(value!);
  const token = fragments.length === 1 ? fragments.firstToken : undefined;
  return token instanceof Reference ? token.target : undefined;
}

/** Whether two stacks deploy to the same account and region: the same stack, or the same known environment. */
export function sameEnvironment(a: Stack, b: Stack): boolean {
  return a === b || (a.account === b.account && a.region === b.region);
}
