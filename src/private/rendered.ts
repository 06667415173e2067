import { CfnResource, Stack } from 'aws-cdk-lib';

/**
 * The properties of `resource` as its template will hold them: escape-hatch overrides (`addPropertyOverride()`,
 * `addOverride()`, deletion overrides) applied, and tokens resolved in the resource's own stack (a reference is then
 * `{ Ref }` or `{ 'Fn::GetAtt' }`). What CloudFormation reads, where the L1's props alone miss the overrides.
 *
 * `_toCloudFormation()` is internal in aws-cdk-lib's typings, but it is how every aws-cdk-lib 2 release renders a
 * resource, and it is the one way to read the overrides, which are private.
 */
export function renderedProperties(resource: CfnResource): Record<string, unknown> {
  const rendered = Stack.of(resource).resolve((resource as unknown as { _toCloudFormation(): object })._toCloudFormation());
  const [definition] = Object.values<{ Properties?: Record<string, unknown> }>(rendered?.Resources ?? {});
  return definition?.Properties ?? {};
}

/**
 * Whether `resource` has escape-hatch overrides, so that its template may differ from its props. aws-cdk-lib keeps them
 * in a private field that every 2.x release has; were it ever missing, every L1 is taken as possibly overridden, which
 * is slower, not wrong.
 */
export function mayBeOverridden(resource: CfnResource): boolean {
  const overrides: unknown = (resource as unknown as { rawOverrides?: unknown }).rawOverrides;
  return typeof overrides !== 'object' || overrides === null || Object.keys(overrides).length > 0;
}
