import { aws_iam as iam, Stack, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';

/**
 * The roles that the library defines without a name: CloudFormation names them at deploy time, so no other account or
 * region can refer to them in a template.
 */
export const ROLES_NAMED_AT_DEPLOY_TIME = new WeakSet<IConstruct>();

/** Whether `grantee` is known to be in another account or region than `scope`'s stack. */
export function isInAnotherEnvironment(grantee: iam.IGrantable, scope: IConstruct): boolean {
  const here = Stack.of(scope);
  const principal = grantee.grantPrincipal;
  const there = Construct.isConstruct(principal)
    ? { account: Stack.of(principal).account, region: Stack.of(principal).region }
    : { account: principal.principalAccount, region: undefined };
  return environmentsDiffer(there, here);
}

/** Whether two accounts and regions are known to differ: values that are missing or known only at deploy time do not. */
export function environmentsDiffer(
  there: { readonly account?: string; readonly region?: string },
  here: { readonly account?: string; readonly region?: string },
): boolean {
  const differs = (a: string | undefined, b: string | undefined) =>
    a !== undefined && b !== undefined && !Token.isUnresolved(a) && !Token.isUnresolved(b) && a !== b;
  return differs(there.account, here.account) || differs(there.region, here.region);
}
