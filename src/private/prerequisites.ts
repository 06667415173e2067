import { CfnResource } from 'aws-cdk-lib';
import { Dependable, IConstruct, IDependable } from 'constructs';
import { referenceIn } from './app-resources';

/*
 * What the experiment waits for. CloudFormation already orders a resource after the resources that its properties
 * refer to, and cfn-lint warns of a DependsOn that repeats such a reference (W3005), so the experiment depends only on
 * what its references do not cover.
 */

/**
 * What the experiment must wait for in `construct`, given the value of it that the template holds (a name or an
 * ARN): nothing for a reference to a resource that defines none; for a value that refers to one of its resources,
 * everything else it defines (an L2 role's default policy, for instance); all of it otherwise.
 */
export function prerequisiteOf(construct: IConstruct, valueInTemplate: string): IDependable | undefined {
  if (!definesResources(construct)) {
    return undefined;
  }
  const referenced = referenceIn(valueInTemplate);
  if (referenced === undefined || !isWithin(referenced, construct)) {
    return construct;
  }
  // Read when the app is prepared, so that what is added to the construct after the experiment counts too.
  const rest = {};
  Dependable.implement(rest, { get dependencyRoots() { return rootsBesides(construct, referenced); } });
  return rest;
}

/**
 * Whether a construct may define CloudFormation resources to wait for: a reference to an existing resource (a leaf
 * that is not a resource itself) defines none, and depending on it would only cost synthesis time.
 */
function definesResources(construct: IConstruct): boolean {
  return CfnResource.isCfnResource(construct) || construct.node.children.length > 0;
}

function isWithin(inner: IConstruct, outer: IConstruct): boolean {
  return inner === outer || inner.node.path.startsWith(`${outer.node.path}/`);
}

/** The subtrees of `construct` that together hold all of it but `excluded`. */
function rootsBesides(construct: IConstruct, excluded: IConstruct): IConstruct[] {
  if (construct === excluded) {
    return [];
  }
  if (!isWithin(excluded, construct)) {
    return [construct];
  }
  return construct.node.children.flatMap((child) => rootsBesides(child, excluded));
}

