import {
  Annotations, Arn, ArnFormat, aws_iam as iam, aws_sagemaker as sagemaker, IResource, Lazy, PhysicalName, Resource,
  Stack, Token,
} from 'aws-cdk-lib';
import { aws_kms as kmsRefs, aws_sagemaker as sagemakerRefs } from 'aws-cdk-lib/interfaces';
import { Construct, IDependable } from 'constructs';
import { CancelOptions, ConcludeOptions, PromotedInstanceSettings, PromoteShadowOptions } from './conclude-options';
import { DataCapture } from './data-capture';
import { InferenceExperimentGrants } from './inference-experiment-grants';
import { InstanceType } from './instance-type';
import { ModelVariant } from './model-variant';
import { arnCaseForms, NAMES_AS_GIVEN, normalizedSageMakerArn, sageMakerArn } from './private/arns';
import { checkEndpointConfiguration, checkVariantModels } from './private/endpoint-checks';
import { ROLES_NAMED_AT_DEPLOY_TIME } from './private/environments';
import { grantShadowTestPermissions } from './private/execution-role';
import { generatedExperimentName } from './private/generated-name';
import { hasLocalStorage, isInferentia1 } from './private/instance-facts';
import { PRICE_LIST_REGION_COUNT, PRICE_LIST_SOURCE, regionsOffering, typesOfferedIn } from './private/instance-offers';
import * as kinds from './private/kinds';
import { checkKind } from './private/kinds';
import * as outcomes from './private/outcomes';
import { ListedVariants, Outcome } from './private/outcomes';
import { checkEndpointIsFree, checkSameEnvironment } from './private/placement';
import { prerequisiteOf } from './private/prerequisites';
import { injectedProps } from './private/property-injection';
import { renderDataCapture, renderSchedule, renderShadowModeConfig, renderVariant, TYPE_SHADOW_MODE } from './private/render';
import {
  endpointArnOf, endpointNameOf, literalEndpointName, modelArnOf, modelNameOf, nameForEveryStack, roleArnOf,
} from './private/resource-names';
import { executionRoleOf, sageMakerCanAssume } from './private/roles';
import * as rules from './private/rules';
import { checkDataCapture, checkSchedule, checkShadowMode, checkTags } from './private/validate-props';
import { ProblemCollector } from './private/validation';
import {
  CONCLUSION_ENDS_EXISTING_TEST_ONLY, INF1_INSTANCE_TYPE, INSTANCE_TYPE_NOT_OFFERED_IN_REGION, PROMOTE_BELOW_FULL_SAMPLING,
  VOLUME_KEY_WITH_LOCAL_STORAGE,
} from './private/warnings';
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

