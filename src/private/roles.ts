import { aws_iam as iam, aws_sagemaker as sagemaker, Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import { aws_sagemaker as sagemakerRefs } from 'aws-cdk-lib/interfaces';
import { IConstruct } from 'constructs';

const SAGEMAKER_SERVICE = 'sagemaker.amazonaws.com';

/**
 * Whether SageMaker may assume `role`, when that can be known: the role is defined in the app and its trust
 * policy is known at synth time. Undefined when it cannot be known (an imported role, a principal that is a token).
 */
export function sageMakerCanAssume(role: iam.IRoleRef): boolean | undefined {
  const cfnRole = iam.CfnRole.isCfnRole(role) ? role : role.node.defaultChild;
  if (!iam.CfnRole.isCfnRole(cfnRole) || cfnRole.assumeRolePolicyDocument === undefined) {
    return undefined;
  }
  const document = Stack.of(cfnRole).resolve(cfnRole.assumeRolePolicyDocument);
  const statements: any[] = asArray(document?.Statement);
  let unknown = false;
  for (const statement of statements) {
    if (statement.Effect !== 'Allow' || !asArray(statement.Action).some(allowsAssumeRole)) {
      continue;
    }
    const principal = statement.Principal;
    if (principal === '*' || asArray(principal?.Service).includes(SAGEMAKER_SERVICE)) {
      return true;
    }
    unknown ||= JSON.stringify(principal ?? null).includes('"Fn::') || JSON.stringify(principal ?? null).includes('"Ref"');
  }
  return unknown ? undefined : false;
}

function allowsAssumeRole(action: unknown): boolean {
  return action === 'sts:AssumeRole' || action === 'sts:*' || action === '*';
}

function asArray(value: unknown): any[] {
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

/**
 * The L2 execution role of `model`, when the model is a `CfnModel` of the app whose `executionRoleArn` is the ARN
 * of an `iam.Role` of the app; undefined otherwise (a role outside the app cannot be granted anything).
 */
export function executionRoleOf(model: sagemakerRefs.IModelRef): iam.Role | undefined {
  const roleArn = sagemaker.CfnModel.isCfnModel(model) ? model.executionRoleArn : undefined;
  if (roleArn === undefined || !Token.isUnresolved(roleArn)) {
    return undefined;
  }
  const fragments = Tokenization.reverseString(roleArn);
  const token = fragments.length === 1 ? fragments.firstToken : undefined;
  if (!(token instanceof Reference)) {
    return undefined;
  }
  const owner: IConstruct | undefined = token.target.node.scope;
  return iam.Role.isRole(owner) ? owner : undefined;
}
