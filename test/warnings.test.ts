import { App, aws_kms as kms } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { ShadowTestStack } from '../examples/shadow-test-stack';
import { readInstanceTypes } from '../scripts/generate-instance-types';
import { ExistingEndpoint, InstanceType, ShadowModeConfig } from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';
import { familyOf, KNOWN_FAMILIES } from '../src/private/instance-facts';

function warningsOf(parts: ShadowTestParts): string[] {
  return Annotations.fromStack(parts.stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
}

function withInstanceTypes(parts: ShadowTestParts, production: InstanceType, shadow: InstanceType): ShadowModeConfig {
  return ShadowModeConfig.of({
    production: parts.production({ instanceType: production }),
    shadow: parts.shadow({ instanceType: shadow }),
    samplingPercentage: 100,
  });
}

describe('warning cdk-sagemaker-inference-experiment:inf1InstanceType', () => {
  test('is raised for each variant on an Inf1 instance type', () => {
    const parts = new ShadowTestParts(newStack());
    // On an endpoint outside the app: an endpoint configuration of the app on Inf1 is an error (see endpoint-checks).
    parts.experiment({
      endpoint: ExistingEndpoint.fromEndpointName(parts.stack, 'Existing', 'existing-endpoint'),
      shadowMode: withInstanceTypes(parts, InstanceType.ML_INF1_XLARGE, InstanceType.ML_INF1_2XLARGE),
    });

    expect(warningsOf(parts)).toEqual([
      'The production variant uses ml.inf1.xlarge: shadow tests exclude Inf1 (Inferentia 1) instances, and SageMaker rejects ' +
        'the test. Use another instance type, such as an Inf2 one. [ack: cdk-sagemaker-inference-experiment:inf1InstanceType]',
      'The shadow variant uses ml.inf1.2xlarge: shadow tests exclude Inf1 (Inferentia 1) instances, and SageMaker rejects ' +
        'the test. Use another instance type, such as an Inf2 one. [ack: cdk-sagemaker-inference-experiment:inf1InstanceType]',
    ]);
  });

  test('is not raised for Inf2', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ shadowMode: withInstanceTypes(parts, InstanceType.ML_M5_XLARGE, InstanceType.ML_INF2_XLARGE) });
    expect(warningsOf(parts)).toEqual([]);
  });
});

describe('warning cdk-sagemaker-inference-experiment:volumeKeyWithLocalStorage', () => {
  test.each([
    InstanceType.ML_M5D_XLARGE, InstanceType.ML_G4DN_XLARGE, InstanceType.ML_G5_2XLARGE, InstanceType.ML_P4D_24XLARGE,
    InstanceType.ML_G7_2XLARGE, InstanceType.ML_G7E_2XLARGE,
  ])(
    'is raised for a volume key with %s', (instanceType) => {
      const parts = new ShadowTestParts(newStack());
      parts.experiment({
        volumeEncryptionKey: new kms.Key(parts.stack, 'Key'),
        shadowMode: withInstanceTypes(parts, InstanceType.ML_M5_XLARGE, instanceType),
      });

      expect(warningsOf(parts)).toEqual([
        `The shadow variant uses ${instanceType.name}, which has local NVMe storage encrypted by the instance's hardware: ` +
          'SageMaker refuses a volume KMS key for it when the test deploys the variants. Remove volumeEncryptionKey, or use ' +
          'an instance type without local storage. [ack: cdk-sagemaker-inference-experiment:volumeKeyWithLocalStorage]',
      ]);
    });

  test('is not raised for local storage without a volume key, nor for a volume key on EBS-only instances', () => {
    const withoutKey = new ShadowTestParts(newStack());
    withoutKey.experiment({ shadowMode: withInstanceTypes(withoutKey, InstanceType.ML_M5D_XLARGE, InstanceType.ML_G5_XLARGE) });
    const ebsOnly = new ShadowTestParts(newStack());
    ebsOnly.experiment({
      volumeEncryptionKey: new kms.Key(ebsOnly.stack, 'Key'),
      shadowMode: withInstanceTypes(ebsOnly, InstanceType.ML_M5_XLARGE, InstanceType.ML_C6I_2XLARGE),
    });

    expect(warningsOf(withoutKey)).toEqual([]);
    expect(warningsOf(ebsOnly)).toEqual([]);
  });

  test('names only families of instance types that SageMaker accepts', () => {
    const families = new Set(readInstanceTypes().map(familyOf));
    expect(KNOWN_FAMILIES.filter((family) => !families.has(family))).toEqual([]);
  });
});

describe('a clean configuration', () => {
  test('raises no warning when fully configured', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment(parts.fullProps());
    expect(warningsOf(parts)).toEqual([]);
  });

  test('raises no warning in the example app', () => {
    const stack = new ShadowTestStack(new App(), 'ShadowTestExample');
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});