/** IAM role descriptions: at most 1000 characters of tab, new lines, and printable Latin-1. */
const ROLE_DESCRIPTION_MAX_LENGTH = 1000;
const ROLE_DESCRIPTION_REFUSED = /[^\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]/g;

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
  private readonly modelNames: Map<ModelVariant, string>;
  /** The experiment's name as given, or as generated (a lazy value, made once the app is complete). */
  private readonly name: string;
  private readonly givenName?: string;
  private readonly hasSchedule: boolean;
  private outcome?: Outcome;
  /** The shadow variant, on the instances that it keeps once promoted. */
  private promoted?: ModelVariant;
  private nameAttribute?: string;
  private arnAttribute?: string;

  /**
   * @param scope the scope of the experiment
   * @param id the id of the experiment, unique in `scope`
   * @param props the endpoint, the variants and the other settings of the shadow test
   */
  constructor(scope: Construct, id: string, props: InferenceExperimentProps) {
    kinds.requireKind('InferenceExperiment', 'scope', scope, kinds.SCOPE);
    props = injectedProps(InferenceExperiment.PROPERTY_INJECTION_ID, props, scope, id);
    checkKinds(id, props);
    // The name is required by CloudFormation, so one is generated when none is given (or when aws-cdk-lib is asked
    // to generate one if needed): it is known once the role exists, since it follows the create-only properties.
    const givenName = props.inferenceExperimentName === PhysicalName.GENERATE_IF_NEEDED ? undefined : props.inferenceExperimentName;
    super(scope, id, { physicalName: givenName ?? Lazy.string({ produce: () => this.name }) });
    Object.defineProperty(this, IS_INFERENCE_EXPERIMENT, { value: true });

    const problems = new ProblemCollector();
    problems.checkString('inferenceExperimentName', givenName, rules.EXPERIMENT_NAME);
    problems.checkString('description', props.description, rules.DESCRIPTION);
    problems.checkString('role', props.role && roleArnOf(props.role), rules.ROLE_ARN);
    problems.checkString('volumeEncryptionKey', props.volumeEncryptionKey?.keyRef.keyArn, rules.KMS_KEY);

    const endpointName = endpointNameOf(props.endpoint);
    if (endpointName === undefined) {
      problems.addDescribed('endpoint', `'${props.endpoint.node.path}', which exposes only its ARN`, nameMissing('endpoint',
        'a CfnEndpoint, an aws_sagemaker.IEndpoint or ExistingEndpoint.fromEndpointName()'));
    }
    problems.checkString('endpoint', endpointName, rules.ENDPOINT_NAME);

    checkShadowMode(problems, 'shadowMode', props.shadowMode);
    this.modelNames = new Map<ModelVariant, string>();
    for (const [role, variant] of [['production', props.shadowMode.production], ['shadow', props.shadowMode.shadow]] as const) {
      const modelName = modelNameOf(variant.model);
      if (modelName === undefined) {
        problems.addDescribed(`shadowMode.${role}.model`, `'${variant.model.node.path}', which exposes only its ARN`,
          nameMissing('model', 'a CfnModel or ExistingModel.fromModelName()'));
      } else {
        problems.checkString(`shadowMode.${role}.model`, modelName, rules.MODEL_NAME);
        this.modelNames.set(variant, modelName);
      }
    }
    if (props.schedule) {
      checkSchedule(problems, 'schedule', props.schedule);
    }
    if (props.dataCapture) {
      checkDataCapture(problems, 'dataCapture', props.dataCapture);
    }
    const tags = Object.entries(props.tags ?? {}).map(([key, value]) => ({ key, value }));
    checkTags(problems, 'tags', tags);
    checkSameEnvironment(problems, 'endpoint', props.endpoint, this);
    checkSameEnvironment(problems, 'shadowMode.production.model', props.shadowMode.production.model, this);
    checkSameEnvironment(problems, 'shadowMode.shadow.model', props.shadowMode.shadow.model, this);
    const claimEndpoint = endpointName === undefined ? undefined : checkEndpointIsFree(problems, this, props.endpoint, endpointName);
    problems.throwIfAny(`InferenceExperiment '${this.node.path}'`);
    claimEndpoint?.();

    this.endpointName = endpointName!;
    this.shadowMode = props.shadowMode;
    // checkKinds() made sure that a given role can receive grants.
    const role = (props.role as (iam.IRoleRef & iam.IGrantable) | undefined) ?? new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: roleDescription(this),
    });
    if (!props.role) {
      // Unnamed, as aws-cdk-lib's roles are by default: a name that could be generated on demand would cost every
      // experiment a token to resolve, for the rare create() grant to a principal of another region.
      ROLES_NAMED_AT_DEPLOY_TIME.add(role);
    }
    this.role = role;
    this.grantPrincipal = role.grantPrincipal;

    const { production, shadow } = props.shadowMode;
    const createOnly = {
      type: TYPE_SHADOW_MODE,
      roleArn: roleArnOf(role),
      endpointName: this.endpointName,
      kmsKey: props.volumeEncryptionKey?.keyRef.keyArn,
    };
    this.name = givenName ?? generatedExperimentName(this, () => this.resource, createOnly);
    if (givenName !== undefined) {
      NAMES_AS_GIVEN.set(this, givenName);
    }
    this.givenName = givenName;
    this.hasSchedule = props.schedule !== undefined;
    this.warnOfInstanceTypes(props);

    this.resource = new sagemaker.CfnInferenceExperiment(this, 'Resource', {
      ...createOnly,
      name: this.name,
      description: props.description,
      schedule: props.schedule && renderSchedule(props.schedule),
      dataStorageConfig: props.dataCapture && renderDataCapture(props.dataCapture),
      modelVariants: [this.renderVariant(production), this.renderVariant(shadow)],
      shadowModeConfig: renderShadowModeConfig(props.shadowMode),
      tags: tags.length > 0 ? tags : undefined,
    });

    // The endpoint and the models must exist before the experiment is created, and the role must hold its
    // permissions. Names read from attributes already order the resources; a literal name does not, and the role's
    // policies are resources of their own, hence the explicit dependencies on what the references do not cover.
    const policies = grantShadowTestPermissions(this, role, {
      endpointArns: arnCaseForms(endpointArnOf(props.endpoint), this.endpointName),
      modelArns: [production, shadow].flatMap((variant) => arnCaseForms(modelArnOf(variant.model), this.modelNames.get(variant))),
      dataCapture: props.dataCapture,
      volumeEncryptionKey: props.volumeEncryptionKey,
      modelRoles: [production.model, shadow.model].flatMap((model) => executionRoleOf(model) ?? []),
    }, props.role === undefined);
    const prerequisites = [
      prerequisiteOf(props.endpoint, this.endpointName),
      ...[production, shadow].map((variant) => prerequisiteOf(variant.model, this.modelNames.get(variant)!)),
      prerequisiteOf(role, createOnly.roleArn),
    ];
    this.resource.node.addDependency(...policies, ...prerequisites.filter((p): p is IDependable => p !== undefined));

    // Tags added with `Tags.of()` and the stack's tags are known only after aspects run, and a role's trust policy,
    // the endpoint's configuration and the models can still change after the experiment is created (L1s are
    // mutable), so these are checked at synth.
    let endpointWarned = false;
    this.node.addValidation({
      validate: () => {
        const synthProblems = new ProblemCollector();
        checkTags(synthProblems, 'tags', this.resource.tags.renderTags() ?? [], stackTagsOf(this));
        if (props.role && sageMakerCanAssume(props.role) === false) {
          synthProblems.addDescribed('role', `'${props.role.node.path}', whose trust policy does not let ` +
            'sagemaker.amazonaws.com call sts:AssumeRole', 'SageMaker must be able to assume the role: create it with ' +
            "assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'), or leave role out to get a least-privilege one");
        }
        // Once concluded, the test exists already, and the endpoint's configuration may describe the endpoint before
        // the test or after it: there is nothing left to check against it.
        if (this.outcome === undefined || this.outcome === outcomes.START_NOW) {
          checkVariantModels(synthProblems, props.shadowMode);
          const warnings = checkEndpointConfiguration(synthProblems, props.endpoint, props.shadowMode);
          for (const warning of endpointWarned ? [] : warnings) {
            Annotations.of(this).addWarningV2(warning.id, warning.message);
          }
          endpointWarned = true;
        }
        return synthProblems.isEmpty ? [] : [synthProblems.message(`InferenceExperiment '${this.node.path}'`)];
      },
    });

    this.grants = InferenceExperimentGrants.fromInferenceExperiment(this);
    this.metrics = ShadowTestMetrics.of({
      endpointName: nameForEveryStack(this, this.endpointName, () => literalEndpointName(props.endpoint)),
      productionVariantName: production.variantName,
      shadowVariantName: shadow.variantName,
    });
  }

  // The attributes are made when they are first read: most apps read few of them, and each is a token to make.

  /**
   * The name of the inference experiment.
   *
   * @attribute
   */
  public get inferenceExperimentName(): string {
    // In the experiment's own stack, a reference, which orders what uses the name after the experiment; elsewhere,
    // the name itself when it is known at synth, since an export would block every replacement of the experiment.
    this.nameAttribute ??= Token.isUnresolved(this.givenName ?? '')
      ? this.getResourceNameAttribute(this.resource.ref)
      : nameForEveryStack(this, this.resource.ref, () => this.name);
    return this.nameAttribute;
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
    // A generated name is in lower case already, and known at synth: it is not one of the names given as tokens, of
    // which sageMakerArn() warns.
    this.arnAttribute ??= this.givenName === undefined
      ? Stack.of(this).formatArn({ service: 'sagemaker', resource: 'inference-experiment', resourceName: this.name })
      : sageMakerArn(this, 'inference-experiment', this.name);
    return this.arnAttribute;
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
    if (!this.hasSchedule) {
      throw new Error(`InferenceExperiment '${this.node.path}': startNow() needs a schedule; without one, SageMaker ` +
        'starts the test as soon as it is created');
    }
    this.setOutcome(outcomes.START_NOW);
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
    kinds.requireKind(`InferenceExperiment '${this.node.path}': promoteShadow()`, 'options', options, kinds.PROPS);
    kinds.requireKind(`InferenceExperiment '${this.node.path}': promoteShadow()`, 'options.instanceSettings', options.instanceSettings,
      kinds.oneOf(Object.values(PromotedInstanceSettings), 'PromotedInstanceSettings.PRODUCTION or PromotedInstanceSettings.SHADOW'), true);
    const instanceSettings = options.instanceSettings ?? PromotedInstanceSettings.PRODUCTION;
    this.setOutcome(outcomes.PROMOTE_SHADOW, options.reason);
    const { production, shadow } = this.shadowMode;
    if (instanceSettings === PromotedInstanceSettings.PRODUCTION) {
      this.resource.modelVariants = [this.renderVariant(shadow, production)];
      this.promoted = ModelVariant.realTime({
        variantName: shadow.variantName,
        model: shadow.model,
        instanceType: production.instanceType,
        instanceCount: production.instanceCount,
      });
    } else {
      this.promoted = shadow;
    }
    if (instanceSettings === PromotedInstanceSettings.SHADOW && !Token.isUnresolved(this.shadowMode.samplingPercentage) &&
      this.shadowMode.samplingPercentage < 100) {
      Annotations.of(this).addWarningV2(PROMOTE_BELOW_FULL_SAMPLING,
        `The shadow variant is promoted with its own instances after receiving ${this.shadowMode.samplingPercentage}% ` +
        'of the requests: they have not served production traffic. Run the test with samplingPercentage: 100 before ' +
        'promoting, or keep the production variant\'s instance settings.');
    }
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
    kinds.requireKind(`InferenceExperiment '${this.node.path}': keepProduction()`, 'options', options, kinds.PROPS);
    this.setOutcome(outcomes.KEEP_PRODUCTION, options.reason);
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
    kinds.requireKind(`InferenceExperiment '${this.node.path}': cancel()`, 'options', options, kinds.PROPS);
    kinds.requireKind(`InferenceExperiment '${this.node.path}': cancel()`, 'options.retainShadow', options.retainShadow, kinds.BOOLEAN, true);
    this.setOutcome(options.retainShadow ? outcomes.CANCEL_RETAINING_SHADOW : outcomes.CANCEL, options.reason);
  }

  private renderVariant(variant: ModelVariant, instancesOf?: ModelVariant): sagemaker.CfnInferenceExperiment.ModelVariantConfigProperty {
    return renderVariant(variant, this.modelNames.get(variant)!, instancesOf);
  }

  private warnOfInstanceTypes(props: InferenceExperimentProps): void {
    // SageMaker's price list, as cfn-lint ships it, says which instance types each region offers for real-time
    // inference. It is read only for a region given as a literal that the price list covers: nothing is guessed for an
    // env-agnostic stack, whose region is a token, nor for another region. A warning, not an error: the price list
    // lags SageMaker's launches and has retired types in no region, SageMaker's API accepts types of both kinds, and
    // `InstanceType.of()` stays the way to name a type that the library does not know. The templates that conclude
    // the test (`promoteShadow()`, `keepProduction()`, `cancel()`) use one of these two variants' instance types, so
    // checking both covers them. The lookup is a set per region, built once.
    const region = Stack.of(this).region;
    const offered = Token.isUnresolved(region) ? undefined : typesOfferedIn(region);
    for (const [role, variant] of [['production', props.shadowMode.production], ['shadow', props.shadowMode.shadow]] as const) {
      const instanceType = variant.instanceType.name;
      if (isInferentia1(instanceType)) {
        Annotations.of(this).addWarningV2(INF1_INSTANCE_TYPE,
          `The ${role} variant uses ${instanceType}: shadow tests exclude Inf1 (Inferentia 1) instances, and SageMaker ` +
          'rejects the test. Use another instance type, such as an Inf2 one.');
      }
      if (props.volumeEncryptionKey && hasLocalStorage(instanceType)) {
        Annotations.of(this).addWarningV2(VOLUME_KEY_WITH_LOCAL_STORAGE,
          `The ${role} variant uses ${instanceType}, which has local NVMe storage encrypted by the instance's hardware: ` +
          'SageMaker refuses a volume KMS key for it when the test deploys the variants. Remove volumeEncryptionKey, ' +
          'or use an instance type without local storage.');
      }
      if (offered !== undefined && !Token.isUnresolved(instanceType) && !offered.has(instanceType)) {
        const regions = regionsOffering(instanceType);
        const known = Object.values(InstanceType).some((c) => c instanceof InstanceType && c.name === instanceType);
        const where = regions.length > 0
          ? `which the SageMaker price list does not offer for real-time inference in ${region} (${PRICE_LIST_SOURCE} ` +
            `data); it offers it in ${regions.length} of its ${PRICE_LIST_REGION_COUNT} regions: ${regions.join(', ')}`
          : known
            ? `which the SageMaker price list offers for real-time inference in none of its ${PRICE_LIST_REGION_COUNT} ` +
              `regions (${PRICE_LIST_SOURCE} data): it may be retired, or newer than the price list`
            : `which the SageMaker price list offers for real-time inference in none of its ${PRICE_LIST_REGION_COUNT} ` +
              `regions (${PRICE_LIST_SOURCE} data), and which is not among the instance types that this library knows: ` +
              'it may be newer than both, or misspelled';
        Annotations.of(this).addWarningV2(INSTANCE_TYPE_NOT_OFFERED_IN_REGION,
          `The ${role} variant uses ${instanceType}, ${where}. Use an instance type that ${region} offers; or, if you ` +
          `know that SageMaker offers ${instanceType} in ${region} (the price list lags launches), keep it, acknowledge ` +
          'this warning and, with an aws-cdk-lib that validates templates itself (2.262.0 and later), its finding E3642 too: ' +
          `Validations.of(experiment).acknowledge({ id: 'CloudFormation-Validate::E3642', reason: 'SageMaker offers ${instanceType} ` +
          `in ${region}' }).`);
      }
    }
  }

  private setOutcome(outcome: Outcome, reason?: string): void {
    const subject = `InferenceExperiment '${this.node.path}'`;
    kinds.requireKind(`${subject}: ${outcome.method}()`, 'options.reason', reason, kinds.STRING, true);
    if (this.outcome) {
      throw new Error(`${subject}: ${outcome.method}() conflicts with ${this.outcome.method}(), called before; a shadow ` +
        'test has one outcome');
    }
    const problems = new ProblemCollector();
    problems.checkString('reason', reason, rules.STATUS_REASON);
    problems.throwIfAny(subject);

    this.outcome = outcome;
    this.resource.desiredState = outcome.desiredState;
    this.resource.statusReason = reason;
    if (outcome.listedVariants === ListedVariants.BOTH) {
      return;
    }
    this.resource.modelVariants = [this.renderVariant(this.shadowMode[outcome.listedVariants])];
    // The shadow mode configuration names both variants: a test that ends with one of them has none. The stop that
    // the handler sends reads the variants' roles from the running test, not from the template.
    this.resource.shadowModeConfig = undefined;
    Annotations.of(this).addWarningV2(CONCLUSION_ENDS_EXISTING_TEST_ONLY,
      `${outcome.method}() lists one variant and no ShadowModeConfig, so this template can end a test that is running, ` +
      'but it cannot create one: a new stage, account or region, a re-created stack or a replacement of the experiment ' +
      'fails. Deploy it to every stack that runs the test, then remove the experiment from the app and make the ' +
      'endpoint configuration match what the endpoint now serves.');
  }
}

