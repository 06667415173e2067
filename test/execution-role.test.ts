import { aws_iam as iam, aws_kms as kms, aws_s3 as s3 } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { DataCapture, ExistingEndpoint, ExistingModel, InferenceExperiment, InstanceType, ModelVariant, ShadowModeConfig } from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';
import { policiesOfRole, roleRefOf } from './helpers/role-policies';

const ENDPOINT_CONFIGS = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-1:123456789012:endpoint-config/*']],
};

/** The experiment's SageMaker statements, when the endpoint and models are the fixture's L1s. */
const SAGEMAKER_STATEMENTS = [
  {
    Sid: 'ReadAndSwitchTheEndpoint',
    Action: ['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpoint'],
    Effect: 'Allow',
    Resource: { Ref: 'Endpoint' },
  },
  {
    Sid: 'ManageTheTestEndpointConfigs',
    Action: [
      'sagemaker:AddTags', 'sagemaker:CreateEndpointConfig', 'sagemaker:DeleteEndpointConfig',
      'sagemaker:DescribeEndpointConfig', 'sagemaker:UpdateEndpoint',
    ],
    Effect: 'Allow',
    Resource: ENDPOINT_CONFIGS,
  },
  {
    Sid: 'ReadTheVariantModels',
    Action: 'sagemaker:DescribeModel',
    Effect: 'Allow',
    Resource: [{ Ref: 'ProductionModel' }, { Ref: 'CandidateModel' }],
  },
];

