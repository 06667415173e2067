import { ShadowModeConfig } from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';

describe('ShadowModeConfig', () => {
  test('of() keeps both variants and the sampling percentage', () => {
    const parts = new ShadowTestParts(newStack());
    const production = parts.production();
    const shadow = parts.shadow();

    const config = ShadowModeConfig.of({ production, shadow, samplingPercentage: 30 });

    expect(config.production).toBe(production);
    expect(config.shadow).toBe(shadow);
    expect(config.samplingPercentage).toBe(30);
  });
});