/**
 * Throws when an argument or a property is not of the kind that the construct takes: a caller in plain JavaScript
 * would otherwise get a TypeError from deep inside the construct.
 */
function checkKinds(id: string, props: InferenceExperimentProps): void {
  const problems = new ProblemCollector();
  checkKind(problems, 'id', id, kinds.STRING);
  if (checkKind(problems, 'props', props, kinds.PROPS)) {
    checkKind(problems, 'endpoint', props.endpoint, kinds.ENDPOINT);
    checkKind(problems, 'shadowMode', props.shadowMode,
      kinds.instanceOf(ShadowModeConfig, 'a ShadowModeConfig, from ShadowModeConfig.of()'));
    checkKind(problems, 'role', props.role, kinds.ROLE, true);
    checkKind(problems, 'inferenceExperimentName', props.inferenceExperimentName, kinds.STRING, true);
    checkKind(problems, 'description', props.description, kinds.STRING, true);
    checkKind(problems, 'schedule', props.schedule, kinds.instanceOf(Schedule, 'a Schedule, from Schedule.between() or Schedule.startingAt()'), true);
    checkKind(problems, 'volumeEncryptionKey', props.volumeEncryptionKey, kinds.KEY, true);
    checkKind(problems, 'dataCapture', props.dataCapture,
      kinds.instanceOf(DataCapture, 'a DataCapture, from DataCapture.toBucket() or DataCapture.toS3Uri()'), true);
    checkKind(problems, 'tags', props.tags, kinds.STRING_MAP, true);
  }
  problems.throwIfAny(`InferenceExperiment '${typeof id === 'string' ? id : '?'}'`);
}

