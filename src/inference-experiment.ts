import { aws_iam as iam, aws_sagemaker as sagemaker, IResource, Lazy, Resource } from 'aws-cdk-lib';
import { aws_kms as kmsRefs, aws_sagemaker as sagemakerRefs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import { CancelOptions, ConcludeOptions, PromotedInstanceSettings, PromoteShadowOptions } from './conclude-options';
import { DataCapture } from './data-capture';
import { ImportedInferenceExperiment } from './imported-inference-experiment';
import { InferenceExperimentGrants } from './inference-experiment-grants';
import { InstanceType } from './instance-type';
import { ModelVariant } from './model-variant';
import { Conclusion, InstanceSettings } from './private/conclusion';
import { ExperimentAttributes } from './private/experiment-attributes';
import { checkExperiment, checkKinds, PublicClasses } from './private/experiment-checks';
import { givenNameOf, identifyExperiment } from './private/experiment-identity';
import { grantAndAwaitPrerequisites } from './private/experiment-prerequisites';
import { renderExperiment } from './private/experiment-resource';
import * as kinds from './private/kinds';
import { injectedProps } from './private/property-injection';
import { literalEndpointName, nameForEveryStack } from './private/resource-names';
import { addSynthChecks } from './private/synth-checks';
import { Schedule } from './schedule';
import { ShadowModeConfig } from './shadow-mode-config';
import { ShadowTestMetrics } from './shadow-test-metrics';

/**
 * A SageMaker inference experiment (shadow test).
 */
export interface IInferenceExperiment extends IResource, sagemakerRefs.IInferenceExperimentRef {
  /**
   * The name of the inference experiment.
   *
   * @attribute
   */
  readonly inferenceExperimentName: string;

  /**
   * The ARN of the inference experiment.
   *
   * @attribute
   */
  readonly inferenceExperimentArn: string;

  /**
   * IAM permissions on this inference experiment.
   */
  readonly grants: InferenceExperimentGrants;

  /**
   * The CloudWatch metrics of the production and shadow variants, their comparisons, and alarms on them.
   *
   * An imported experiment has them when it was imported with its `endpointName`, `productionVariantName` and
   * `shadowVariantName`; reading them otherwise throws.
   */
  readonly metrics: ShadowTestMetrics;
}

/**
 * What is known of an inference experiment defined outside this app.
 */
export interface InferenceExperimentAttributes {
  /**
   * The name of the inference experiment. Give it when it has upper-case letters and the ARN may have it in lower
   * case: the APIs take the name as it was created, and grants then name the ARN in both forms.
   *
   * @default - the name in `inferenceExperimentArn`
   */
  readonly inferenceExperimentName?: string;

  /**
   * The ARN of the inference experiment.
   *
   * @default - the ARN of `inferenceExperimentName` in the account and region of the scope's stack
   */
  readonly inferenceExperimentArn?: string;

  /**
   * The role that SageMaker assumes for the experiment. `grants.create()` needs it to grant `iam:PassRole`.
   *
   * @default - unknown: `grants.create()` fails, every other grant works
   */
  readonly role?: iam.IRoleRef;

  /**
   * The name of the endpoint on which the experiment runs, for its `metrics`.
   *
   * @default - unknown: reading `metrics` throws
   */
  readonly endpointName?: string;

  /**
   * The name of the experiment's production variant, for its `metrics`.
   *
   * @default - unknown: reading `metrics` throws
   */
  readonly productionVariantName?: string;

  /**
   * The name of the experiment's shadow variant, for its `metrics`.
   *
   * @default - unknown: reading `metrics` throws
   */
  readonly shadowVariantName?: string;
}

/**
 * Properties of a shadow test.
 */
export interface InferenceExperimentProps {
  /**
   * The endpoint on which the shadow test runs. It must already host the production variant.
   *
   * A `CfnEndpoint`, an `aws_sagemaker.IEndpoint`, or `ExistingEndpoint.fromEndpointName()` for an endpoint that
   * exists outside this app. A reference that exposes only its ARN is rejected, because SageMaker ARNs carry
   * names in lower case. Changing the endpoint replaces the experiment.
   */
  readonly endpoint: sagemakerRefs.IEndpointRef;

  /**
   * The production and shadow variants, and the share of requests that the shadow variant receives.
   */
  readonly shadowMode: ShadowModeConfig;

  /**
   * The IAM role that SageMaker assumes to manage the endpoint's variants during the test. It must trust
   * `sagemaker.amazonaws.com`: a role of the app that does not is refused at synth time. Changing the role replaces
   * the experiment.
   *
   * A role given here receives the permissions that the test needs, when it is mutable (an imported role that is
   * not mutable is used as it is), so it must be able to receive grants: an `iam.Role` of the app, or
   * `iam.Role.fromRoleArn()`. Anything else, such as an `iam.CfnRole`, is refused with an error that says so.
   *
   * @default - a role trusted by `sagemaker.amazonaws.com` only, with the least privilege that the test needs:
   * see "Security" in the README
   */
  readonly role?: iam.IRoleRef;

  /**
   * The name of the inference experiment: letters, digits and hyphens, starting and ending with a letter or
   * digit, at most 120 characters. Changing the name replaces the experiment.
   *
   * CloudFormation replaces the experiment when `endpoint`, `role` or `volumeEncryptionKey` changes, and refuses to
   * do so under an unchanged name: a name given here must change whenever one of them does.
   *
   * @default - a name in lower case, generated from the construct's path and a hash of the experiment's logical ID
   * and of `endpoint`, `role` and `volumeEncryptionKey` as CloudFormation sees them, so that it changes whenever
   * CloudFormation replaces the experiment, and only then
   */
  readonly inferenceExperimentName?: string;

  /**
   * A description of the inference experiment, from 1 to 1024 characters.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * When the shadow test runs, for 1 hour to 30 days.
   *
   * @default - the test starts as soon as it is created and concludes after 7 days
   */
  readonly schedule?: Schedule;

  /**
   * The KMS key that SageMaker uses to encrypt data on the storage volumes attached to the ML compute instances
   * that host the variants. Changing the key replaces the experiment.
   *
   * @default - the volumes are encrypted with an AWS managed key
   */
  readonly volumeEncryptionKey?: kmsRefs.IKeyRef;

  /**
   * Where to capture the inference requests and responses of both variants.
   *
   * @default - no data capture
   */
  readonly dataCapture?: DataCapture;

  /**
   * Tags for the inference experiment: at most 50, together with any added through `Tags.of()`.
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };
}

const IS_INFERENCE_EXPERIMENT = Symbol.for('cdk-sagemaker-inference-experiment.InferenceExperiment');

/** What the private checks need of the library's public classes, which they know only by their members. */
const PUBLIC_CLASSES: PublicClasses = {
  shadowMode: kinds.instanceOf(ShadowModeConfig, 'a ShadowModeConfig, from ShadowModeConfig.of()'),
  schedule: kinds.instanceOf(Schedule, 'a Schedule, from Schedule.between() or Schedule.startingAt()'),
  dataCapture: kinds.instanceOf(DataCapture, 'a DataCapture, from DataCapture.toBucket() or DataCapture.toS3Uri()'),
  isKnownInstanceType: (name) => Object.values(InstanceType).some((c) => c instanceof InstanceType && c.name === name),
};

/** The instance settings that a promoted shadow variant may keep, for the private conclusion. */
const INSTANCE_SETTINGS: InstanceSettings = {
  kind: kinds.oneOf(Object.values(PromotedInstanceSettings), 'PromotedInstanceSettings.PRODUCTION or PromotedInstanceSettings.SHADOW'),
  production: PromotedInstanceSettings.PRODUCTION,
};

/**
 * A shadow test on a SageMaker endpoint: SageMaker copies a share of the requests that the production variant
 * receives to a shadow variant, so that a new model can be compared with the current one on real traffic before
 * it is promoted.
 *
 * @resource AWS::SageMaker::InferenceExperiment
 *
 * @example
 * const experiment = new InferenceExperiment(this, 'ShadowTest', {
 *   endpoint,
 *   shadowMode: ShadowModeConfig.of({
 *     production: ModelVariant.realTime({ variantName: 'production', model: productionModel, instanceType: InstanceType.ML_M5_XLARGE }),
 *     shadow: ModelVariant.realTime({ variantName: 'candidate', model: candidateModel, instanceType: InstanceType.ML_M5_XLARGE }),
 *     samplingPercentage: 50,
 *   }),
 *   schedule: Schedule.startingAt(new Date('2027-01-04T09:00:00Z'), Duration.days(14)),
 *   dataCapture: DataCapture.toBucket(bucket, { prefix: 'shadow-tests/', encryptionKey: key }),
 * });
 */
export class InferenceExperiment extends Resource implements IInferenceExperiment, iam.IGrantable {
  /**
   * The id under which a property injector gives defaults to this construct's props:
   * `PropertyInjectors.of(scope).add({ constructUniqueId: InferenceExperiment.PROPERTY_INJECTION_ID, inject })`.
   */
  public static readonly PROPERTY_INJECTION_ID: string = 'cdk-sagemaker-inference-experiment.InferenceExperiment';

  /**
   * An inference experiment defined outside this app, by its name, in the account and region of `scope`'s stack.
   *
   * @param scope the scope of the reference
   * @param id the id of the reference
   * @param inferenceExperimentName the name of the experiment
   */
  public static fromInferenceExperimentName(scope: Construct, id: string, inferenceExperimentName: string): IInferenceExperiment {
    return InferenceExperiment.fromInferenceExperimentAttributes(scope, id, { inferenceExperimentName });
  }

  /**
   * An inference experiment defined outside this app, by its ARN.
   *
   * The name is read from the ARN, where SageMaker writes it in lower case: for a name with upper-case letters,
   * use `fromInferenceExperimentAttributes()` with both.
   *
   * @param scope the scope of the reference
   * @param id the id of the reference
   * @param inferenceExperimentArn the ARN of the experiment
   */
  public static fromInferenceExperimentArn(scope: Construct, id: string, inferenceExperimentArn: string): IInferenceExperiment {
    return InferenceExperiment.fromInferenceExperimentAttributes(scope, id, { inferenceExperimentArn });
  }

  /**
   * An inference experiment defined outside this app, from what is known of it: its name or ARN (or both), and
   * optionally its role.
   *
   * @param scope the scope of the reference
   * @param id the id of the reference
   * @param attrs the name or ARN, and the role
   */
  public static fromInferenceExperimentAttributes(scope: Construct, id: string, attrs: InferenceExperimentAttributes): IInferenceExperiment {
    return new ImportedInferenceExperiment(scope, id, attrs);
  }

  /**
   * Whether `x` is an `InferenceExperiment` of this library.
   *
   * @param x any value
   */
  public static isInferenceExperiment(x: any): x is InferenceExperiment {
    return x !== null && typeof x === 'object' && IS_INFERENCE_EXPERIMENT in x;
  }

  public readonly grants: InferenceExperimentGrants;
  public readonly metrics: ShadowTestMetrics;

  /** The name of the endpoint on which the shadow test runs. */
  public readonly endpointName: string;

  /** The production and shadow variants of the test. */
  public readonly shadowMode: ShadowModeConfig;

  /** The role that SageMaker assumes for the test. */
  public readonly role: iam.IRoleRef;

  /** The principal of the role that SageMaker assumes for the test, to grant it more permissions. */
  public readonly grantPrincipal: iam.IPrincipal;

  private readonly resource: sagemaker.CfnInferenceExperiment;
  /** The experiment's name as given, or as generated (a lazy value, made once the app is complete). */
  private readonly name: string;
  private readonly conclusion: Conclusion;
  private readonly attributes: ExperimentAttributes;
  /** The shadow variant, on the instances that it keeps once promoted. */
  private promoted?: ModelVariant;

  /**
   * @param scope the scope of the experiment
   * @param id the id of the experiment, unique in `scope`
   * @param props the endpoint, the variants and the other settings of the shadow test
   */
  constructor(scope: Construct, id: string, props: InferenceExperimentProps) {
    kinds.requireKind('InferenceExperiment', 'scope', scope, kinds.SCOPE);
    props = injectedProps(InferenceExperiment.PROPERTY_INJECTION_ID, props, scope, id);
    checkKinds(id, props, PUBLIC_CLASSES);
    // The name is required by CloudFormation, so one is generated when none is given (or when aws-cdk-lib is asked
    // to generate one if needed): it is known once the role exists, since it follows the create-only properties.
    const givenName = givenNameOf(props.inferenceExperimentName);
    super(scope, id, { physicalName: givenName ?? Lazy.string({ produce: () => this.name }) });
    Object.defineProperty(this, IS_INFERENCE_EXPERIMENT, { value: true });

    // Check: every problem of the props in one error, then warnings of the instance types.
    const checked = checkExperiment(this, props, givenName, PUBLIC_CLASSES);
    this.endpointName = checked.endpointName;
    this.shadowMode = props.shadowMode;

    // Name: the role that SageMaker assumes, then the name, which follows the role and the other create-only properties.
    const identity = identifyExperiment(this, props, checked.endpointName, givenName, () => this.resource);
    this.role = identity.role;
    this.grantPrincipal = identity.role.grantPrincipal;
    this.name = identity.name;

    // Render: the L1, and the outcome that the methods below may write into it.
    this.resource = renderExperiment(this, props, identity, checked);
    this.conclusion = new Conclusion(this, this.resource, props.shadowMode, checked.modelNames, props.schedule !== undefined);

    // Grant: the role's permissions, and the resources that the experiment waits for; the rest is checked at synth.
    grantAndAwaitPrerequisites(this, this.resource, props, identity, checked);
    addSynthChecks(this, this.resource, props, this.conclusion);

    // Expose: the attributes, the grants on the experiment, and its metrics.
    this.attributes = new ExperimentAttributes(this, this.resource, identity, (ref) => this.getResourceNameAttribute(ref));
    this.grants = InferenceExperimentGrants.fromInferenceExperiment(this);
    this.metrics = ShadowTestMetrics.of({
      endpointName: nameForEveryStack(this, this.endpointName, () => literalEndpointName(props.endpoint)),
      productionVariantName: props.shadowMode.production.variantName,
      shadowVariantName: props.shadowMode.shadow.variantName,
    });
  }

  /**
   * The name of the inference experiment.
   *
   * @attribute
   */
  public get inferenceExperimentName(): string {
    return this.attributes.name;
  }

  /**
   * The ARN of the inference experiment.
   *
   * It is formatted from the experiment's name, which is known at synth time, rather than read from the deployed
   * resource: a policy that grants access to the experiment (its own role's included) then does not have to wait for
   * the experiment, and can be in another account or region.
   *
   * @attribute
   */
  public get inferenceExperimentArn(): string {
    return this.attributes.arn;
  }

  /**
   * The status of the inference experiment, such as `Running` or `Completed`.
   *
   * @attribute
   */
  public get inferenceExperimentStatus(): string {
    return this.resource.attrStatus;
  }

  /**
   * When the inference experiment was created.
   *
   * @attribute
   */
  public get inferenceExperimentCreationTime(): string {
    return this.resource.attrCreationTime;
  }

  /**
   * When the inference experiment was last modified.
   *
   * @attribute
   */
  public get inferenceExperimentLastModifiedTime(): string {
    return this.resource.attrLastModifiedTime;
  }

  /**
   * The name of the endpoint on which the experiment ran, as SageMaker reports it.
   *
   * @attribute
   */
  public get inferenceExperimentEndpointName(): string {
    return this.resource.attrEndpointMetadataEndpointName;
  }

  /**
   * The name of the endpoint configuration that the endpoint uses, as SageMaker reports it.
   *
   * @attribute
   */
  public get inferenceExperimentEndpointConfigName(): string {
    return this.resource.attrEndpointMetadataEndpointConfigName;
  }

  /**
   * The status of the endpoint, such as `InService`.
   *
   * @attribute
   */
  public get inferenceExperimentEndpointStatus(): string {
    return this.resource.attrEndpointMetadataEndpointStatus;
  }

  /**
   * The production variant that the endpoint serves once the test has ended with the outcome that this app gives it:
   * the shadow variant, on the instance settings chosen, after `promoteShadow()`; the production variant otherwise
   * (a test that completes at its end time, or that is cancelled, leaves the endpoint as it was).
   *
   * Once the conclusion is deployed, write the endpoint's configuration from this variant (`toProductionVariant()`),
   * so that the next update of the endpoint keeps what the test left on it rather than reverting it; the experiment
   * can then be removed from the app, keeping this variant.
   */
  public get productionVariantAfterTest(): ModelVariant {
    return this.promoted ?? this.shadowMode.production;
  }

  /** A reference to this inference experiment, for L1 and L2 constructs that accept one. */
  public get inferenceExperimentRef(): sagemakerRefs.InferenceExperimentReference {
    return {
      inferenceExperimentName: this.inferenceExperimentName,
      inferenceExperimentArn: this.inferenceExperimentArn,
    };
  }

  /**
   * Start a scheduled test now, instead of at its start time (`DesiredState: Running`).
   *
   * Deploy it on its own: while it starts the test, CloudFormation sends no other change of the same update.
   * SageMaker takes no reason for a start. Only a test with a `schedule` waits to be started.
   */
  public startNow(): void {
    this.conclusion.startNow();
  }

  /**
   * Conclude the test by promoting the shadow variant: it replaces the production variant on the endpoint
   * (`DesiredState: Completed`, with only the shadow variant in `ModelVariants`), on the production variant's
   * instance type and count unless `instanceSettings` says otherwise.
   *
   * Deploy it while the test runs. The template can then only end a test that exists: it cannot create one.
   *
   * @param options the reason, and the instance settings that the promoted variant keeps
   */
  public promoteShadow(options: PromoteShadowOptions = {}): void {
    const { production, shadow } = this.shadowMode;
    this.promoted = this.conclusion.promoteShadow(options, INSTANCE_SETTINGS) ? ModelVariant.realTime({
      variantName: shadow.variantName, model: shadow.model, instanceType: production.instanceType, instanceCount: production.instanceCount,
    }) : shadow;
  }

  /**
   * Conclude the test keeping the production variant: the shadow variant is removed from the endpoint
   * (`DesiredState: Completed`, with only the production variant in `ModelVariants`).
   *
   * Deploy it while the test runs. The template can then only end a test that exists: it cannot create one.
   *
   * @param options the reason for the conclusion
   */
  public keepProduction(options: ConcludeOptions = {}): void {
    this.conclusion.keepProduction(options);
  }

  /**
   * Cancel the test early (`DesiredState: Cancelled`): the production variant stays, and the shadow variant is
   * removed from the endpoint unless `retainShadow` is set.
   *
   * Deploy it while the test runs. Unless the shadow is retained, the template can then only end a test that
   * exists: it cannot create one.
   *
   * @param options the reason, and whether the shadow variant stays on the endpoint
   */
  public cancel(options: CancelOptions = {}): void {
    this.conclusion.cancel(options);
  }
}
