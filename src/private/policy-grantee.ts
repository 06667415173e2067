import { aws_iam as iam } from 'aws-cdk-lib';

/**
 * A grantee that stands for `role` but collects every statement granted to it in `policy`.
 *
 * aws-cdk-lib's grant APIs (a bucket's, a key's) put statements in the grantee's default policy, which lives in the
 * role's stack and is a prerequisite of whatever depends on the role. Routed into a policy of the experiment's own,
 * the same statements can name resources of any stack without forming a cycle.
 */
export class PolicyGrantee implements iam.IPrincipal {
  public readonly grantPrincipal: iam.IPrincipal = this;

  constructor(private readonly policy: iam.Policy, private readonly role: iam.IGrantable) {}

  public get assumeRoleAction(): string {
    return this.role.grantPrincipal.assumeRoleAction;
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return this.role.grantPrincipal.policyFragment;
  }

  public get principalAccount(): string | undefined {
    return this.role.grantPrincipal.principalAccount;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
}
