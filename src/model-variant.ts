import { aws_sagemaker as sagemaker } from 'aws-cdk-lib';
import { aws_sagemaker as sagemakerRefs } from 'aws-cdk-lib/interfaces';
import { InstanceType } from './instance-type';
import { checkKind, instanceOf, MODEL, NUMBER, PROPS, STRING } from './private/kinds';
import { modelNameOf } from './private/resource-names';
import { ProblemCollector } from './private/validation';

/**
 * Properties of a variant that hosts a model on real-time inference instances.
 */
export interface RealTimeModelVariantProps {
  /**
   * The name of the variant.
   *
   * For the production variant, this must be the name of the production variant that the endpoint hosts. Letters,
   * digits and hyphens, starting and ending with a letter or digit, at most 63 characters.
   */
  readonly variantName: string;

  /**
   * The SageMaker model that the variant hosts.
   *
   * A `CfnModel`, or any `IModelRef` that exposes its name. To use a model that exists outside this app, pass
   * `ExistingModel.fromModelName()`.
   */
  readonly model: sagemakerRefs.IModelRef;

  /**
   * The ML compute instance type that hosts the model.
   */
  readonly instanceType: InstanceType;

  /**
   * The number of instances that host the model.
   *
   * @default 1
   */
  readonly instanceCount?: number;
}

/**
 * A model variant of a shadow test: a model and the infrastructure that hosts it.
 *
 * A shadow test has two: the production variant, which serves every request, and the shadow variant, which
 * receives a copy of a share of them.
 *
 * @example
 * const candidate = ModelVariant.realTime({
 *   variantName: 'candidate',
 *   model: candidateModel,
 *   instanceType: InstanceType.ML_G5_2XLARGE,
 *   instanceCount: 2,
 * });
 * // The same variant, as the endpoint configuration's production variant once it is promoted.
 * const promoted = candidate.toProductionVariant();
 */
export class ModelVariant {
  /**
   * A variant that hosts its model on real-time inference instances.
   *
   * @param props the variant's name, model and instances
   */
  public static realTime(props: RealTimeModelVariantProps): ModelVariant {
    const problems = new ProblemCollector();
    if (checkKind(problems, 'props', props, PROPS)) {
      checkKind(problems, 'variantName', props.variantName, STRING);
      checkKind(problems, 'model', props.model, MODEL);
      checkKind(problems, 'instanceType', props.instanceType,
        instanceOf(InstanceType, "an InstanceType, such as InstanceType.ML_M5_XLARGE or InstanceType.of('ml.m5.xlarge')"));
      checkKind(problems, 'instanceCount', props.instanceCount, NUMBER, true);
    }
    problems.throwIfAny('ModelVariant.realTime()');
    return new ModelVariant(props.variantName, props.model, props.instanceType, props.instanceCount ?? 1);
  }

  private constructor(
    /** The name of the variant. */
    public readonly variantName: string,
    /** The SageMaker model that the variant hosts. */
    public readonly model: sagemakerRefs.IModelRef,
    /** The ML compute instance type that hosts the model. */
    public readonly instanceType: InstanceType,
    /** The number of instances that host the model. */
    public readonly instanceCount: number,
  ) {}

  /**
   * This variant as a production variant of an endpoint configuration (`CfnEndpointConfig.productionVariants`): the
   * same name, model, instance type and count, so that the endpoint and the shadow test are written from one object
   * and cannot disagree.
   *
   * Add the settings that a shadow test does not carry (a volume size, a routing strategy…) to the returned object.
   * After a conclusion, write the endpoint's configuration from the experiment's `productionVariantAfterTest`, so
   * that it matches what SageMaker left on the endpoint.
   *
   * @example
   * declare const production: ModelVariant;
   * const config = new sagemaker.CfnEndpointConfig(this, 'EndpointConfig', {
   *   productionVariants: [production.toProductionVariant()],
   * });
   */
  public toProductionVariant(): sagemaker.CfnEndpointConfig.ProductionVariantProperty {
    const modelName = modelNameOf(this.model);
    if (modelName === undefined) {
      throw new Error(`ModelVariant '${this.variantName}': toProductionVariant() needs the model's name, and the model ` +
        `'${this.model.node.path}' exposes only its ARN, where SageMaker writes names in lower case. Pass a CfnModel ` +
        'or ExistingModel.fromModelName()');
    }
    return {
      variantName: this.variantName,
      modelName,
      instanceType: this.instanceType.name,
      initialInstanceCount: this.instanceCount,
      initialVariantWeight: 1,
    };
  }
}
