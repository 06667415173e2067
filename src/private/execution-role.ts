import { Annotations, aws_iam as iam, aws_s3 as s3 } from 'aws-cdk-lib';
import { aws_kms as kmsRefs } from 'aws-cdk-lib/interfaces';
import { Construct, IDependable } from 'constructs';
import { sageMakerArn } from './arns';
import { grantOnKey } from './key-grants';
import { OwnPolicy, sharedPolicyOf } from './own-policy';
import { s3UriParts } from './s3-uri';
import { DataCaptureSpec } from './shadow-test-specs';
import { DATA_CAPTURE_NOT_GRANTED } from './warnings';

/** What the role that SageMaker assumes for a shadow test works on. */
export interface ShadowTestResources {
  /** The endpoint's ARN in each form it may take (see `arnCaseForms()`). */
  readonly endpointArns: string[];
  /** The models' ARNs in each form they may take. */
  readonly modelArns: string[];
  readonly dataCapture?: DataCaptureSpec;
  readonly volumeEncryptionKey?: kmsRefs.IKeyRef;
  /** The execution roles of the variants' models that the app defines: they may write captured data too. */
  readonly modelRoles: iam.IRole[];
}

/**
 * Grants the role that SageMaker assumes for a shadow test what the test needs, and nothing more, and returns the
 * policies that hold the grants, for the experiment to depend on.
 *
 * During the test SageMaker deploys the shadow variant by creating an endpoint configuration that holds both
 * variants and updating the endpoint to it; when the test ends it creates another configuration (without the
 * shadow, or with the shadow promoted), updates the endpoint again and removes the configurations it made. The
 * models' own execution roles give the containers access to their images and artifacts.
 *
 * Every statement goes into a policy of the library's own, none into a role's default policy: the statements name
 * the endpoint, the models, the capture bucket and the keys, which may live in other stacks than the role, or depend
 * on the role's default policy themselves (a model is created only once its role can read its artifacts), so in a
 * policy beside the experiment they can form no cycle, wherever each piece is defined. The experiment's own role
 * gets policies of the experiment's own; a role that experiments may share (a given role, a model's role) gets one
 * policy per stack, which every experiment of the stack adds to.
 */
export function grantShadowTestPermissions(
  scope: Construct, role: iam.IGrantable, resources: ShadowTestResources, roleIsOwn: boolean,
): IDependable[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'ReadAndSwitchTheEndpoint',
      // The endpoint is read, then switched to each configuration that the test creates.
      actions: ['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpoint'],
      resources: [...new Set(resources.endpointArns)],
    }),
    new iam.PolicyStatement({
      sid: 'ManageTheTestEndpointConfigs',
      // SageMaker names the configurations it creates itself, so they can only be matched by the resource type.
      // UpdateEndpoint is authorized against the configuration it switches to as well as against the endpoint,
      // and AddTags is needed when a configuration is created with tags.
      actions: [
        'sagemaker:AddTags',
        'sagemaker:CreateEndpointConfig',
        'sagemaker:DeleteEndpointConfig',
        'sagemaker:DescribeEndpointConfig',
        'sagemaker:UpdateEndpoint',
      ],
      resources: [sageMakerArn(scope, 'endpoint-config', '*')],
    }),
    new iam.PolicyStatement({
      sid: 'ReadTheVariantModels',
      // The variants' models are read to build the configurations that deploy them.
      actions: ['sagemaker:DescribeModel'],
      resources: [...new Set(resources.modelArns)],
    }),
  ];
  const policies: Array<IDependable | undefined> = [];
  const captureGrantees: iam.IGrantable[] = [];
  let ownCapture: OwnPolicy | undefined;
  if (!isRole(role)) {
    // A grantee that is not a role has no inline policies: it receives the statements in its own way.
    statements.forEach((statement) => role.grantPrincipal.addToPrincipalPolicy(statement));
    grantVolumeKey(scope, role, resources);
    captureGrantees.push(role);
  } else if (roleIsOwn) {
    const shadowTest = new OwnPolicy(role);
    statements.forEach((statement) => shadowTest.addToPrincipalPolicy(statement));
    grantVolumeKey(scope, shadowTest, resources);
    policies.push(shadowTest.attach(scope, 'ShadowTestPolicy'));
    ownCapture = new OwnPolicy(role);
    captureGrantees.push(ownCapture);
  } else {
    const shared = sharedPolicyOf(scope, role);
    statements.forEach((statement) => shared.policy.addToPrincipalPolicy(statement));
    grantVolumeKey(scope, shared.policy, resources);
    captureGrantees.push(shared.policy);
  }
  if (resources.dataCapture) {
    // AWS does not say which identity writes the captured data: the experiment's role, or the execution role of the
    // model that served the request, as for an endpoint's own data capture. Both are granted.
    // A role given to the experiment that is also a model's has one shared policy, which merges the same grants.
    const modelPolicies = [...new Set(resources.modelRoles)].map((modelRole) => sharedPolicyOf(scope, modelRole));
    grantCaptureWrite(scope, [...captureGrantees, ...modelPolicies.map((shared) => shared.policy)], resources.dataCapture);
    policies.push(ownCapture?.attach(scope, 'DataCapturePolicy'), ...modelPolicies.map((shared) => shared.attach()));
  }
  if (isRole(role) && !roleIsOwn) {
    policies.push(sharedPolicyOf(scope, role).attach());
  }
  return policies.filter((policy): policy is IDependable => policy !== undefined);
}

