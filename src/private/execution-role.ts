import { Annotations, aws_iam as iam, aws_kms as kms, aws_s3 as s3 } from 'aws-cdk-lib';
import { aws_kms as kmsRefs } from 'aws-cdk-lib/interfaces';
import { Construct, IDependable } from 'constructs';
import { sageMakerArn } from './arns';
import { s3UriParts } from './s3-uri';
import { DATA_CAPTURE_NOT_GRANTED } from './warnings';
import { DataCapture } from '../data-capture';

/** What the role that SageMaker assumes for a shadow test works on. */
export interface ShadowTestResources {
  readonly endpointArn: string;
  readonly modelArns: string[];
  readonly dataCapture?: DataCapture;
  readonly volumeEncryptionKey?: kmsRefs.IKeyRef;
}

/**
 * Grants the role that SageMaker assumes for a shadow test what the test needs, and nothing more.
 *
 * During the test SageMaker deploys the shadow variant by creating an endpoint configuration that holds both
 * variants and updating the endpoint to it; when the test ends it creates another configuration (without the
 * shadow, or with the shadow promoted), updates the endpoint again and removes the configurations it made. The
 * models' own execution roles give the containers access to their images and artifacts.
 */
export function grantShadowTestPermissions(scope: Construct, role: iam.IGrantable, resources: ShadowTestResources): IDependable {
  const statements = [
    new iam.PolicyStatement({
      sid: 'ReadAndSwitchTheEndpoint',
      // The endpoint is read, then switched to each configuration that the test creates.
      actions: ['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpoint'],
      resources: [resources.endpointArn],
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

  // These statements name the endpoint and the models, which usually depend on a role's default policy (a model
  // is created only once its role can read its artifacts). In a policy of their own they add no dependency to a
  // role that the models share, so no cycle can form.
  const policy = new iam.Policy(scope, 'ShadowTestPolicy', { statements });
  if (isRole(role)) {
    // Through the role, so that a role imported as immutable keeps the policy out (the policy is then not
    // synthesized at all).
    role.attachInlinePolicy(policy);
  } else {
    statements.forEach((statement) => role.grantPrincipal.addToPrincipalPolicy(statement));
  }

  if (resources.volumeEncryptionKey) {
    // The configurations encrypt the variants' volumes with this key: SageMaker creates grants on it for the
    // instances, and the API asks for kms:Encrypt when the key is given by ID or alias.
    grantOnKey(role, resources.volumeEncryptionKey, ['kms:CreateGrant', 'kms:DescribeKey', 'kms:Encrypt']);
  }

  if (resources.dataCapture) {
    grantCaptureWrite(scope, role, resources.dataCapture);
  }
  return policy;
}

function isRole(grantee: iam.IGrantable): grantee is iam.IRole {
  return typeof (grantee as Partial<iam.IRole>).attachInlinePolicy === 'function';
}

/** Lets the role put captured data under the capture prefix, and encrypt it with the capture key. */
function grantCaptureWrite(scope: Construct, role: iam.IGrantable, dataCapture: DataCapture): void {
  const destination = dataCapture.bucket
    ? { bucket: dataCapture.bucket, prefix: dataCapture.prefix ?? '' }
    : bucketOfUri(scope, dataCapture.destination);
  if (destination) {
    s3.BucketGrants.fromBucket(destination.bucket).put(role, `${destination.prefix}*`);
  } else {
    Annotations.of(scope).addWarningV2(DATA_CAPTURE_NOT_GRANTED,
      `The data capture destination ${dataCapture.destination} is not an s3:// URI known at synth time, so the ` +
      'role was not granted access to it. Grant it s3:PutObject on the destination, or use DataCapture.toBucket().');
  }
  // The bucket's grant already covers its own default key.
  const bucketKey = (destination?.bucket as Partial<s3.IBucket> | undefined)?.encryptionKey;
  if (dataCapture.encryptionKey && dataCapture.encryptionKey !== bucketKey) {
    grantOnKey(role, dataCapture.encryptionKey, ['kms:Encrypt', 'kms:GenerateDataKey']);
  }
}

function bucketOfUri(scope: Construct, uri: string): { bucket: s3.IBucket; prefix: string } | undefined {
  const parts = s3UriParts(uri);
  return parts && { bucket: s3.Bucket.fromBucketName(scope, 'CaptureBucket', parts.bucketName), prefix: parts.prefix };
}

/** Grants `actions` on a key through its own grant API where it has one (an L2 key also updates its policy). */
function grantOnKey(role: iam.IGrantable, key: kmsRefs.IKeyRef, actions: string[]): void {
  if (isKey(key)) {
    key.grant(role, ...actions);
  } else {
    iam.Grant.addToPrincipal({ grantee: role, actions, resourceArns: [key.keyRef.keyArn] });
  }
}

function isKey(key: kmsRefs.IKeyRef): key is kms.IKey {
  return typeof (key as Partial<kms.IKey>).grant === 'function';
}
