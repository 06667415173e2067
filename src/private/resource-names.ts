import { aws_iam as iam, aws_sagemaker as sagemaker, CfnResource, IResolvable, IResolveContext, Stack, Token } from 'aws-cdk-lib';
import { aws_sagemaker as sagemakerRefs } from 'aws-cdk-lib/interfaces';
import { IConstruct } from 'constructs';
import { l1Of } from './app-resources';
import { normalizedSageMakerArn, sageMakerArn } from './arns';
import { renderedProperties } from './rendered';

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

/**
 * `name`, a name that `owner`'s stack reads from a resource (`Ref` or `Fn::GetAtt`), as each stack should read it: in
 * `owner`'s stack, as it is; in any other stack, the literal name that the template gives the resource, where it
 * gives one. A cross-stack reference would be an export, and CloudFormation cannot replace a resource whose export
 * another stack imports; the literal ties the stacks together by nothing.
 */
export function nameForEveryStack(owner: IConstruct, name: string, literalName: () => string | undefined): string {
  return Token.isUnresolved(name) ? Token.asString(new NameForEveryStack(owner, name, literalName)) : name;
}

/** The token of `nameForEveryStack()`. */
export class NameForEveryStack implements IResolvable {
  public readonly creationStack: string[] = [];

  /**
   * @param owner the construct whose stack reads `name` as it is
   * @param name the name as `owner`'s stack reads it: what sets this token apart, for ids that must be the same on
   * every synthesis
   * @param literalName the literal name, where the template has one
   */
  constructor(private readonly owner: IConstruct, public readonly name: string, private readonly literalName: () => string | undefined) {}

  public resolve(context: IResolveContext): string {
    return Stack.of(context.scope) === Stack.of(this.owner) ? this.name : this.literalName() ?? this.name;
  }

  public toString(): string {
    return Token.asString(this);
  }
}

/** The name that the template gives `endpoint`'s L1 resource (overrides included), where it is a literal. */
export function literalEndpointName(endpoint: sagemakerRefs.IEndpointRef): string | undefined {
  const cfnEndpoint = l1Of(endpoint, sagemaker.CfnEndpoint.isCfnEndpoint);
  const name = cfnEndpoint && renderedProperties(cfnEndpoint).EndpointName;
  return typeof name === 'string' ? name : undefined;
}
