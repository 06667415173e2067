/*
 * How a shadow test's outcome is written for the AWS::SageMaker::InferenceExperiment resource handler.
 *
 * On an update, the handler starts a scheduled test when DesiredState is Running. When DesiredState is Completed
 * or Cancelled it stops the test, and derives what happens to each variant from ModelVariants: the production
 * variant is retained if it is listed and removed otherwise; the shadow variant is promoted if it is the only one
 * listed, retained if it is listed beside the production variant, and removed if it is not listed.
 */

/** Which variants the template lists once the outcome is set. */
export enum ListedVariants {
  BOTH = 'both',
  PRODUCTION = 'production',
  SHADOW = 'shadow',
}

export interface Outcome {
  /** The method of the construct that asks for this outcome. */
  readonly method: string;
  readonly desiredState: 'Running' | 'Completed' | 'Cancelled';
  readonly listedVariants: ListedVariants;
}

export const START_NOW: Outcome = {
  method: 'startNow', desiredState: 'Running', listedVariants: ListedVariants.BOTH,
};

/** Stop: the shadow variant replaces the production variant. */
export const PROMOTE_SHADOW: Outcome = {
  method: 'promoteShadow', desiredState: 'Completed', listedVariants: ListedVariants.SHADOW,
};

/** Stop: the production variant stays, the shadow variant is removed. */
export const KEEP_PRODUCTION: Outcome = {
  method: 'keepProduction', desiredState: 'Completed', listedVariants: ListedVariants.PRODUCTION,
};

/** Stop early: the production variant stays, the shadow variant is removed. */
export const CANCEL: Outcome = {
  method: 'cancel', desiredState: 'Cancelled', listedVariants: ListedVariants.PRODUCTION,
};

/** Stop early: both variants are retained as they are, the shadow variant still billed. */
export const CANCEL_RETAINING_SHADOW: Outcome = {
  method: 'cancel', desiredState: 'Cancelled', listedVariants: ListedVariants.BOTH,
};
