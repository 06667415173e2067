/*
 * The policies that grant the experiment's role what the test needs (src/private/execution-role.ts and
 * src/private/own-policy.ts), as the template holds them: where each grant lands, what the experiment waits for, the
 * capture grants and their warnings, and IAM's quota of inline policy characters per role at its exact boundary.
 * Written from the survivors of mutation testing (`npx projen mutation`).
 */
import { App, aws_iam as iam, aws_kms as kms, aws_s3 as s3, Fn, ResourceEnvironment, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { DataCapture, ExistingEndpoint, ExistingModel, InferenceExperiment, InstanceType, ModelVariant, ShadowModeConfig } from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';
import { inlinePolicyCharacters, policiesOfRole, roleRefOf, statementsOfRole } from './helpers/role-policies';

const ACCOUNT = '123456789012';

/** The logical IDs that the experiment's L1 depends on. */
function dependenciesOf(template: Template): string[] {
  const [experiment] = Object.values<any>(template.findResources('AWS::SageMaker::InferenceExperiment'));
  return experiment.DependsOn ?? [];
}

/** A role that only a construct of the user's own holds: it can receive grants, but takes no inline policy. */
class RoleHolder extends Construct implements iam.IRoleRef, iam.IGrantable {
  public readonly grantPrincipal: iam.IPrincipal;
  public readonly roleRef: iam.RoleReference;
  public readonly env: ResourceEnvironment;

  constructor(scope: Construct, id: string, role: iam.Role) {
    super(scope, id);
    this.grantPrincipal = role.grantPrincipal;
    this.roleRef = role.roleRef;
    this.env = role.env;
  }
}

describe('a role given as a grantee that is not an iam.IRole', () => {
  test('receives the statements in its own way (here, its principal\'s default policy), and nothing is written beside the experiment', () => {
    const parts = new ShadowTestParts(newStack());
    const inner = new iam.Role(parts.stack, 'InnerRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const bucket = new s3.Bucket(parts.stack, 'Captures');
    parts.experiment({ role: new RoleHolder(parts.stack, 'Holder', inner), dataCapture: DataCapture.toBucket(bucket, { prefix: 'captures/' }) });
    const template = Template.fromStack(parts.stack);
    const statements = statementsOfRole(template, roleRefOf(inner));
    expect(statements.map((statement) => statement.Sid).filter(Boolean))
      .toEqual(['ReadAndSwitchTheEndpoint', 'ManageTheTestEndpointConfigs', 'ReadTheVariantModels']);
    expect(statements.some((statement) => [statement.Action].flat().includes('s3:PutObject'))).toBe(true);
    // Only the models' role has a shared policy: it may write the captured data.
    expect(parts.stack.node.tryFindChild('ShadowTestRolePolicies')?.node.children.map((child) => child.node.id))
      .toEqual([expect.stringMatching(/^TestStackRole[0-9A-F]{8}$/)]);
    expect(parts.stack.node.tryFindChild('Experiment')?.node.tryFindChild('ShadowTestPolicy')).toBeUndefined();
  });
});

describe('an experiment with a role of its own and no data capture', () => {
  test('writes its own policy, and no policy shared by the experiments of the stack', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment();
    expect(parts.stack.node.tryFindChild('ShadowTestRolePolicies')).toBeUndefined();
    expect(parts.stack.node.tryFindChild('Experiment')?.node.tryFindChild('ShadowTestPolicy')).toBeDefined();
  });
});

describe('the experiment waits for every policy that grants its role', () => {
  test('its own role: the test\'s policy and the capture policy, and the models\' role\'s shared policy', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ dataCapture: DataCapture.toBucket(new s3.Bucket(parts.stack, 'Captures')) });
    const dependencies = dependenciesOf(Template.fromStack(parts.stack));
    expect(dependencies).toEqual(expect.arrayContaining([
      expect.stringMatching(/^ExperimentShadowTestPolicy/),
      expect.stringMatching(/^ExperimentDataCapturePolicy/),
      expect.stringMatching(/^ShadowTestRolePoliciesTestStackRole/),
    ]));
  });

  test('a given role: its shared policy', () => {
    const parts = new ShadowTestParts(newStack());
    const role = new iam.Role(parts.stack, 'GivenRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    parts.experiment({ role });
    expect(dependenciesOf(Template.fromStack(parts.stack))).toEqual(expect.arrayContaining([
      expect.stringMatching(/^ShadowTestRolePoliciesTestStackGivenRole/),
    ]));
  });
});

