import { ModelVariant } from './model-variant';
import { checkKind, instanceOf, NUMBER, PROPS } from './private/kinds';
import { ProblemCollector } from './private/validation';

/**
 * Properties of a shadow test's configuration.
 */
export interface ShadowModeConfigProps {
  /**
   * The production variant, which takes all the inference requests.
   *
   * It must be the variant that the endpoint hosts today, with the same name and model.
   */
  readonly production: ModelVariant;

  /**
   * The shadow variant, to which SageMaker replicates a share of the production variant's requests.
   *
   * Its name must differ from the production variant's.
   */
  readonly shadow: ModelVariant;

  /**
   * The percentage of inference requests that SageMaker replicates from the production variant to the shadow
   * variant: a whole number from 0 to 100.
   *
   * It can be changed while the test is scheduled or running.
   */
  readonly samplingPercentage: number;
}

/**
 * Which variant serves production traffic, which one shadows it, and how much of the traffic it receives.
 *
 * The construct writes both `ModelVariants` and `ShadowModeConfig` of the template from this one object, so the
 * variant names in them always agree.
 *
 * @example
 * const shadowMode = ShadowModeConfig.of({
 *   production: ModelVariant.realTime({ variantName: 'production', model: productionModel, instanceType: InstanceType.ML_M5_XLARGE }),
 *   shadow: ModelVariant.realTime({ variantName: 'candidate', model: candidateModel, instanceType: InstanceType.ML_M5_XLARGE }),
 *   samplingPercentage: 20,
 * });
 */
export class ShadowModeConfig {
  /**
   * A shadow test of `shadow` against `production`.
   *
   * @param props the production and shadow variants, and the share of requests the shadow receives
   */
  public static of(props: ShadowModeConfigProps): ShadowModeConfig {
    const problems = new ProblemCollector();
    if (checkKind(problems, 'props', props, PROPS)) {
      const variant = instanceOf(ModelVariant, 'a ModelVariant, from ModelVariant.realTime()');
      checkKind(problems, 'production', props.production, variant);
      checkKind(problems, 'shadow', props.shadow, variant);
      checkKind(problems, 'samplingPercentage', props.samplingPercentage, NUMBER);
    }
    problems.throwIfAny('ShadowModeConfig.of()');
    return new ShadowModeConfig(props.production, props.shadow, props.samplingPercentage);
  }

  private constructor(
    /** The production variant, which takes all the inference requests. */
    public readonly production: ModelVariant,
    /** The shadow variant, which receives a copy of `samplingPercentage` percent of the requests. */
    public readonly shadow: ModelVariant,
    /** The percentage of inference requests that SageMaker replicates to the shadow variant. */
    public readonly samplingPercentage: number,
  ) {}
}
