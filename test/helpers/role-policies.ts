import { aws_iam as iam, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { deployedValue } from './cloudformation';

/** How the template of its own stack refers to `role`, a role of the app: `{ Ref: <its logical ID> }`. */
export function roleRefOf(role: iam.IRole): { Ref: string } {
  return { Ref: Stack.of(role).resolve((role.node.defaultChild as iam.CfnRole).logicalId) };
}

/** The AWS::IAM::Policy resources of `template` attached to the role that `roleRef` names (a `Ref`, or a role name). */
export function policiesOfRole(template: Template, roleRef: unknown): any[] {
  const named = JSON.stringify(roleRef);
  return Object.values<any>(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === named));
}

/** The statements of every policy of `template` attached to the role that `roleRef` names. */
export function statementsOfRole(template: Template, roleRef: unknown): any[] {
  return policiesOfRole(template, roleRef).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

/** The characters of a role's inline policies once deployed, without whitespace, as IAM counts them. */
export function inlinePolicyCharacters(template: Template, roleRef: unknown): number {
  const json = template.toJSON();
  return policiesOfRole(template, roleRef)
    .reduce((sum, policy) => sum + JSON.stringify(deployedValue(policy.Properties.PolicyDocument, json)).length, 0);
}