/** The description of the default role: the experiment's path, in the characters and length that IAM accepts. */
function roleDescription(experiment: Construct): string {
  const description = `Assumed by SageMaker to run the shadow test ${experiment.node.path}`.replace(ROLE_DESCRIPTION_REFUSED, '?');
  // Characters, not UTF-16 units, count; a description that short in units is short enough in characters.
  return description.length <= ROLE_DESCRIPTION_MAX_LENGTH ? description : [...description].slice(0, ROLE_DESCRIPTION_MAX_LENGTH).join('');
}

function nameMissing(kind: string, accepted: string): string {
  return `the ${kind}'s name is needed and SageMaker ARNs carry names in lower case, so it can not be read from the ` +
    `ARN; pass ${accepted}`;
}

/** The tags of `construct`'s stack and of the stacks that hold it, which CloudFormation propagates to its resources. */
function stackTagsOf(construct: Construct): Array<{ key: string; value: string }> {
  const tags = new Map<string, string>();
  for (let stack: Stack | undefined = Stack.of(construct); stack; stack = stack.nestedStackParent) {
    for (const [key, value] of Object.entries(stack.tags.tagValues())) {
      tags.set(key, tags.get(key) ?? value);
    }
  }
  return [...tags].map(([key, value]) => ({ key, value }));
}

