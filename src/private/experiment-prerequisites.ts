import { aws_sagemaker as sagemaker } from 'aws-cdk-lib';
import { Construct, IDependable } from 'constructs';
import { arnCaseForms } from './arns';
import { grantShadowTestPermissions } from './execution-role';
import { CheckedExperiment } from './experiment-checks';
import { ExperimentIdentity } from './experiment-identity';
import { prerequisiteOf } from './prerequisites';
import { endpointArnOf, modelArnOf } from './resource-names';
import { executionRoleOf } from './roles';
import { ExperimentSpec } from './shadow-test-specs';

/**
 * Grants the experiment's role what the test needs, and makes the experiment's L1 wait for what it needs to exist
 * first: the endpoint, the models, and the role with its permissions.
 */
export function grantAndAwaitPrerequisites(
  experiment: Construct,
  resource: sagemaker.CfnInferenceExperiment,
  props: ExperimentSpec,
  { role, createOnly }: ExperimentIdentity,
  { endpointName, modelNames }: CheckedExperiment,
): void {
  // Names read from attributes already order the resources; a literal name does not, and the role's policies are
  // resources of their own, hence the explicit dependencies on what the references do not cover.
  const { production, shadow } = props.shadowMode;
  const policies = grantShadowTestPermissions(experiment, role, {
    endpointArns: arnCaseForms(endpointArnOf(props.endpoint), endpointName),
    modelArns: [production, shadow].flatMap((variant) => arnCaseForms(modelArnOf(variant.model), modelNames.get(variant))),
    dataCapture: props.dataCapture,
    volumeEncryptionKey: props.volumeEncryptionKey,
    modelRoles: [production.model, shadow.model].flatMap((model) => executionRoleOf(model) ?? []),
  }, props.role === undefined);
  const prerequisites = [
    prerequisiteOf(props.endpoint, endpointName),
    ...[production, shadow].map((variant) => prerequisiteOf(variant.model, modelNames.get(variant)!)),
    prerequisiteOf(role, createOnly.roleArn),
  ];
  resource.node.addDependency(...policies, ...prerequisites.filter((p): p is IDependable => p !== undefined));
}
