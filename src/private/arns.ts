import { Annotations, Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import { aws_sagemaker as sagemakerRefs } from 'aws-cdk-lib/interfaces';
import { IConstruct } from 'constructs';
import { memoized } from './memo';
import { TOKEN_NAME_IN_ARN } from './warnings';

/**
 * The ARN of a SageMaker resource of `scope`'s account and region, from its name.
 *
 * SageMaker writes resource names in lower case in its ARNs, so a literal name is lower-cased here. A token is left
 * as it is, since CloudFormation cannot lower-case it, and `scope` gets a warning: grants on the ARN match only
 * if the name turns out to be in lower case.
 */
export function sageMakerArn(scope: IConstruct, resourceType: string, resourceName: string): string {
  if (Token.isUnresolved(resourceName)) {
    Annotations.of(scope).addWarningV2(TOKEN_NAME_IN_ARN,
      `The name of the ${resourceType} is known only at deploy time, so it goes into its ARN unchanged, but ` +
      'SageMaker writes names in lower case in ARNs: if the name has an upper-case letter, permissions granted on ' +
      'the ARN match nothing. Give the name as a literal, or make sure it is in lower case and acknowledge this warning.');
  }
  const stack = Stack.of(scope);
  return memoized(FORMATTED_ARNS, stack, `${resourceType}/${resourceName}`,
    () => stack.formatArn({ service: 'sagemaker', resource: resourceType, resourceName: sageMakerArnName(resourceName) }));
}

/**
 * The ARNs already formatted in each stack: a reference to an existing model or endpoint formats its ARN, and the
 * experiment that uses it needs the same one, so each is made once.
 */
const FORMATTED_ARNS = new WeakMap<Stack, Map<string, string>>();

/** The form a resource name takes in a SageMaker ARN. */
export function sageMakerArnName(resourceName: string): string {
  return Token.isUnresolved(resourceName) ? resourceName : resourceName.toLowerCase();
}

/** `arn` with its resource name in the form SageMaker writes it (lower case), when the ARN is known at synth time. */
export function normalizedSageMakerArn(arn: string): string {
  if (Token.isUnresolved(arn) || !arn.startsWith('arn:')) {
    return arn;
  }
  const parts = Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME);
  return parts.resourceName === undefined ? arn : Arn.format({ ...parts, resourceName: sageMakerArnName(parts.resourceName) });
}

/**
 * The names that the library knows in their case as given, by the construct they name (an experiment whose name is a
 * lazy value, for one): `arnCaseForms()` reads them where the reference itself carries only a token.
 */
export const NAMES_AS_GIVEN = new WeakMap<IConstruct, string>();

/**
 * The forms that `arn`, the ARN of a SageMaker resource named `name`, may take: AWS does not document whether
 * SageMaker writes every kind of resource's name in lower case in its ARNs (it is observed for endpoints), and IAM
 * matches ARNs case-sensitively, so permissions on a name with upper-case letters name both the lower-case form and
 * the form as given. One form when the name has no upper-case letter, or is not known at synth time.
 */
export function arnCaseForms(arn: string, name: string | undefined): string[] {
  if (name === undefined || Token.isUnresolved(name) || name === name.toLowerCase()) {
    return [arn];
  }
  const slash = arn.lastIndexOf('/');
  const nameInArn = slash < 0 ? undefined : arn.slice(slash + 1);
  if (nameInArn === undefined || Token.isUnresolved(nameInArn) || nameInArn.toLowerCase() !== name.toLowerCase()) {
    return [arn];
  }
  const prefix = arn.slice(0, slash + 1);
  return [...new Set([`${prefix}${name.toLowerCase()}`, `${prefix}${name}`])];
}

/** The forms of the ARN of an experiment (see `arnCaseForms()`), from the name that the library knows for it. */
export function experimentArnForms(experiment: sagemakerRefs.IInferenceExperimentRef): string[] {
  const ref = experiment.inferenceExperimentRef;
  return arnCaseForms(ref.inferenceExperimentArn, NAMES_AS_GIVEN.get(experiment) ?? ref.inferenceExperimentName);
}
