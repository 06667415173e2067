import { aws_sagemaker as sagemakerRefs } from 'aws-cdk-lib/interfaces';
import { InstanceType } from './instance-type';

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
 */
export class ModelVariant {
  /**
   * A variant that hosts its model on real-time inference instances.
   */
  public static realTime(props: RealTimeModelVariantProps): ModelVariant {
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
}