class ImportedInferenceExperiment extends Resource implements IInferenceExperiment {
  public readonly inferenceExperimentName: string;
  public readonly inferenceExperimentArn: string;
  public readonly role?: iam.IRoleRef;
  public readonly grants: InferenceExperimentGrants;
  private readonly knownMetrics?: ShadowTestMetrics;

  constructor(scope: Construct, id: string, attrs: InferenceExperimentAttributes) {
    const problems = new ProblemCollector();
    checkKind(problems, 'scope', scope, kinds.SCOPE);
    checkKind(problems, 'id', id, kinds.STRING);
    if (checkKind(problems, 'attrs', attrs, kinds.PROPS)) {
      for (const name of ['inferenceExperimentName', 'inferenceExperimentArn', 'endpointName', 'productionVariantName', 'shadowVariantName'] as const) {
        checkKind(problems, name, attrs[name], kinds.STRING, true);
      }
      checkKind(problems, 'role', attrs.role, kinds.reference('roleRef', 'an iam.IRole, such as iam.Role.fromRoleArn()'), true);
    }
    problems.throwIfAny(`Cannot import the inference experiment '${typeof id === 'string' ? id : '?'}'`);
    const { inferenceExperimentName: name, inferenceExperimentArn: arn } = attrs;
    if (name === undefined && arn === undefined) {
      throw new Error(`Cannot import the inference experiment '${id}': give its inferenceExperimentName, its ` +
        'inferenceExperimentArn, or both');
    }
    super(scope, id, arn === undefined ? {} : { environmentFromArn: arn });
    this.inferenceExperimentName = name ?? Arn.split(arn!, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
    this.inferenceExperimentArn = arn === undefined ? sageMakerArn(this, 'inference-experiment', name!) : normalizedSageMakerArn(arn);
    this.role = attrs.role;
    this.grants = InferenceExperimentGrants.fromInferenceExperiment(this);
    const { endpointName, productionVariantName, shadowVariantName } = attrs;
    if (endpointName !== undefined && productionVariantName !== undefined && shadowVariantName !== undefined) {
      this.knownMetrics = ShadowTestMetrics.of({ endpointName, productionVariantName, shadowVariantName });
    }
  }

  public get metrics(): ShadowTestMetrics {
    if (this.knownMetrics === undefined) {
      throw new Error(`The metrics of the inference experiment '${this.node.path}' are not known: import it with ` +
        'fromInferenceExperimentAttributes() and give its endpointName, productionVariantName and shadowVariantName');
    }
    return this.knownMetrics;
  }

  public get inferenceExperimentRef(): sagemakerRefs.InferenceExperimentReference {
    return { inferenceExperimentName: this.inferenceExperimentName, inferenceExperimentArn: this.inferenceExperimentArn };
  }
}
