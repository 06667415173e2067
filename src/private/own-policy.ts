import { Annotations, aws_iam as iam, Lazy, Names, Stack } from 'aws-cdk-lib';
import { Construct, DependencyGroup, IConstruct, IDependable } from 'constructs';
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
  private readonly written = new DependencyGroup();
  /** The statements of the document by all they hold but their resources, to merge those that differ only there. */
  private readonly statements = new Map<string, iam.PolicyStatement>();
  /** The policy once written: a policy shared by several experiments is written once. */
  private attached?: IDependable;

  /**
   * @param role the role that the policy stands for
   * @param merged whether statements that differ only in their resources are merged: for a policy that several
   * experiments add to (an experiment's own adds distinct statements, and needs no merging)
   */
  constructor(private readonly role: iam.IGrantable, private readonly merged = false) {}

  public get assumeRoleAction(): string {
    return this.role.grantPrincipal.assumeRoleAction;
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return this.role.grantPrincipal.policyFragment;
  }

  public get principalAccount(): string | undefined {
    return this.role.grantPrincipal.principalAccount;
  }

  /** The policy document as the template will hold it, unresolved. */
  public documentJson(): unknown {
    return this.document.toJSON();
  }

  /**
   * Adds `statement`; in a merged policy, into a statement that differs from it only in its resources: a policy shared
   * by the experiments of a stack then grows by a resource for each one, not by a statement, and its statement IDs
   * stay unique, as IAM requires.
   */
  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    if (!this.merged) {
      this.document.addStatements(statement);
      return { statementAdded: true, policyDependable: this.written };
    }
    const json = statement.toStatementJson();
    const key = JSON.stringify({ ...json, Resource: undefined, NotResource: json.NotResource });
    const existing = json.NotResource === undefined ? this.statements.get(key) : undefined;
    if (existing !== undefined) {
      existing.addResources(...statement.resources.filter((resource) => !existing.resources.includes(resource)));
    } else {
      this.statements.set(key, statement);
      this.document.addStatements(statement);
    }
    return { statementAdded: true, policyDependable: this.written };
  }

  /**
   * Writes the policy as `id` in `scope`, attached to each of `roles` that takes inline policies, and returns it for
   * the experiment to depend on; undefined when it holds no statement or there is no role, since IAM refuses an
   * empty policy and a policy attached to nothing.
   */
  public attach(scope: Construct, id: string, roles: iam.IRole[]): IDependable | undefined {
    if (this.attached !== undefined) {
      return this.attached;
    }
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
    this.attached = policy;
    return policy;
  }
}

/** The policies shared by the experiments of each stack, by the role they are attached to. */
const SHARED_POLICIES = new WeakMap<Stack, Map<iam.IRole, OwnPolicy>>();

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
  const shared = memoized(SHARED_POLICIES, stack, role, () => new OwnPolicy(role, true));
  return {
    policy: shared,
    attach: () => {
      const container = stack.node.tryFindChild(SHARED_POLICIES_ID) as Construct | undefined ?? new Construct(stack, SHARED_POLICIES_ID);
      const id = Names.uniqueId(role);
      const isNew = container.node.tryFindChild(id) === undefined;
      const written = shared.attach(container, id, [role]);
      if (isNew && written !== undefined) {
        warnWhenTooLarge(container.node.findChild(id), role, shared);
      }
      return written;
    },
  };
}

/**
 * Warns when the shared policy alone may exceed IAM's quota of inline policy characters per role, which makes its
 * deployment fail: the experiments of a stack that share a role each add their endpoint and models to it.
 */
function warnWhenTooLarge(policy: IConstruct, role: iam.IRole, shared: OwnPolicy): void {
  policy.node.addValidation({
    validate: () => {
      const length = estimatedPolicyLength(Stack.of(policy).resolve(shared.documentJson()));
      if (length > ROLE_INLINE_POLICY_QUOTA) {
        Annotations.of(policy).addWarningV2(ROLE_POLICY_TOO_LARGE, 'The shadow tests of this stack that share the role ' +
          `'${role.node.path}' grant it a policy of about ${length} characters, and IAM allows a role ` +
          `${ROLE_INLINE_POLICY_QUOTA} characters of inline policies in all: the deployment fails. Leave the experiments' ` +
          'role out, so that each gets a role of its own, or share the role among fewer experiments.');
      }
      return [];
    },
  });
}

/** The id of the construct that holds the shared policies in each stack. */
export const SHARED_POLICIES_ID = 'ShadowTestRolePolicies';

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