describe('the capture grants', () => {
  test('a bucket without a prefix: every object of the bucket', () => {
    const parts = new ShadowTestParts(newStack());
    const bucket = new s3.Bucket(parts.stack, 'Captures');
    const experiment = parts.experiment({ dataCapture: DataCapture.toBucket(bucket) });
    const statements = statementsOfRole(Template.fromStack(parts.stack), roleRefOf(experiment.role as iam.Role));
    const put = statements.find((statement) => [statement.Action].flat().includes('s3:PutObject'));
    expect(put.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [parts.stack.resolve((bucket.node.defaultChild as s3.CfnBucket).logicalId), 'Arn'] }, '/*']] });
  });

  test.each([
    ['a bucket of the app', (stack: Stack) => DataCapture.toBucket(new s3.Bucket(stack, 'Captures'))],
    ['an s3:// URI', () => DataCapture.toS3Uri('s3://captures-123456789012/shadow/')],
  ])('to %s: granted, with no warning', (_, capture) => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ dataCapture: capture(parts.stack) });
    Annotations.fromStack(parts.stack).hasNoWarning('*', Match.anyValue());
  });

  test('to a destination known only at deploy time: not granted, and a warning says what to do', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ dataCapture: DataCapture.toS3Uri(Fn.importValue('CaptureUri')) });
    Annotations.fromStack(parts.stack).hasWarning('/TestStack/Experiment', Match.stringLikeRegexp(
      '^The data capture destination \\$\\{Token\\[[^\\]]+\\]\\} is not an s3:// URI known at synth time, so the role was ' +
      'not granted access to it\\. Grant it s3:PutObject on the destination, or use DataCapture\\.toBucket\\(\\)\\. ' +
      '\\[ack: cdk-sagemaker-inference-experiment:dataCaptureNotGranted\\]$'));
  });

  test('with the bucket\'s own key: the bucket\'s grant covers the key, and the key is granted no second time', () => {
    const parts = new ShadowTestParts(newStack());
    const key = new kms.Key(parts.stack, 'CaptureKey');
    const bucket = new s3.Bucket(parts.stack, 'Captures', { encryptionKey: key });
    const experiment = parts.experiment({ dataCapture: DataCapture.toBucket(bucket, { encryptionKey: key }) });
    const onKey = statementsOfRole(Template.fromStack(parts.stack), roleRefOf(experiment.role as iam.Role))
      .filter((statement) => [statement.Action].flat().some((action: string) => action.startsWith('kms:')));
    expect(onKey).toHaveLength(1);
    expect(onKey[0].Action).not.toContain('kms:GenerateDataKey');
  });

  test('with a key of another kind than the bucket\'s: granted Encrypt and GenerateDataKey', () => {
    const parts = new ShadowTestParts(newStack());
    const bucket = new s3.Bucket(parts.stack, 'Captures');
    const key = new kms.Key(parts.stack, 'CaptureKey');
    const experiment = parts.experiment({ dataCapture: DataCapture.toBucket(bucket, { encryptionKey: key }) });
    const onKey = statementsOfRole(Template.fromStack(parts.stack), roleRefOf(experiment.role as iam.Role))
      .filter((statement) => [statement.Action].flat().some((action: string) => action.startsWith('kms:')));
    expect(onKey.map((statement) => statement.Action)).toEqual([['kms:Encrypt', 'kms:GenerateDataKey']]);
  });

  test('with a key whose ARN is known only at deploy time: a warning that names dataCapture.encryptionKey', () => {
    const parts = new ShadowTestParts(newStack());
    const key = { keyRef: { keyArn: Fn.importValue('CaptureKeyArn'), keyId: Fn.importValue('CaptureKeyId') } } as any;
    parts.experiment({ dataCapture: DataCapture.toS3Uri('s3://captures-123456789012/shadow/', { encryptionKey: key }) });
    Annotations.fromStack(parts.stack).hasWarning('/TestStack/Experiment', Match.stringLikeRegexp(
      '^dataCapture\\.encryptionKey is known only at deploy time, so it can not be told whether it names a key or an alias, ' +
      'and the experiment\'s role was not granted kms:Encrypt, kms:GenerateDataKey on it\\.'));
  });

  test.each([
    ['its own role', undefined],
    ['a given role', (stack: Stack) => new iam.Role(stack, 'GivenRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') })],
  ])('to a bucket of the app, for %s: in the role\'s policies, and the bucket\'s policy is left alone', (_, role) => {
    const parts = new ShadowTestParts(newStack());
    const bucket = new s3.Bucket(parts.stack, 'Captures');
    const given = role?.(parts.stack);
    const experiment = parts.experiment({ role: given, dataCapture: DataCapture.toBucket(bucket, { prefix: 'captures/' }) });
    const template = Template.fromStack(parts.stack);
    template.resourceCountIs('AWS::S3::BucketPolicy', 0);
    const statements = statementsOfRole(template, roleRefOf((given ?? experiment.role) as iam.Role));
    expect(statements.some((statement) => [statement.Action].flat().includes('s3:PutObject'))).toBe(true);
  });
});

