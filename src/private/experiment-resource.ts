import { aws_sagemaker as sagemaker } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CheckedExperiment } from './experiment-checks';
import { ExperimentIdentity } from './experiment-identity';
import { renderDataCapture, renderSchedule, renderShadowModeConfig, renderVariant } from './render';
import { ExperimentSpec } from './shadow-test-specs';

/** The AWS::SageMaker::InferenceExperiment of `experiment`, as its props, once checked and identified, describe it. */
export function renderExperiment(
  experiment: Construct, props: ExperimentSpec, identity: ExperimentIdentity, checked: CheckedExperiment,
): sagemaker.CfnInferenceExperiment {
  const { production, shadow } = props.shadowMode;
  return new sagemaker.CfnInferenceExperiment(experiment, 'Resource', {
    ...identity.createOnly,
    name: identity.name,
    description: props.description,
    schedule: props.schedule && renderSchedule(props.schedule),
    dataStorageConfig: props.dataCapture && renderDataCapture(props.dataCapture),
    modelVariants: [
      renderVariant(production, checked.modelNames.get(production)!),
      renderVariant(shadow, checked.modelNames.get(shadow)!),
    ],
    shadowModeConfig: renderShadowModeConfig(props.shadowMode),
    tags: checked.tags.length > 0 ? checked.tags : undefined,
  });
}
