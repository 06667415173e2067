import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The ARN of a SageMaker resource of this account and region, from its name.
 *
 * SageMaker writes resource names in lower case in its ARNs, so a literal name is lower-cased here; a token is
 * left as it is (its value is unknown until deployment).
 */
export function sageMakerArn(scope: IConstruct, resourceType: string, resourceName: string): string {
  return Stack.of(scope).formatArn({
    service: 'sagemaker',
    resource: resourceType,
    resourceName: sageMakerArnName(resourceName),
  });
}

/** The form a resource name takes in a SageMaker ARN. */
export function sageMakerArnName(resourceName: string): string {
  return Token.isUnresolved(resourceName) ? resourceName : resourceName.toLowerCase();
}