describe('two experiments that share a role and a capture bucket of the app', () => {
  test('add their prefixes to one statement of the shared policy, and leave the bucket\'s policy alone', () => {
    const parts = new ShadowTestParts(newStack());
    const role = new iam.Role(parts.stack, 'GivenRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const bucket = new s3.Bucket(parts.stack, 'Captures');
    parts.experiment({ role, dataCapture: DataCapture.toBucket(bucket, { prefix: 'first/' }) }, 'First');
    parts.experiment({ role, endpoint: parts.newEndpoint('SecondEndpoint'), dataCapture: DataCapture.toBucket(bucket, { prefix: 'second/' }) }, 'Second');
    const template = Template.fromStack(parts.stack);
    template.resourceCountIs('AWS::S3::BucketPolicy', 0);
    const puts = statementsOfRole(template, roleRefOf(role)).filter((statement) => [statement.Action].flat().includes('s3:PutObject'));
    expect(puts).toHaveLength(1);
    expect(JSON.stringify(puts[0].Resource)).toMatch(/first\/\*.*second\/\*/);
  });
});

describe('a capture bucket of another account', () => {
  test('is granted in the role\'s policies; the bucket\'s owner grants the role in its bucket policy', () => {
    const parts = new ShadowTestParts(newStack());
    const bucket = s3.Bucket.fromBucketAttributes(parts.stack, 'Captures', { bucketName: 'captures-of-another-account', account: '999999999999' });
    const experiment = parts.experiment({ dataCapture: DataCapture.toBucket(bucket, { prefix: 'captures/' }) });
    const template = Template.fromStack(parts.stack);
    const put = statementsOfRole(template, roleRefOf(experiment.role as iam.Role))
      .find((statement) => [statement.Action].flat().includes('s3:PutObject'));
    expect(JSON.stringify(put.Resource)).toContain(':s3:::captures-of-another-account/captures/*');
    template.resourceCountIs('AWS::S3::BucketPolicy', 0);
  });
});

describe('a shared role at the boundary of IAM\'s 10,240 characters of inline policies', () => {
  /**
   * `count` experiments of one stack sharing a role, each on its own endpoint with its own model and capture prefix,
   * all named at synth time; the last prefix has `extra` more characters.
   */
  function sharedBy(count: number, extra: number): Stack {
    const stack = new Stack(new App(), 'TestStack', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const role = iam.Role.fromRoleArn(stack, 'Shared', `arn:aws:iam::${ACCOUNT}:role/shadow-tests`);
    const bucket = s3.Bucket.fromBucketName(stack, 'Captures', 'shadow-test-captures');
    const production = ExistingModel.fromModelName(stack, 'Production', 'production-model');
    for (let i = 0; i < count; i++) {
      new InferenceExperiment(stack, `ShadowTest${i}`, {
        endpoint: ExistingEndpoint.fromEndpointName(stack, `Endpoint${i}`, `endpoint-${i}`),
        shadowMode: ShadowModeConfig.of({
          production: ModelVariant.realTime({ variantName: 'production', model: production, instanceType: InstanceType.ML_M5_XLARGE }),
          shadow: ModelVariant.realTime({
            variantName: 'candidate',
            model: ExistingModel.fromModelName(stack, `Candidate${i}`, `candidate-${i}`),
            instanceType: InstanceType.ML_M5_XLARGE,
          }),
          samplingPercentage: 100,
        }),
        role,
        dataCapture: DataCapture.toBucket(bucket, { prefix: `tests/${i}/${'p'.repeat(i === count - 1 ? extra : 0)}` }),
      });
    }
    return stack;
  }

  /** The characters of the shared role's policy once deployed, as IAM counts them. */
  const characters = (stack: Stack) => inlinePolicyCharacters(Template.fromStack(stack), 'shadow-tests');

  const TOO_LARGE = "^The shadow tests of this stack that share the role 'TestStack/Shared' grant it a policy of about 10241 " +
    'characters, and IAM allows a role 10240 characters of inline policies in all: the deployment fails\\. Leave the ' +
    "experiments' role out, so that each gets a role of its own, or share the role among fewer experiments\\. " +
    '\\[ack: cdk-sagemaker-inference-experiment:rolePolicyTooLarge\\]$';

  test('a policy of exactly 10,240 characters fits, with no warning; one more character gets the warning', () => {
    // 54 experiments come within a capture prefix of the quota: the last prefix makes up the difference.
    const extra = 10_240 - characters(sharedBy(54, 0));
    expect(extra).toBeGreaterThan(0);
    const fits = sharedBy(54, extra);
    expect(characters(fits)).toBe(10_240);
    Annotations.fromStack(fits).hasNoWarning('*', Match.anyValue());
    const tooLarge = sharedBy(54, extra + 1);
    expect(characters(tooLarge)).toBe(10_241);
    Annotations.fromStack(tooLarge).hasWarning('/TestStack/ShadowTestRolePolicies', Match.stringLikeRegexp(TOO_LARGE));
  });
});

describe('a given role that is also the models\' execution role', () => {
  test('gets one policy, with each capture grant once', () => {
    const parts = new ShadowTestParts(newStack());
    const key = new kms.Key(parts.stack, 'CaptureKey');
    parts.experiment({ role: parts.role, dataCapture: DataCapture.toBucket(new s3.Bucket(parts.stack, 'Captures'), { prefix: 'captures/', encryptionKey: key }) });
    const template = Template.fromStack(parts.stack);
    expect(policiesOfRole(template, roleRefOf(parts.role))).toHaveLength(1);
    const actions = statementsOfRole(template, roleRefOf(parts.role)).map((statement) => JSON.stringify(statement.Action));
    expect(actions.filter((action) => action.includes('s3:PutObject'))).toHaveLength(1);
    expect(actions.filter((action) => action.includes('kms:GenerateDataKey'))).toHaveLength(1);
    expect(new Set(actions).size).toBe(actions.length);
  });
});
