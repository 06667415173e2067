import { aws_iam as iam, aws_sagemaker as sagemaker, CfnResource, Token } from 'aws-cdk-lib';
import { aws_sagemaker as sagemakerRefs } from 'aws-cdk-lib/interfaces';
import { IConstruct } from 'constructs';
import { l1Of } from './app-resources';
import { normalizedSageMakerArn, sageMakerArn } from './arns';

/*
 * The generated `EndpointReference` and `ModelReference` carry only ARNs, and SageMaker writes names in lower case
 * in its ARNs, so a name parsed from an ARN would be wrong for a mixed-case name. The real name is taken from the
 * L1's attribute (an L2's default child included), or from an L2 that exposes it.
 */

/** The name of `endpoint`, or undefined when the reference exposes only its ARN. */
export function endpointNameOf(endpoint: sagemakerRefs.IEndpointRef): string | undefined {
  if (sagemaker.CfnEndpoint.isCfnEndpoint(endpoint)) {
    return endpoint.attrEndpointName;
  }
  return stringProperty(endpoint, 'endpointName') ?? l1Of(endpoint, sagemaker.CfnEndpoint.isCfnEndpoint)?.attrEndpointName;
}

/** The name of `model`, or undefined when the reference exposes only its ARN. */
export function modelNameOf(model: sagemakerRefs.IModelRef): string | undefined {
  if (sagemaker.CfnModel.isCfnModel(model)) {
    return model.attrModelName;
  }
  // Some aws-cdk-lib releases put the name in the reference itself; later ones replaced it with the ARN.
  return stringProperty(model, 'modelName') ?? stringProperty(model.modelRef, 'modelName') ??
    l1Of(model, sagemaker.CfnModel.isCfnModel)?.attrModelName;
}

function stringProperty(reference: object, property: string): string | undefined {
  const value: unknown = (reference as Record<string, unknown>)[property];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The ARN of `endpoint`, as SageMaker writes it (the name in lower case): formatted from a literal name in the
 * endpoint's own account and region, CloudFormation's for an L1 (an L2's default child included), or the reference's
 * own otherwise.
 */
export function endpointArnOf(endpoint: sagemakerRefs.IEndpointRef): string {
  return sageMakerArnOf(endpoint, 'endpoint', endpointNameOf(endpoint), sagemaker.CfnEndpoint.isCfnEndpoint,
    () => endpoint.endpointRef.endpointArn);
}

/** The ARN of `model`, as SageMaker writes it (the name in lower case), found as `endpointArnOf()` finds one. */
export function modelArnOf(model: sagemakerRefs.IModelRef): string {
  return sageMakerArnOf(model, 'model', modelNameOf(model), sagemaker.CfnModel.isCfnModel,
    // The fields of ModelReference differ between aws-cdk-lib releases: an ARN, or a model ID that is the ARN.
    () => stringProperty(model, 'modelArn') ?? stringProperty(model.modelRef, 'modelArn') ?? stringProperty(model.modelRef, 'modelId'));
}

function sageMakerArnOf<T extends CfnResource>(
  reference: IConstruct,
  resourceType: string,
  name: string | undefined,
  isL1: (x: unknown) => x is T,
  referenceArn: () => string | undefined,
): string {
  if (name !== undefined && !Token.isUnresolved(name)) {
    return sageMakerArn(reference, resourceType, name);
  }
  const l1 = l1Of(reference, isL1);
  if (l1 !== undefined) {
    return l1.ref;
  }
  const arn = referenceArn();
  if (arn === undefined) {
    throw new Error(`The ${resourceType} '${reference.node.path}' exposes no ARN`);
  }
  return normalizedSageMakerArn(arn);
}

/**
 * The ARN of a role. An L2 role's own `roleArn` is read in preference to `roleRef`, which also makes the role's name
 * token: one token less for each experiment.
 */
export function roleArnOf(role: iam.IRoleRef): string {
  const roleArn: unknown = (role as Partial<iam.IRole>).roleArn;
  return typeof roleArn === 'string' ? roleArn : role.roleRef.roleArn;
}
