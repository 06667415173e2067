import { Annotations, aws_sagemaker as sagemaker, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import * as kinds from './kinds';
import { CANCEL, CANCEL_RETAINING_SHADOW, KEEP_PRODUCTION, ListedVariants, Outcome, PROMOTE_SHADOW, START_NOW } from './outcomes';
import { renderVariant } from './render';
import * as rules from './rules';
import { ShadowModeSpec, VariantSpec } from './shadow-test-specs';
import { ProblemCollector } from './validation';
import { CONCLUSION_ENDS_EXISTING_TEST_ONLY, PROMOTE_BELOW_FULL_SAMPLING } from './warnings';

/** The options of `promoteShadow()`. */
export interface PromotionOptions {
  readonly reason?: string;
  readonly instanceSettings?: string;
}

/**
 * The instance settings that a promoted variant may keep, which the public side defines (`PromotedInstanceSettings`):
 * their kind, and the value that keeps the production variant's instances, the default.
 */
export interface InstanceSettings {
  readonly kind: kinds.Kind;
  readonly production: string;
}

/**
 * The outcome that the app gives a shadow test (see `outcomes.ts`), written into the experiment's L1: a test has at
 * most one, and the synth-time checks read it.
 */
export class Conclusion {
  private chosen?: Outcome;

  /**
   * @param experiment the experiment, which errors and warnings name
   * @param resource the experiment's L1
   * @param shadowMode the test's variants
   * @param modelNames the name of each variant's model, as the template gives it
   * @param hasSchedule whether the test has a schedule, and so waits to be started
   */
  constructor(
    private readonly experiment: IConstruct,
    private readonly resource: sagemaker.CfnInferenceExperiment,
    private readonly shadowMode: ShadowModeSpec,
    private readonly modelNames: ReadonlyMap<VariantSpec, string>,
    private readonly hasSchedule: boolean,
  ) {}

  /** The outcome set so far, if any. */
  public get outcome(): Outcome | undefined {
    return this.chosen;
  }

  /** Starts a scheduled test now. */
  public startNow(): void {
    if (!this.hasSchedule) {
      throw new Error(`InferenceExperiment '${this.experiment.node.path}': startNow() needs a schedule; without one, SageMaker ` +
        'starts the test as soon as it is created');
    }
    this.set(START_NOW);
  }

  /**
   * Promotes the shadow variant, on the production variant's instances unless `options.instanceSettings` says
   * otherwise (its own instances have served only the sampled share of the requests, hence a warning). Returns
   * whether it keeps the production variant's instances.
   */
  public promoteShadow(options: PromotionOptions, settings: InstanceSettings): boolean {
    const subject = `InferenceExperiment '${this.experiment.node.path}': promoteShadow()`;
    kinds.requireKind(subject, 'options', options, kinds.PROPS);
    kinds.requireKind(subject, 'options.instanceSettings', options.instanceSettings, settings.kind, true);
    const onProductionInstances = (options.instanceSettings ?? settings.production) === settings.production;
    this.set(PROMOTE_SHADOW, options.reason);
    const { production, shadow, samplingPercentage } = this.shadowMode;
    if (onProductionInstances) {
      this.resource.modelVariants = [this.renderVariant(shadow, production)];
    }
    if (!onProductionInstances && !Token.isUnresolved(samplingPercentage) && samplingPercentage < 100) {
      Annotations.of(this.experiment).addWarningV2(PROMOTE_BELOW_FULL_SAMPLING,
        `The shadow variant is promoted with its own instances after receiving ${samplingPercentage}% ` +
        'of the requests: they have not served production traffic. Run the test with samplingPercentage: 100 before ' +
        'promoting, or keep the production variant\'s instance settings.');
    }
    return onProductionInstances;
  }

  /** Ends the test keeping the production variant. */
  public keepProduction(options: { readonly reason?: string }): void {
    kinds.requireKind(`InferenceExperiment '${this.experiment.node.path}': keepProduction()`, 'options', options, kinds.PROPS);
    this.set(KEEP_PRODUCTION, options.reason);
  }

  /** Ends the test early, removing the shadow variant unless `options.retainShadow`. */
  public cancel(options: { readonly reason?: string; readonly retainShadow?: boolean }): void {
    const subject = `InferenceExperiment '${this.experiment.node.path}': cancel()`;
    kinds.requireKind(subject, 'options', options, kinds.PROPS);
    kinds.requireKind(subject, 'options.retainShadow', options.retainShadow, kinds.BOOLEAN, true);
    this.set(options.retainShadow ? CANCEL_RETAINING_SHADOW : CANCEL, options.reason);
  }

  /** Sets the test's outcome, with the reason for it; throws when the test has one already. */
  private set(outcome: Outcome, reason?: string): void {
    const subject = `InferenceExperiment '${this.experiment.node.path}'`;
    kinds.requireKind(`${subject}: ${outcome.method}()`, 'options.reason', reason, kinds.STRING, true);
    if (this.chosen) {
      throw new Error(`${subject}: ${outcome.method}() conflicts with ${this.chosen.method}(), called before; a shadow ` +
        'test has one outcome');
    }
    const problems = new ProblemCollector();
    problems.checkString('reason', reason, rules.STATUS_REASON);
    problems.throwIfAny(subject);

    this.chosen = outcome;
    this.resource.desiredState = outcome.desiredState;
    this.resource.statusReason = reason;
    if (outcome.listedVariants === ListedVariants.BOTH) {
      return;
    }
    this.resource.modelVariants = [this.renderVariant(this.shadowMode[outcome.listedVariants])];
    // The shadow mode configuration names both variants: a test that ends with one of them has none. The stop that
    // the handler sends reads the variants' roles from the running test, not from the template.
    this.resource.shadowModeConfig = undefined;
    Annotations.of(this.experiment).addWarningV2(CONCLUSION_ENDS_EXISTING_TEST_ONLY,
      `${outcome.method}() lists one variant and no ShadowModeConfig, so this template can end a test that is running, ` +
      'but it cannot create one: a new stage, account or region, a re-created stack or a replacement of the experiment ' +
      'fails. Deploy it to every stack that runs the test, then remove the experiment from the app and make the ' +
      'endpoint configuration match what the endpoint now serves.');
  }

  private renderVariant(variant: VariantSpec, instancesOf?: VariantSpec): sagemaker.CfnInferenceExperiment.ModelVariantConfigProperty {
    return renderVariant(variant, this.modelNames.get(variant)!, instancesOf);
  }
}
