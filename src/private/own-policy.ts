import { Annotations, aws_iam as iam, Lazy, Names, Stack } from 'aws-cdk-lib';
import { Construct, DependencyGroup, IDependable } from 'constructs';
import { memoized } from './memo';
import { estimatedPolicyLength, ROLE_INLINE_POLICY_QUOTA } from './policy-size';
import { ROLE_POLICY_TOO_LARGE } from './warnings';

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
  protected readonly written = new DependencyGroup();
  /** The policy once written: a policy shared by several experiments is written once. */
  private attached?: IDependable;

  /** @param role the role that the policy stands for */
  constructor(private readonly role: iam.IRole) {}

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
   * Writes the policy as `id` in `scope`, attached to the role, and returns it for the experiment to depend on;
   * undefined when it holds no statement, since IAM refuses an empty policy.
   */
  public attach(scope: Construct, id: string): IDependable | undefined {
    if (this.attached !== undefined) {
      return this.attached;
    }
    if (this.document.isEmpty) {
      return undefined;
    }
    let policy: IDependable;
    if (iam.Role.isRole(this.role)) {
      policy = new InlinePolicy(scope, id, this.document, this.role);
    } else {
      // A role imported as immutable takes no policy, and only iam.Policy knows which roles do: attached to none, it
      // is not synthesized at all.
      const l2 = new iam.Policy(scope, id, { document: this.document });
      this.role.attachInlinePolicy(l2);
      policy = l2;
    }
    this.written.add(policy);
    this.attached = policy;
    return policy;
  }

  /**
   * The estimated length of the policy once deployed in `stack`, as IAM counts it (an empty policy is not written).
   */
  public estimatedLength(stack: Stack): number {
    return estimatedPolicyLength(stack.resolve(this.document.toJSON() ?? {}));
  }
}

/**
 * A policy that the experiments of a stack add to: a statement that differs from one already added only in its
 * resources is merged into it, so that the policy grows by a resource for each experiment, not by a statement, and its
 * statement IDs stay unique, as IAM requires. (An experiment's own policy adds distinct statements: it needs no merging,
 * which would cost synthesis time in apps of hundreds of experiments.)
 */
class SharedPolicy extends OwnPolicy {
  /** The statements added by all they hold but their resources. */
  private readonly statements = new Map<string, iam.PolicyStatement>();

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    const key = JSON.stringify({ ...statement.toStatementJson(), Resource: undefined });
    const existing = this.statements.get(key);
    if (existing === undefined) {
      this.statements.set(key, statement);
      return super.addToPrincipalPolicy(statement);
    }
    // IAM lists a resource once however often it is added: the rendered statement holds each once.
    existing.addResources(...statement.resources);
    return { statementAdded: true, policyDependable: this.written };
  }
}

/** The policies shared by the experiments of each stack, by the role they are attached to. */
const SHARED_POLICIES = new WeakMap<Stack, Map<iam.IRole, SharedPolicy>>();

/**
 * The one policy of `scope`'s stack that holds what the experiments of that stack grant to `role`, a role that
 * several experiments may share (one given as an experiment's role, or a model's execution role): IAM allows a role
 * 10,240 characters of inline policies in all, which a policy for each experiment would soon exceed.
 *
 * It is written at `<stack>/ShadowTestRolePolicies/<role's unique ID>` when its first statement is added; the
 * experiments then add theirs until the app is synthesized.
 */
export function sharedPolicyOf(scope: Construct, role: iam.IRole): { readonly policy: OwnPolicy; attach(): IDependable | undefined } {
  const stack = Stack.of(scope);
  const shared = memoized(SHARED_POLICIES, stack, role, () => new SharedPolicy(role));
  return {
    policy: shared,
    attach: () => shared.attach(sharedPoliciesOf(stack), Names.uniqueId(role)),
  };
}

/** The construct that holds the shared policies of `stack`, made with the stack's first shared policy. */
function sharedPoliciesOf(stack: Stack): Construct {
  return stack.node.tryFindChild(SHARED_POLICIES_ID) as Construct | undefined ?? newSharedPolicies(stack);
}

/**
 * Warns when a shared policy alone may exceed IAM's quota of inline policy characters per role, which makes its
 * deployment fail: the experiments of a stack that share a role each add their endpoint and models to it. The
 * policies are measured once the app is complete.
 */
function newSharedPolicies(stack: Stack): Construct {
  const container = new Construct(stack, SHARED_POLICIES_ID);
  container.node.addValidation({
    validate: () => {
      for (const [role, shared] of SHARED_POLICIES.get(stack)!) {
        const length = shared.estimatedLength(stack);
        if (length > ROLE_INLINE_POLICY_QUOTA) {
          Annotations.of(container).addWarningV2(ROLE_POLICY_TOO_LARGE, 'The shadow tests of this stack that share the ' +
            `role '${role.node.path}' grant it a policy of about ${length} characters, and IAM allows a role ` +
            `${ROLE_INLINE_POLICY_QUOTA} characters of inline policies in all: the deployment fails. Leave the ` +
            'experiments\' role out, so that each gets a role of its own, or share the role among fewer experiments.');
        }
      }
      return [];
    },
  });
  return container;
}

/** The id of the construct that holds the shared policies in each stack. */
export const SHARED_POLICIES_ID = 'ShadowTestRolePolicies';

/**
 * The `AWS::IAM::Policy` that iam.Policy writes for roles defined in the app, with the same logical ID, name and
 * document, at a fraction of its synthesis cost (it counts in apps of hundreds of experiments): these roles always
 * take the policy, so none of iam.Policy's deferred decisions are needed.
 */
class InlinePolicy extends Construct {
  constructor(scope: Construct, id: string, document: iam.PolicyDocument, role: iam.Role) {
    super(scope, id);
    const resource: iam.CfnPolicy = new iam.CfnPolicy(this, 'Resource', {
      policyDocument: document,
      // The end of the logical ID, as iam.Policy names its policies: unique in the stack, and stable.
      policyName: Lazy.string({
        produce: () => Stack.of(this).resolve(resource.logicalId).slice(-POLICY_NAME_MAX_LENGTH),
      }),
      roles: [nameOfRole(role)],
    });
    this.node.addValidation({ validate: () => document.validateForIdentityPolicy() });
  }
}

/**
 * The name of `role`, a role of the app, as a reference to its resource: what `role.roleName` resolves to, made
 * cheaply (`roleName` is a token that picks between that reference and a physical name, for a role of another
 * environment, which SageMaker could not assume for the experiment anyway).
 */
function nameOfRole(role: iam.Role): string {
  return (role.node.defaultChild as iam.CfnRole).ref;
}
