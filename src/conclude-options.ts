/**
 * Options for concluding or cancelling a shadow test.
 */
export interface ConcludeOptions {
  /**
   * Why the test ends, from 1 to 1024 characters. SageMaker keeps it as the experiment's status reason.
   *
   * @default - no reason
   */
  readonly reason?: string;
}

/**
 * Which instance type and count the promoted variant keeps on the endpoint.
 */
export enum PromotedInstanceSettings {
  /**
   * The production variant's instance type and count, as AWS recommends unless the test was meant to validate new
   * instance settings.
   */
  PRODUCTION = 'PRODUCTION',

  /**
   * The shadow variant's instance type and count, to promote instance settings that the test validated. Test with
   * `samplingPercentage: 100` first, so that they have served the whole production traffic.
   */
  SHADOW = 'SHADOW',
}

/**
 * Options for promoting the shadow variant.
 */
export interface PromoteShadowOptions extends ConcludeOptions {
  /**
   * The instance type and count that the promoted variant keeps on the endpoint.
   *
   * @default PromotedInstanceSettings.PRODUCTION
   */
  readonly instanceSettings?: PromotedInstanceSettings;
}

/**
 * Options for cancelling a shadow test.
 */
export interface CancelOptions extends ConcludeOptions {
  /**
   * Keep the shadow variant on the endpoint after the test. It then goes on receiving a copy of the production
   * traffic, and is billed for its instances, until you remove it by updating the endpoint.
   *
   * @default false - the shadow variant is removed, and the endpoint serves the production variant alone
   */
  readonly retainShadow?: boolean;
}
