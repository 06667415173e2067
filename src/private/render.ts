import { aws_sagemaker as sagemaker } from 'aws-cdk-lib';
import { DataCaptureSpec, ScheduleSpec, ShadowModeSpec, VariantSpec } from './shadow-test-specs';

/*
 * How the library's objects are written as AWS::SageMaker::InferenceExperiment properties.
 */

export const TYPE_SHADOW_MODE = 'ShadowMode';
const INFRASTRUCTURE_REAL_TIME = 'RealTimeInference';

/**
 * A variant of `ModelVariants`: `variant`'s name and model, on the instances of `instancesOf` (the variant itself
 * unless a promotion keeps the production variant's instances).
 */
export function renderVariant(
  variant: VariantSpec,
  modelName: string,
  instancesOf: VariantSpec = variant,
): sagemaker.CfnInferenceExperiment.ModelVariantConfigProperty {
  return {
    modelName,
    variantName: variant.variantName,
    infrastructureConfig: {
      infrastructureType: INFRASTRUCTURE_REAL_TIME,
      realTimeInferenceConfig: {
        instanceType: instancesOf.instanceType.name,
        instanceCount: instancesOf.instanceCount,
      },
    },
  };
}

export function renderShadowModeConfig(shadowMode: ShadowModeSpec): sagemaker.CfnInferenceExperiment.ShadowModeConfigProperty {
  return {
    sourceModelVariantName: shadowMode.production.variantName,
    shadowModelVariants: [{
      shadowModelVariantName: shadowMode.shadow.variantName,
      samplingPercentage: shadowMode.samplingPercentage,
    }],
  };
}

export function renderSchedule(schedule: ScheduleSpec): sagemaker.CfnInferenceExperiment.InferenceExperimentScheduleProperty {
  return { startTime: schedule.startTime.toISOString(), endTime: schedule.endTime.toISOString() };
}

export function renderDataCapture(dataCapture: DataCaptureSpec): sagemaker.CfnInferenceExperiment.DataStorageConfigProperty {
  const { csvContentTypes, jsonContentTypes } = dataCapture;
  return {
    destination: dataCapture.destination,
    kmsKey: dataCapture.encryptionKey?.keyRef.keyArn,
    contentType: csvContentTypes || jsonContentTypes ? { csvContentTypes, jsonContentTypes } : undefined,
  };
}
