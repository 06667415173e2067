import { aws_iam as iam, Lazy, Stack } from 'aws-cdk-lib';
import { Construct, DependencyGroup, IDependable } from 'constructs';

/** The longest name IAM takes for an inline policy. */
const POLICY_NAME_MAX_LENGTH = 128;

/**
 * A policy of the experiment's own, that stands for `role` as a grantee: every statement granted to it is collected
 * here, and written as an inline policy beside the experiment once the grants are made.
 *
 * aws-cdk-lib's grant APIs (a bucket's, a key's) put statements in the grantee's default policy, which lives in the
 * role's stack and is a prerequisite of whatever depends on the role. Collected in a policy of the experiment's own,
 * the same statements can name resources of any stack without forming a cycle.
 */
export class OwnPolicy implements iam.IPrincipal {
  public readonly grantPrincipal: iam.IPrincipal = this;
  private readonly document = new iam.PolicyDocument();
  // Grants return it as the policy that holds their statements, before the policy itself is written.
  private readonly written = new DependencyGroup();

  constructor(private readonly role: iam.IGrantable) {}

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
    this.document.addStatements(statement);
    return { statementAdded: true, policyDependable: this.written };
  }

  /**
   * Writes the policy as `id` in `scope`, attached to each of `roles` that takes inline policies, and returns it for
   * the experiment to depend on; undefined when it holds no statement or there is no role, since IAM refuses an
   * empty policy and a policy attached to nothing.
   */
  public attach(scope: Construct, id: string, roles: iam.IRole[]): IDependable | undefined {
    if (this.document.isEmpty || roles.length === 0) {
      return undefined;
    }
    const unique = [...new Set(roles)];
    let policy: IDependable;
    if (unique.every((role) => iam.Role.isRole(role))) {
      policy = new InlinePolicy(scope, id, this.document, unique);
    } else {
      // A role imported as immutable takes no policy, and only iam.Policy knows which roles do: attached to none of
      // them, it is not synthesized at all.
      const l2 = new iam.Policy(scope, id, { document: this.document });
      unique.forEach((role) => role.attachInlinePolicy(l2));
      policy = l2;
    }
    this.written.add(policy);
    return policy;
  }
}

/**
 * The `AWS::IAM::Policy` that iam.Policy writes for roles defined in the app, with the same logical ID, name and
 * document, at a fraction of its synthesis cost (it counts in apps of hundreds of experiments): these roles always
 * take the policy, so none of iam.Policy's deferred decisions are needed.
 */
class InlinePolicy extends Construct {
  constructor(scope: Construct, id: string, document: iam.PolicyDocument, roles: iam.IRole[]) {
    super(scope, id);
    const resource: iam.CfnPolicy = new iam.CfnPolicy(this, 'Resource', {
      policyDocument: document,
      // The end of the logical ID, as iam.Policy names its policies: unique in the stack, and stable.
      policyName: Lazy.string({
        produce: () => Stack.of(this).resolve(resource.logicalId).slice(-POLICY_NAME_MAX_LENGTH),
      }),
      roles: roles.map((role) => nameOfRole(role, this)),
    });
    this.node.addValidation({ validate: () => document.validateForIdentityPolicy() });
  }
}

/**
 * What `role.roleName` resolves to in `scope`'s stack, made cheaply: in the role's own stack, a reference to its
 * resource. `roleName` makes a token that picks between that reference and a physical name, for each role.
 */
function nameOfRole(role: iam.IRole, scope: Construct): string {
  const resource = role.node.defaultChild;
  return iam.CfnRole.isCfnRole(resource) && Stack.of(resource) === Stack.of(scope) ? resource.ref : role.roleName;
}
