import { aws_iam as iam, aws_sagemaker as sagemaker } from 'aws-cdk-lib';
import { aws_sagemaker as sagemakerRefs } from 'aws-cdk-lib/interfaces';
import { IConstruct } from 'constructs';
import { l1Of, referenceIn } from './app-resources';
import { itemsOf } from './policy-documents';
import { renderedProperties } from './rendered';

const SAGEMAKER_SERVICE = 'sagemaker.amazonaws.com';

/**
 * Whether SageMaker may assume `role`, when that can be known: the role is defined in the app and its trust
 * policy, as the template holds it, is known at synth time. Undefined when it cannot be known (an imported role, a principal that is a token).
 */
export function sageMakerCanAssume(role: iam.IRoleRef): boolean | undefined {
  const cfnRole = l1Of(role, iam.CfnRole.isCfnRole);
  // As the template holds it: an escape-hatch override of the trust policy is what IAM receives.
  const document: any = cfnRole && renderedProperties(cfnRole).AssumeRolePolicyDocument;
  if (document === undefined) {
    return undefined;
  }
  const statements: any[] = itemsOf(document.Statement);
  let unknown = false;
  for (const statement of statements) {
    if (statement.Effect !== 'Allow' || !itemsOf(statement.Action).some(allowsAssumeRole)) {
      continue;
    }
    const principal = statement.Principal;
    if (principal === '*' || itemsOf(principal?.Service).includes(SAGEMAKER_SERVICE)) {
      return true;
    }
    unknown ||= JSON.stringify(principal ?? null).includes('"Fn::') || JSON.stringify(principal ?? null).includes('"Ref"');
  }
  return unknown ? undefined : false;
}

function allowsAssumeRole(action: unknown): boolean {
  return action === 'sts:AssumeRole' || action === 'sts:*' || action === '*';
}

/**
 * The L2 execution role of `model`, when the model is a `CfnModel` of the app whose `executionRoleArn` is the ARN
 * of an `iam.Role` of the app; undefined otherwise (a role outside the app cannot be granted anything).
 */
export function executionRoleOf(model: sagemakerRefs.IModelRef): iam.Role | undefined {
  const roleArn = l1Of(model, sagemaker.CfnModel.isCfnModel)?.executionRoleArn;
  const owner: IConstruct | undefined = referenceIn(roleArn)?.node.scope;
  return iam.Role.isRole(owner) ? owner : undefined;
}
