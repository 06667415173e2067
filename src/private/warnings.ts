/*
 * The ids of the warnings that the construct adds at synth time. They are public API: users acknowledge a warning
 * by its id (`Annotations.of(scope).acknowledgeWarning(id)`), so an id never changes.
 */
const PREFIX = 'cdk-sagemaker-inference-experiment';

/** A variant uses an Inferentia 1 instance type, which shadow tests exclude. */
export const INF1_INSTANCE_TYPE = `${PREFIX}:inf1InstanceType`;

/** A volume encryption key with an instance type that has local NVMe storage. */
export const VOLUME_KEY_WITH_LOCAL_STORAGE = `${PREFIX}:volumeKeyWithLocalStorage`;

/** The shadow variant is promoted after a test at less than full traffic. */
export const PROMOTE_BELOW_FULL_SAMPLING = `${PREFIX}:promoteBelowFullSampling`;

/** The data capture destination cannot be granted to the experiment's role at synth time. */
export const DATA_CAPTURE_NOT_GRANTED = `${PREFIX}:dataCaptureNotGranted`;

/** An outcome that lists one variant: its template can end a running test, but cannot create one. */
export const CONCLUSION_ENDS_EXISTING_TEST_ONLY = `${PREFIX}:conclusionEndsExistingTestOnly`;

/** A name known only at deploy time goes into an ARN, where SageMaker writes names in lower case. */
export const TOKEN_NAME_IN_ARN = `${PREFIX}:tokenNameInArn`;

/** A KMS key given in a form that cannot be granted at synth time. */
export const KEY_NOT_GRANTED = `${PREFIX}:keyNotGranted`;

/** The test's production variant hosts another model than the endpoint configuration's variant of that name. */
export const PRODUCTION_MODEL_DIFFERS = `${PREFIX}:productionModelDiffersFromEndpoint`;

/** The test's production variant has another instance type or count than the endpoint configuration's. */
export const PRODUCTION_INSTANCES_DIFFER = `${PREFIX}:productionInstancesDifferFromEndpoint`;

/** The key given for a guard's logs is not in the app, so its key policy cannot let CloudWatch Logs use it. */
export const LOG_KEY_POLICY_NOT_UPDATED = `${PREFIX}:logKeyPolicyNotUpdated`;

/** The endpoint's configuration has a shadow variant already: the test's shadow variant takes its place. */
export const ENDPOINT_HAS_SHADOW_VARIANT = `${PREFIX}:endpointHasShadowVariant`;

/** A model's container names a model package of another account, such as an AWS Marketplace one. */
export const MARKETPLACE_MODEL_PACKAGE = `${PREFIX}:marketplaceModelPackage`;

/** The policies that the library writes for one role may exceed IAM's 10,240 characters of inline policies per role. */
export const ROLE_POLICY_TOO_LARGE = `${PREFIX}:rolePolicyTooLarge`;

/** A variant's instance type is not in SageMaker's price list for real-time inference in the stack's region. */
export const INSTANCE_TYPE_NOT_OFFERED_IN_REGION = `${PREFIX}:instanceTypeNotOfferedInRegion`;