/** The configurations encrypt the variants' volumes with the volume key. */
function grantVolumeKey(scope: Construct, grantee: iam.IGrantable, resources: ShadowTestResources): void {
  if (resources.volumeEncryptionKey) {
    // SageMaker creates grants on it for the instances, and the API asks for kms:Encrypt when the key is given by ID
    // or alias.
    grantOnKey(scope, grantee, resources.volumeEncryptionKey, ['kms:CreateGrant', 'kms:DescribeKey', 'kms:Encrypt'],
      'volumeEncryptionKey');
  }
}

function isRole(grantee: iam.IGrantable): grantee is iam.IRole {
  return typeof (grantee as Partial<iam.IRole>).attachInlinePolicy === 'function';
}

/** Lets each grantee put captured data under the capture prefix, and encrypt it with the capture key. */
function grantCaptureWrite(scope: Construct, grantees: iam.IGrantable[], dataCapture: DataCaptureSpec): void {
  const destination = dataCapture.bucket
    ? { bucket: dataCapture.bucket, prefix: dataCapture.prefix ?? '' }
    : bucketOfUri(scope, dataCapture.destination);
  if (!destination) {
    Annotations.of(scope).addWarningV2(DATA_CAPTURE_NOT_GRANTED,
      `The data capture destination ${dataCapture.destination} is not an s3:// URI known at synth time, so the ` +
      'role was not granted access to it. Grant it s3:PutObject on the destination, or use DataCapture.toBucket().');
  }
  // The bucket's grant already covers its own default key.
  const bucketKey = (destination?.bucket as Partial<s3.IBucket> | undefined)?.encryptionKey;
  for (const grantee of grantees) {
    if (destination) {
      s3.BucketGrants.fromBucket(destination.bucket).put(grantee, `${destination.prefix}*`);
    }
    if (dataCapture.encryptionKey && dataCapture.encryptionKey !== bucketKey) {
      grantOnKey(scope, grantee, dataCapture.encryptionKey, ['kms:Encrypt', 'kms:GenerateDataKey'], 'dataCapture.encryptionKey');
    }
  }
}

function bucketOfUri(scope: Construct, uri: string): { bucket: s3.IBucket; prefix: string } | undefined {
  const parts = s3UriParts(uri);
  return parts && { bucket: s3.Bucket.fromBucketName(scope, 'CaptureBucket', parts.bucketName), prefix: parts.prefix };
}
