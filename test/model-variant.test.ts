import { InstanceType, ModelVariant } from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';

describe('ModelVariant', () => {
  test('realTime() keeps what it is given and defaults to one instance', () => {
    const parts = new ShadowTestParts(newStack());
    const variant = ModelVariant.realTime({ variantName: 'v', model: parts.candidateModel, instanceType: InstanceType.ML_G5_XLARGE });

    expect(variant.variantName).toBe('v');
    expect(variant.model).toBe(parts.candidateModel);
    expect(variant.instanceType).toBe(InstanceType.ML_G5_XLARGE);
    expect(variant.instanceCount).toBe(1);
  });

  test('realTime() keeps an explicit instance count', () => {
    const parts = new ShadowTestParts(newStack());
    expect(parts.shadow({ instanceCount: 4 }).instanceCount).toBe(4);
  });
});
