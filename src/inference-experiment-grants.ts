import { aws_iam as iam, aws_sagemaker as sagemaker, Resource, Stack } from 'aws-cdk-lib';
import { aws_sagemaker as sagemakerRefs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import { experimentArnForms } from './private/arns';
import { environmentsDiffer, isInAnotherEnvironment, ROLES_NAMED_AT_DEPLOY_TIME } from './private/environments';
import { checkKind, GRANTEE, requireKind, STRING } from './private/kinds';
import { roleArnOf } from './private/resource-names';
import { ProblemCollector } from './private/validation';

/*
 * The actions of each operation are those that AWS lists for the AWS::SageMaker::InferenceExperiment resource
 * handlers (create, read, update, delete, list), kept sorted.
 */
const CREATE_ACTIONS = [
  'sagemaker:AddTags',
  'sagemaker:CreateInferenceExperiment',
  'sagemaker:DescribeInferenceExperiment',
  'sagemaker:ListTags',
];
const READ_ACTIONS = [
  'sagemaker:DescribeInferenceExperiment',
  'sagemaker:ListTags',
];
const UPDATE_ACTIONS = [
  'sagemaker:AddTags',
  'sagemaker:DeleteTags',
  'sagemaker:DescribeInferenceExperiment',
  'sagemaker:ListTags',
  'sagemaker:StartInferenceExperiment',
  'sagemaker:StopInferenceExperiment',
  'sagemaker:UpdateInferenceExperiment',
];
const DELETE_ACTIONS = [
  'sagemaker:DeleteInferenceExperiment',
  'sagemaker:DescribeInferenceExperiment',
  'sagemaker:ListTags',
  'sagemaker:StopInferenceExperiment',
];
const LIST_ACTIONS = ['sagemaker:ListInferenceExperiments'];

const SAGEMAKER_SERVICE = 'sagemaker.amazonaws.com';

/**
 * IAM permissions on an inference experiment, for the principals that create, read, update, delete, list, start
 * or stop it.
 *
 * Every permission is scoped to the experiment's ARN, except `list()`: `ListInferenceExperiments` has no
 * resource-level permissions, so IAM only accepts it on all resources.
 *
 * @example
 * const experiment = new InferenceExperiment(this, 'ShadowTest', { endpoint, shadowMode });
 * experiment.grants.create(pipelineRole);
 * experiment.grants.read(operator);
 * experiment.grants.stop(operator);
 */
export class InferenceExperimentGrants {
  /**
   * Grants on `experiment`: an `InferenceExperiment`, an imported one, or a `CfnInferenceExperiment`.
   *
   * `create()` also needs the experiment's role, which is known for an `InferenceExperiment`, a
   * `CfnInferenceExperiment`, and an experiment imported with `role`.
   *
   * @param experiment the experiment to grant access to
   */
  public static fromInferenceExperiment(experiment: sagemakerRefs.IInferenceExperimentRef): InferenceExperimentGrants {
    return new InferenceExperimentGrants(experiment);
  }

  private constructor(private readonly experiment: sagemakerRefs.IInferenceExperimentRef) {}

  /**
   * Permission to create the experiment: `sagemaker:AddTags`, `sagemaker:CreateInferenceExperiment`,
   * `sagemaker:DescribeInferenceExperiment` and `sagemaker:ListTags` on the experiment, and `iam:PassRole` on its
   * role, only to SageMaker (`iam:PassedToService` is `sagemaker.amazonaws.com`).
   *
   * Fails when the experiment's role is not known (an experiment imported without `role`), and when `grantee` is in
   * another account or region than an experiment with its default role, whose name CloudFormation gives it at deploy
   * time.
   *
   * @param grantee the principal to grant the permission to
   */
  public create(grantee: iam.IGrantable): iam.Grant {
    requireKind('grants.create()', 'grantee', grantee, GRANTEE);
    this.checkSameAccount(grantee);
    const role = experimentRoleOf(this.experiment);
    if (role === undefined) {
      throw new Error(`The role of the inference experiment '${this.experiment.node.path}' is not known, so ` +
        'iam:PassRole can not be granted on it; import the experiment with fromInferenceExperimentAttributes() and give its role');
    }
    if (typeof role !== 'string' && ROLES_NAMED_AT_DEPLOY_TIME.has(role) && isInAnotherEnvironment(grantee, this.experiment)) {
      throw new Error(`The inference experiment '${this.experiment.node.path}' can not grant create() to a principal of ` +
        'another account or region: its default role is named by CloudFormation at deploy time, so iam:PassRole can ' +
        'not name it there. Give the experiment a role of your own with a roleName (or roleName: ' +
        'PhysicalName.GENERATE_IF_NEEDED), or grant create() to a principal of its own account and region.');
    }
    const roleArn = typeof role === 'string' ? role : roleArnOf(role);
    return this.actions(grantee, ...CREATE_ACTIONS).combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['iam:PassRole'],
      resourceArns: [roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': SAGEMAKER_SERVICE } },
    }));
  }

  /**
   * Permission to read the experiment and its tags: `sagemaker:DescribeInferenceExperiment` and
   * `sagemaker:ListTags`.
   *
   * @param grantee the principal to grant the permission to
   */
  public read(grantee: iam.IGrantable): iam.Grant {
    return this.actions(grantee, ...READ_ACTIONS);
  }

  /**
   * Permission to update the experiment as CloudFormation does: `sagemaker:AddTags`, `sagemaker:DeleteTags`,
   * `sagemaker:DescribeInferenceExperiment`, `sagemaker:ListTags`, `sagemaker:StartInferenceExperiment`,
   * `sagemaker:StopInferenceExperiment` and `sagemaker:UpdateInferenceExperiment`.
   *
   * @param grantee the principal to grant the permission to
   */
  public update(grantee: iam.IGrantable): iam.Grant {
    return this.actions(grantee, ...UPDATE_ACTIONS);
  }

  /**
   * Permission to delete the experiment, stopping it first if it runs: `sagemaker:DeleteInferenceExperiment`,
   * `sagemaker:DescribeInferenceExperiment`, `sagemaker:ListTags` and `sagemaker:StopInferenceExperiment`.
   *
   * @param grantee the principal to grant the permission to
   */
  public delete(grantee: iam.IGrantable): iam.Grant {
    return this.actions(grantee, ...DELETE_ACTIONS);
  }

  /**
   * Permission to list the inference experiments of the account and region: `sagemaker:ListInferenceExperiments`,
   * on all resources, because the action has no resource-level permissions.
   *
   * @param grantee the principal to grant the permission to
   */
  public list(grantee: iam.IGrantable): iam.Grant {
    requireKind('grants.list()', 'grantee', grantee, GRANTEE);
    return iam.Grant.addToPrincipal({ grantee, actions: LIST_ACTIONS, resourceArns: ['*'] });
  }

  /**
   * Permission to start a scheduled experiment now: `sagemaker:StartInferenceExperiment`. Combine it with
   * `read()` to follow the experiment's status.
   *
   * @param grantee the principal to grant the permission to
   */
  public start(grantee: iam.IGrantable): iam.Grant {
    return this.actions(grantee, 'sagemaker:StartInferenceExperiment');
  }

  /**
   * Permission to stop the experiment, concluding or cancelling it: `sagemaker:StopInferenceExperiment`. Combine
   * it with `read()` to follow the experiment's status.
   *
   * @param grantee the principal to grant the permission to
   */
  public stop(grantee: iam.IGrantable): iam.Grant {
    return this.actions(grantee, 'sagemaker:StopInferenceExperiment');
  }

  /**
   * Permission to perform `actions` on the experiment.
   *
   * @param grantee the principal to grant the actions to
   * @param actions the IAM actions, such as `sagemaker:DescribeInferenceExperiment`
   */
  public actions(grantee: iam.IGrantable, ...actions: string[]): iam.Grant {
    const problems = new ProblemCollector();
    checkKind(problems, 'grantee', grantee, GRANTEE);
    actions.forEach((action, index) => checkKind(problems, `actions[${index}]`, action, STRING));
    problems.throwIfAny('grants.actions()');
    this.checkSameAccount(grantee);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [...actions].sort(),
      // Both case forms of a name with upper-case letters: AWS does not document which SageMaker writes in the ARN.
      resourceArns: experimentArnForms(this.experiment),
    });
  }

  /** Throws when `grantee` is known to be of another account than the experiment: such a grant could never be used. */
  private checkSameAccount(grantee: iam.IGrantable): void {
    const account = accountOf(this.experiment);
    const granteeAccount = principalAccountOf(grantee);
    if (environmentsDiffer({ account: granteeAccount }, { account })) {
      throw new Error(`The inference experiment '${this.experiment.node.path}', of account ${account}, can not be ` +
        `granted to a principal of account ${granteeAccount}: the inference experiment APIs take the experiment's name, ` +
        'not its ARN, so a caller always acts on the experiments of its own account. Grant a principal of the ' +
        "experiment's account, which the other account's principal can assume (a role with a trust policy for it).");
    }
  }
}

/** The account of an experiment: an L2's or an import's own, or else its stack's. */
function accountOf(experiment: sagemakerRefs.IInferenceExperimentRef): string {
  return Resource.isResource(experiment) ? experiment.env.account : Stack.of(experiment).account;
}

/** The account of `grantee`'s principal, where it is known: its own, or else its stack's. */
function principalAccountOf(grantee: iam.IGrantable): string | undefined {
  const principal = grantee.grantPrincipal;
  return principal.principalAccount ?? (Construct.isConstruct(principal) ? Stack.of(principal).account : undefined);
}

/** The role that SageMaker assumes for the experiment, or its ARN, where it is known. */
function experimentRoleOf(experiment: sagemakerRefs.IInferenceExperimentRef): iam.IRoleRef | string | undefined {
  if (sagemaker.CfnInferenceExperiment.isCfnInferenceExperiment(experiment)) {
    return experiment.roleArn;
  }
  // InferenceExperiment, and experiments imported with a role, expose it as `role`.
  const role: unknown = (experiment as { role?: unknown }).role;
  if (role !== undefined && role !== null && typeof role === 'object' && 'roleRef' in role) {
    return role as iam.IRoleRef;
  }
  return undefined;
}
