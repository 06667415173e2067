import { CfnResource, Stack } from 'aws-cdk-lib';
import { sameEnvironment } from './app-resources';
import { mayBeOverridden, renderedProperties } from './rendered';

/*
 * The app's L1 resources as CloudFormation will read them (see `renderedProperties()`), and the resources that their
 * rendered values name, for checks that must see what deploys rather than the L1's props, which miss the overrides.
 *
 * In the rendered template, a resource of the same stack is referred to as `{ Ref: logicalId }` or
 * `{ 'Fn::GetAtt': [logicalId, attribute] }`; any other intrinsic function (a resource of another stack is an
 * `Fn::ImportValue`, a parameter is a `Ref` to no resource, `Fn::Join`, `Fn::If`...) is a value known only at deploy
 * time.
 */

/** An object of the rendered template: its keys are CloudFormation's. */
export type Rendered = { readonly [key: string]: unknown };


function isObject(value: unknown): value is Rendered {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `value` is an intrinsic function: a value that CloudFormation works out at deploy time. */
function isIntrinsic(value: Rendered): boolean {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

/** `value` when it is a plain object of the template; undefined when it is absent or known only at deploy time. */
export function objectIn(value: unknown): Rendered | undefined {
  return isObject(value) && !isIntrinsic(value) ? value : undefined;
}

/** `value` when it is a plain string of the template. */
export function stringIn(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The items of `value` when it is a list of plain objects, every one known at synth time; undefined otherwise. */
export function objectsIn(value: unknown): Rendered[] | undefined {
  if (!Array.isArray(value)) {
    return undefined;
  }
  const items = value.map(objectIn);
  return items.every((item) => item !== undefined) ? items as Rendered[] : undefined;
}

/** The logical ID that `value` refers to, when it is a `Ref` or an `Fn::GetAtt`. */
function referredLogicalId(value: unknown): string | undefined {
  if (!isObject(value) || Object.keys(value).length !== 1) {
    return undefined;
  }
  const getAtt = value['Fn::GetAtt'];
  return stringIn(value.Ref) ?? (Array.isArray(getAtt) ? stringIn(getAtt[0]) : undefined);
}

/**
 * The L1 resources of each stack by logical ID, kept from one validation to the next, since searching the stack for
 * each of a hundred experiments would cost more than the checks themselves. An entry is used only once its resource
 * is found to have that logical ID still, and the stack is searched again when it has none.
 */
const BY_LOGICAL_ID = new WeakMap<Stack, Map<string, CfnResource>>();

/**
 * The app's L1 resources, rendered on demand, each at most once for the life of the object: one validation, so that
 * a resource read by several checks is rendered once, and a later validation sees the app as it is then.
 */
export class RenderedResources {
  private readonly properties = new Map<CfnResource, Rendered | undefined>();
  private readonly logicalIds = new Map<CfnResource, string>();
  private readonly stacksSearched = new Set<Stack>();
  private resourcesOfApp?: CfnResource[];

  /** The properties of `l1` in the template (an empty object when it has none); undefined when it cannot be rendered. */
  public propertiesOf(l1: CfnResource): Rendered | undefined {
    if (!this.properties.has(l1)) {
      this.properties.set(l1, this.render(l1));
    }
    return this.properties.get(l1);
  }

  /**
   * The L1 resource that `value`, read from the rendered properties of `from`, names, among those that `isType`
   * accepts: the one of the same stack that it refers to by `Ref` or `Fn::GetAtt`, or, for a literal name, the one
   * whose rendered `nameProperty` is that name, in the same account and region; undefined when there is none or it
   * cannot be known.
   *
   * @param declaredName the name that a resource's own properties give it: resources with another name and no
   * overrides are not rendered, since they cannot have the name
   */
  public resourceNamedBy<T extends CfnResource>(
    value: unknown,
    from: CfnResource,
    isType: (x: unknown) => x is T,
    nameProperty: string,
    declaredName: (resource: T) => string | undefined,
  ): T | undefined {
    const name = stringIn(value);
    if (name !== undefined) {
      const here = Stack.of(from);
      return this.appResources(from).find((resource): resource is T => isType(resource) &&
        (declaredName(resource) === name || mayBeOverridden(resource)) && sameEnvironment(Stack.of(resource), here) &&
        this.propertiesOf(resource)?.[nameProperty] === name);
    }
    const logicalId = referredLogicalId(value);
    if (logicalId === undefined) {
      return undefined;
    }
    const resource = this.resourceWithLogicalId(Stack.of(from), logicalId);
    return isType(resource) ? resource : undefined;
  }

  private render(l1: CfnResource): Rendered | undefined {
    try {
      return renderedProperties(l1);
    } catch {
      // What cannot be rendered yet (a reference to another stack before synthesis prepares it, say) is not checked:
      // synthesis reports the error itself if it remains.
      return undefined;
    }
  }

  private logicalIdOf(l1: CfnResource): string {
    if (!this.logicalIds.has(l1)) {
      this.logicalIds.set(l1, Stack.of(l1).resolve(l1.logicalId));
    }
    return this.logicalIds.get(l1)!;
  }

  /** The L1 resource of `stack` itself (not of a nested stack) whose logical ID is `logicalId`. */
  private resourceWithLogicalId(stack: Stack, logicalId: string): CfnResource | undefined {
    const indexed = BY_LOGICAL_ID.get(stack)?.get(logicalId);
    if (indexed !== undefined && this.logicalIdOf(indexed) === logicalId) {
      return indexed;
    }
    if (this.stacksSearched.has(stack)) {
      return undefined;
    }
    this.stacksSearched.add(stack);
    const resources = stack.node.findAll().filter((construct): construct is CfnResource =>
      CfnResource.isCfnResource(construct) && Stack.of(construct) === stack);
    const index = new Map(resources.map((resource) => [this.logicalIdOf(resource), resource]));
    BY_LOGICAL_ID.set(stack, index);
    return index.get(logicalId);
  }

  private appResources(from: CfnResource): CfnResource[] {
    this.resourcesOfApp ??= from.node.root.node.findAll().filter(CfnResource.isCfnResource);
    return this.resourcesOfApp;
  }
}