describe('the default role', () => {
  test('is trusted by sagemaker.amazonaws.com only and used as the experiment role', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment({ role: undefined });
    const roleId = roleRefOf(experiment.role as iam.IRole).Ref;

    const template = Template.fromStack(parts.stack);
    expect(template.toJSON().Resources[roleId].Properties.AssumeRolePolicyDocument).toEqual({
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }],
      Version: '2012-10-17',
    });
    template.hasResourceProperties('AWS::SageMaker::InferenceExperiment', { RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } });
  });

  test('may only read and switch the endpoint, manage endpoint configurations and read the two models', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment({ role: undefined });

    const policies = policiesOfRole(Template.fromStack(parts.stack), roleRefOf(experiment.role as iam.IRole));
    expect(policies.map((p) => p.Properties.PolicyDocument.Statement)).toEqual([SAGEMAKER_STATEMENTS]);
  });

  test('has no * resource, and no wildcard but the endpoint configurations and the capture prefix', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment({ ...parts.fullProps(), role: undefined });

    const resources = policiesOfRole(Template.fromStack(parts.stack), roleRefOf(experiment.role as iam.IRole))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .flatMap((statement) => [statement.Resource].flat())
      .map((resource) => JSON.stringify(resource));
    expect(resources).not.toContain('"*"');
    expect(resources.filter((r) => r.includes('*')).sort()).toEqual([
      JSON.stringify(ENDPOINT_CONFIGS),
      expect.stringMatching(/^\{"Fn::Join":\["",\[\{"Fn::GetAtt":\["Captures[0-9A-F]{8}","Arn"\]\},"\/captures\/\*"\]\]\}$/),
    ]);
  });

  test('may put captured data under the capture prefix only, and encrypt it with the keys involved', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment({ ...parts.fullProps(), role: undefined });
    const roleId = roleRefOf(experiment.role as iam.IRole).Ref;

    const statement = (pattern: object) => Template.fromStack(parts.stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: Match.arrayWith([{ Ref: roleId }]),
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike(pattern)]) },
    });
    statement({
      Action: Match.arrayWith(['s3:PutObject']),
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Captures'), 'Arn'] }, '/captures/*']] },
    });
    // The volume key, through the key's own grant API.
    statement({ Action: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:Encrypt'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } });
    // The capture key is the bucket's own, so the bucket's grant covers it.
    statement({ Action: Match.arrayWith(['kms:GenerateDataKey*']), Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } });
  });

  test('grants a capture key that is not the bucket\'s own', () => {
    const parts = new ShadowTestParts(newStack());
    const key = kms.Key.fromKeyArn(parts.stack, 'CaptureKey', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    parts.experiment({ dataCapture: DataCapture.toBucket(new s3.Bucket(parts.stack, 'Bucket'), { encryptionKey: key }) });

    Template.fromStack(parts.stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
          Effect: 'Allow',
          Resource: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        }]),
      },
    });
  });

  test('may put captured data under an s3:// URI given as text', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ dataCapture: DataCapture.toS3Uri('s3://amzn-s3-demo-bucket/shadow/') });

    Template.fromStack(parts.stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: Match.arrayWith(['s3:PutObject']),
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::amzn-s3-demo-bucket/shadow/*']] },
        })]),
      },
    });
  });

  test('warns when the capture destination cannot be granted at synth time', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ dataCapture: DataCapture.toS3Uri('https://amzn-s3-demo-bucket.s3.amazonaws.com/shadow/') });

    Annotations.fromStack(parts.stack).hasWarning('/TestStack/Experiment', Match.stringLikeRegexp(
      'The data capture destination https://amzn-s3-demo-bucket.s3.amazonaws.com/shadow/ is not an s3:// URI known at synth time.*' +
      '\\[ack: cdk-sagemaker-inference-experiment:dataCaptureNotGranted\\]'));
  });

  test('names imported endpoints and models by their ARNs in both cases, since AWS does not document which is used', () => {
    const stack = newStack();
    const parts = new ShadowTestParts(stack);
    parts.experiment({
      role: undefined,
      endpoint: ExistingEndpoint.fromEndpointName(stack, 'Endpoint2', 'Prod-Endpoint'),
      shadowMode: ShadowModeConfig.of({
        production: ModelVariant.realTime({
          variantName: 'production', model: ExistingModel.fromModelName(stack, 'Model', 'Prod-Model'), instanceType: InstanceType.ML_M5_LARGE,
        }),
        shadow: parts.shadow(),
        samplingPercentage: 100,
      }),
    });

    const arn = (type: string, name: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:sagemaker:us-east-1:123456789012:${type}/${name}`]],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'ReadAndSwitchTheEndpoint', Resource: [arn('endpoint', 'prod-endpoint'), arn('endpoint', 'Prod-Endpoint')] }),
          Match.objectLike({
            Sid: 'ReadTheVariantModels', Resource: [arn('model', 'prod-model'), arn('model', 'Prod-Model'), { Ref: 'CandidateModel' }],
          }),
        ]),
      },
    });
  });
});

describe('a role given by the user', () => {
  test('receives the same permissions when it is mutable', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ role: parts.role });

    const policies = policiesOfRole(Template.fromStack(parts.stack), roleRefOf(parts.role));
    expect(policies.map((p) => p.Properties.PolicyDocument.Statement)).toContainEqual(SAGEMAKER_STATEMENTS);
  });

  test('is used as it is when it is immutable', () => {
    const stack = newStack();
    const parts = new ShadowTestParts(stack);
    const role = iam.Role.fromRoleArn(stack, 'Immutable', 'arn:aws:iam::123456789012:role/shadow', { mutable: false });
    parts.experiment({ role });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SageMaker::InferenceExperiment', { RoleArn: 'arn:aws:iam::123456789012:role/shadow' });
    expect(Object.keys(template.findResources('AWS::IAM::Policy', {
      Properties: { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'ReadAndSwitchTheEndpoint' })]) } },
    }))).toEqual([]);
  });

  test('imported by ARN receives one policy with every grant, and the models\' role one with the capture grants', () => {
    const stack = newStack();
    const parts = new ShadowTestParts(stack);
    const role = iam.Role.fromRoleArn(stack, 'Imported', 'arn:aws:iam::123456789012:role/shadow');
    parts.experiment({ ...parts.fullProps(), role });

    const template = Template.fromStack(stack);
    const actions = (policy: any) => policy.Properties.PolicyDocument.Statement.flatMap((statement: any) => statement.Action);
    expect(Object.keys(template.findResources('AWS::IAM::Policy'))).toHaveLength(2);
    const [experimentRole] = policiesOfRole(template, 'shadow');
    const [modelRole] = policiesOfRole(template, roleRefOf(parts.role));
    expect(actions(experimentRole)).toEqual(expect.arrayContaining(['sagemaker:UpdateEndpoint', 's3:PutObject', 'kms:CreateGrant']));
    expect(actions(modelRole)).toEqual(expect.arrayContaining(['s3:PutObject']));
    expect(actions(modelRole)).not.toContain('sagemaker:UpdateEndpoint');
  });

  test('shared with the models does not create a dependency cycle', () => {
    const stack = newStack();
    const parts = new ShadowTestParts(stack);
    // A model is created once its role's policy is in place, as the models of sagemaker L2s are.
    parts.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::artifacts/*'] }));
    parts.productionModel.node.addDependency(parts.role);
    parts.candidateModel.node.addDependency(parts.role);

    new InferenceExperiment(stack, 'Shared', { ...parts.minimalProps(), role: parts.role });

    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});

describe('the experiment\'s policies', () => {
  // aws-cdk-lib's iam.Policy names a policy after the end of its logical ID; the experiment's policies, written
  // without it for roles of the app, must be named the same way, whatever the length of the path.
  test('are named after the last 128 characters of their logical IDs, as iam.Policy names them', () => {
    const stack = newStack();
    const parts = new ShadowTestParts(stack);
    const deep = ['Platform', 'Inference'.repeat(8), 'Experiments'.repeat(8)].reduce<Construct>((scope, id) => new Construct(scope, id), stack);
    const experiment = new InferenceExperiment(deep, 'ShadowTestOfTheRecommenderModel', { ...parts.fullProps(), role: undefined });
    const byHand = new iam.Policy(deep, 'ShadowTestOfTheRecommenderModelPolicy', {
      statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })],
    });
    byHand.attachToRole(parts.role);

    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const names = Object.entries(policies).map(([logicalId, policy]) => [logicalId, policy.Properties.PolicyName]);
    // The experiment's two, the models' role's (shared by the experiments of the stack), and the one by hand.
    expect(names.length).toBe(4);
    expect(names.filter(([logicalId]) => logicalId.length > 128).length).toBe(3);
    for (const [logicalId, name] of names) {
      expect(name).toBe(logicalId.slice(-128));
    }
    expect(experiment.node.findChild('ShadowTestPolicy').node.defaultChild).toBeInstanceOf(iam.CfnPolicy);
  });

  test('follow an overridden logical ID in their names', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment();
    (experiment.node.findChild('ShadowTestPolicy').node.defaultChild as iam.CfnPolicy).overrideLogicalId('ShadowTestPolicy');

    Template.fromStack(parts.stack).hasResource('AWS::IAM::Policy', {
      Properties: Match.objectLike({ PolicyName: 'ShadowTestPolicy' }),
    });
    expect(Object.keys(Template.fromStack(parts.stack).findResources('AWS::IAM::Policy'))).toContain('ShadowTestPolicy');
  });
});
