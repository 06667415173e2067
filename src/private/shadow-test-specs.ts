import { aws_iam as iam } from 'aws-cdk-lib';
import { aws_kms as kmsRefs, aws_s3 as s3Refs, aws_sagemaker as sagemakerRefs } from 'aws-cdk-lib/interfaces';

/*
 * A shadow test's inputs as the private modules read them: the members of the public ModelVariant, ShadowModeConfig,
 * Schedule, DataCapture and InferenceExperimentProps, as plain data. The public classes are assignable to these
 * shapes, so they can depend on the private modules without the private modules depending on them.
 */

/** A variant of the test: `ModelVariant`. */
export interface VariantSpec {
  readonly variantName: string;
  readonly model: sagemakerRefs.IModelRef;
  readonly instanceType: { readonly name: string };
  readonly instanceCount: number;
}

/** The variants and the share of requests copied to the shadow: `ShadowModeConfig`. */
export interface ShadowModeSpec {
  readonly production: VariantSpec;
  readonly shadow: VariantSpec;
  readonly samplingPercentage: number;
}

/** When the test runs: `Schedule`. */
export interface ScheduleSpec {
  readonly startTime: Date;
  readonly endTime: Date;
}

/** Where the requests and responses are captured: `DataCapture`. */
export interface DataCaptureSpec {
  readonly destination: string;
  readonly encryptionKey?: kmsRefs.IKeyRef;
  readonly csvContentTypes?: string[];
  readonly jsonContentTypes?: string[];
  readonly bucket?: s3Refs.IBucketRef;
  readonly prefix?: string;
}

/** The props of a shadow test that the construct reads once their kinds are checked: `InferenceExperimentProps`. */
export interface ExperimentSpec {
  readonly endpoint: sagemakerRefs.IEndpointRef;
  readonly shadowMode: ShadowModeSpec;
  readonly role?: iam.IRoleRef;
  readonly description?: string;
  readonly schedule?: ScheduleSpec;
  readonly volumeEncryptionKey?: kmsRefs.IKeyRef;
  readonly dataCapture?: DataCaptureSpec;
  readonly tags?: { [key: string]: string };
}
