/*
 * Templates that synthesize but that CloudFormation or SageMaker would reject on a later deployment: replacements,
 * other stacks, accounts and regions, stack tags, keys and names in every form. One describe per kind of problem.
 */
import {
  App, aws_iam as iam, aws_kms as kms, aws_s3 as s3, aws_ssm as ssm, CfnOutput, CfnParameter, CfnResource, Duration, Lazy, PhysicalName, Stack,
  Tags,
} from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { aws_kms as kmsRefs } from 'aws-cdk-lib/interfaces';
import {
  DataCapture, ExistingEndpoint, ExistingModel, InferenceExperiment, InferenceExperimentProps, InstanceType, ModelVariant,
  Schedule, ShadowModeConfig, ShadowTestDashboard, ShadowTestMetrics,
} from '../src';
import { dependencyCycle, EXPERIMENT_TYPE } from './helpers/cloudformation';
import { newStack, ShadowTestParts } from './helpers/fixtures';
import { inlinePolicyCharacters, policiesOfRole, roleRefOf } from './helpers/role-policies';

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';
const WARNING = (id: string) => `cdk-sagemaker-inference-experiment:${id}`;

function experimentOf(stack: Stack): any {
  const experiments = Object.values<any>(Template.fromStack(stack).findResources(EXPERIMENT_TYPE));
  expect(experiments).toHaveLength(1);
  return experiments[0].Properties;
}

/** The generated name of an experiment whose props are `props(parts)`, in a fresh app. */
function generatedName(props: (parts: ShadowTestParts) => Partial<InferenceExperimentProps> = () => ({})): string {
  const parts = new ShadowTestParts(newStack());
  parts.experiment(props(parts));
  return experimentOf(parts.stack).Name;
}

describe('a generated name follows the create-only properties', () => {
  const otherRole = (parts: ShadowTestParts) => new iam.Role(parts.stack, 'OtherRole', {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
  });

  test('is stable when nothing create-only changes', () => {
    expect(generatedName()).toEqual(generatedName());
    expect(generatedName((parts) => ({
      description: 'v2',
      shadowMode: ShadowModeConfig.of({
        production: parts.production(), shadow: parts.shadow({ instanceCount: 3 }), samplingPercentage: 10,
      }),
    }))).toEqual(generatedName());
  });

  test.each<[string, (parts: ShadowTestParts) => Partial<InferenceExperimentProps>]>([
    ['the endpoint', (parts) => ({ endpoint: ExistingEndpoint.fromEndpointName(parts.stack, 'Other', 'other-endpoint') })],
    ['the role', (parts) => ({ role: otherRole(parts) })],
    ['the volume key', (parts) => ({ volumeEncryptionKey: new kms.Key(parts.stack, 'VolumeKey') })],
  ])('changes with %s, so that CloudFormation can replace the experiment', (_, change) => {
    const before = generatedName();
    const after = generatedName(change);
    expect(after).not.toEqual(before);
    // The part of the name that comes from the construct's path stays, so the name still says which test it is.
    expect(after.slice(0, -9)).toEqual(before.slice(0, -9));
  });

  test('changes with the volume key between two keys', () => {
    const first = generatedName((parts) => ({ volumeEncryptionKey: new kms.Key(parts.stack, 'KeyA') }));
    const second = generatedName((parts) => ({ volumeEncryptionKey: new kms.Key(parts.stack, 'KeyB') }));
    expect(first).not.toEqual(second);
  });

  test('fits the API\'s pattern and length under a very long path', () => {
    const app = new App();
    const stack = new Stack(app, 'S'.repeat(120), { env: { account: ACCOUNT, region: 'us-east-1' } });
    const parts = new ShadowTestParts(stack);
    new InferenceExperiment(stack, 'Ünïcode-Experiment_'.repeat(10), parts.minimalProps());
    const name: string = experimentOf(stack).Name;
    expect(name.length).toBeLessThanOrEqual(120);
    expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}$/);
  });

  test('is in lower case, so that its ARN has one form whatever case SageMaker writes in ARNs', () => {
    const name = generatedName();
    expect(name).toEqual(name.toLowerCase());
    expect(name).toMatch(/^teststackexperiment-[0-9a-f]{8}$/);
  });

  test.each<[string, (parts: ShadowTestParts, experiment: InferenceExperiment) => void]>([
    ['the experiment\'s own logical ID is overridden', (_, experiment) =>
      (experiment.node.defaultChild as CfnResource).overrideLogicalId('ShadowTestV2')],
    ['the role\'s logical ID is overridden', (_, experiment) =>
      ((experiment.role as iam.Role).node.defaultChild as CfnResource).overrideLogicalId('ShadowTestRoleV2')],
    ['the role gets a name by an override', (_, experiment) =>
      ((experiment.role as iam.Role).node.defaultChild as CfnResource).addPropertyOverride('RoleName', 'shadow-test-role')],
    ['the role gets a path by an override', (_, experiment) =>
      ((experiment.role as iam.Role).node.defaultChild as CfnResource).addPropertyOverride('Path', '/ml/')],
    ['the endpoint gets a name', (parts) => { parts.endpoint.endpointName = 'recommender'; }],
    ['the endpoint gets a name by an override', (parts) => parts.endpoint.addPropertyOverride('EndpointName', 'recommender')],
    ['the endpoint\'s logical ID is overridden', (parts) => parts.endpoint.overrideLogicalId('RecommenderEndpoint')],
  ])('changes when %s after the experiment is defined, since CloudFormation then replaces the experiment', (_, change) => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment();
    change(parts, experiment);
    expect(experimentOf(parts.stack).Name).not.toEqual(generatedName());
  });

  test.each<[string, (parts: ShadowTestParts, experiment: InferenceExperiment) => void]>([
    ['the role\'s description', (_, experiment) =>
      ((experiment.role as iam.Role).node.defaultChild as CfnResource).addPropertyOverride('Description', 'another description')],
    ['the role\'s maximum session', (_, experiment) =>
      ((experiment.role as iam.Role).node.defaultChild as CfnResource).addPropertyOverride('MaxSessionDuration', 7200)],
    ['the endpoint\'s configuration', (parts) => parts.endpoint.addPropertyOverride('EndpointConfigName', 'another-config')],
    ['the endpoint\'s tags', (parts) => Tags.of(parts.endpoint).add('team', 'ml')],
  ])('stays when %s changes, which CloudFormation updates in place', (_, change) => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment();
    change(parts, experiment);
    expect(experimentOf(parts.stack).Name).toEqual(generatedName());
  });

  test('changes with a given role\'s name, and with the stack that holds the role', () => {
    const named = (roleName: string | undefined, roleStack?: string) => {
      const app = new App();
      const env = { account: ACCOUNT, region: 'us-east-1' };
      const stack = new Stack(app, 'TestStack', { env });
      const role = new iam.Role(roleStack ? new Stack(app, roleStack, { env }) : stack, 'ShadowTestRole', {
        assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'), roleName,
      });
      new ShadowTestParts(stack).experiment({ role });
      app.synth();
      return experimentOf(stack).Name;
    };
    expect(named('role-a')).toEqual(named('role-a'));
    expect(named('role-a')).not.toEqual(named('role-b'));
    expect(named(undefined)).not.toEqual(named(undefined, 'Roles'));
    expect(named(undefined, 'Roles')).not.toEqual(named(undefined, 'OtherRoles'));
  });

  test('changes with the name of an alias given as the volume key', () => {
    const named = (aliasName: string) => generatedName((parts) => ({
      volumeEncryptionKey: new kms.Alias(parts.stack, 'VolumeKeyAlias', { aliasName, targetKey: new kms.Key(parts.stack, 'VolumeKey') }),
    }));
    expect(named('alias/shadow-a')).toEqual(named('alias/shadow-a'));
    expect(named('alias/shadow-a')).not.toEqual(named('alias/shadow-b'));
  });

  test('PhysicalName.GENERATE_IF_NEEDED gets a generated name', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ inferenceExperimentName: PhysicalName.GENERATE_IF_NEEDED });
    expect(experimentOf(parts.stack).Name).toEqual(generatedName());
  });
});

describe('what another stack refers to never blocks a replacement of the experiment', () => {
  test('another stack gets the experiment\'s name as a literal, not as an export, and the experiment\'s own stack a reference', () => {
    const app = new App();
    const env = { account: ACCOUNT, region: 'us-east-1' };
    const stack = new Stack(app, 'ShadowTest', { env });
    const experiment = new ShadowTestParts(stack).experiment();
    new CfnOutput(stack, 'Here', { value: experiment.inferenceExperimentName });
    const operations = new Stack(app, 'Operations', { env });
    experiment.grants.stop(new iam.Role(operations, 'Operator', { assumedBy: new iam.AccountRootPrincipal() }));
    new ssm.StringParameter(operations, 'ExperimentName', { stringValue: experiment.inferenceExperimentName });
    new ssm.StringParameter(operations, 'ExperimentArn', { stringValue: experiment.inferenceExperimentArn });
    const assembly = app.synth();

    const name = experimentOf(stack).Name;
    const experimentId = stack.resolve((experiment.node.defaultChild as CfnResource).logicalId);
    expect(JSON.stringify(assembly.getStackByName('Operations').template)).not.toContain('Fn::ImportValue');
    expect(assembly.getStackByName('ShadowTest').template.Outputs).toEqual({ Here: { Value: { Ref: experimentId } } });
    Template.fromStack(operations).hasResourceProperties('AWS::SSM::Parameter', { Value: name });
    Template.fromStack(operations).hasResourceProperties('AWS::SSM::Parameter', {
      Value: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:sagemaker:us-east-1:${ACCOUNT}:inference-experiment/${name}`]] },
    });
  });

  test('a dashboard and alarms in another stack name a named endpoint by its literal name, overrides included', () => {
    const app = new App();
    const env = { account: ACCOUNT, region: 'us-east-1' };
    const stack = new Stack(app, 'ShadowTest', { env });
    const parts = new ShadowTestParts(stack);
    parts.endpoint.endpointName = 'recommender';
    const experiment = parts.experiment();
    parts.endpoint.addPropertyOverride('EndpointName', 'recommender-v2');
    const monitoring = new Stack(app, 'Monitoring', { env });
    new ShadowTestDashboard(monitoring, 'Dashboard', { metrics: experiment.metrics });
    experiment.metrics.createShadowErrorRateAlarm(monitoring, 'Errors', { maxErrorRatePercent: 1 });
    const template = JSON.stringify(app.synth().getStackByName('Monitoring').template);

    expect(template).not.toContain('Fn::ImportValue');
    expect(template).toContain('recommender-v2');
    expect(template).not.toContain('"recommender"');
  });

  test('the metric ids stay the same on every synthesis, whatever tokens the app made before the experiment', () => {
    const ids = (tokensBefore: number) => {
      const stack = newStack();
      for (let i = 0; i < tokensBefore; i++) {
        Lazy.string({ produce: () => 'unrelated' });
      }
      const experiment = new ShadowTestParts(stack).experiment();
      experiment.metrics.createShadowErrorRateAlarm(stack, 'Errors', { maxErrorRatePercent: 1 });
      const [alarm] = Object.values<any>(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
      return alarm.Properties.Metrics.map((metric: any) => metric.Id);
    };
    expect(ids(0)).toEqual(ids(7));
  });

  test('a name given as a token is still exported, since it is not known at synth', () => {
    const app = new App();
    const env = { account: ACCOUNT, region: 'us-east-1' };
    const stack = new Stack(app, 'ShadowTest', { env });
    const experiment = new ShadowTestParts(stack).experiment({ inferenceExperimentName: new CfnParameter(stack, 'Name').valueAsString });
    const operations = new Stack(app, 'Operations', { env });
    new ssm.StringParameter(operations, 'ExperimentName', { stringValue: experiment.inferenceExperimentName });
    expect(JSON.stringify(app.synth().getStackByName('Operations').template)).toContain('Fn::ImportValue');
  });
});

describe('no dependency cycle, wherever the pieces are', () => {
  test('a role in another stack, with data capture and a volume key in the experiment\'s stack', () => {
    const app = new App();
    const env = { account: ACCOUNT, region: 'us-east-1' };
    const roleStack = new Stack(app, 'Roles', { env });
    const role = new iam.Role(roleStack, 'ShadowTestRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const stack = new Stack(app, 'ShadowTest', { env });
    const parts = new ShadowTestParts(stack);
    const key = new kms.Key(stack, 'Key');
    parts.experiment({
      role,
      volumeEncryptionKey: key,
      dataCapture: DataCapture.toBucket(new s3.Bucket(stack, 'Captures', { encryptionKey: key }), { prefix: 'c/' }),
    });

    const assembly = app.synth();
    expect(dependencyCycle(assembly.getStackByName('ShadowTest').template)).toBeUndefined();
    // The grants on the bucket and the keys are in the experiment's stack, attached to the role by name.
    expect(Template.fromStack(roleStack).findResources('AWS::IAM::Policy')).toEqual({});
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ 'Fn::ImportValue': Match.stringLikeRegexp('ShadowTestRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:Encrypt'] })]) },
    });
  });

  test('the experiment\'s own role granted access to the experiment', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment();
    experiment.grants.read(experiment);
    experiment.grants.update(experiment.role as iam.IRole);
    expect(dependencyCycle(Template.fromStack(parts.stack).toJSON())).toBeUndefined();
  });

  test('a role shared with the models, granted access to the experiment and used for data capture', () => {
    const parts = new ShadowTestParts(newStack());
    const bucket = new s3.Bucket(parts.stack, 'Captures');
    const experiment = parts.experiment({ role: parts.role, dataCapture: DataCapture.toBucket(bucket) });
    experiment.grants.create(parts.role);
    experiment.grants.delete(parts.role);
    expect(dependencyCycle(Template.fromStack(parts.stack).toJSON())).toBeUndefined();
  });

  test('grants.create() names the experiment without referring to it, so it can be granted before it exists', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment();
    const deployer = new iam.Role(parts.stack, 'Deployer', { assumedBy: new iam.AccountRootPrincipal() });
    experiment.grants.create(deployer);

    const experimentId = parts.stack.resolve((experiment.node.defaultChild as any).logicalId);
    const policies = JSON.stringify(Template.fromStack(parts.stack).findResources('AWS::IAM::Policy'));
    expect(policies).toContain('inference-experiment/');
    expect(policies).not.toContain(experimentId);
  });

  test('the helper finds a cycle when there is one', () => {
    expect(dependencyCycle({ Resources: { A: { Properties: { X: { Ref: 'B' } } }, B: { DependsOn: ['A'] } } })).toEqual(['A', 'B', 'A']);
  });
});

describe('other accounts and regions', () => {
  function crossEnvironment(): { app: App; experiment: InferenceExperiment; principal: iam.Role; otherStack: Stack } {
    const app = new App();
    const stack = new Stack(app, 'ShadowTest', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const experiment = new ShadowTestParts(stack).experiment();
    const otherStack = new Stack(app, 'Operators', { env: { account: OTHER_ACCOUNT, region: 'eu-west-1' } });
    const principal = new iam.Role(otherStack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    return { app, experiment, principal, otherStack };
  }

  test.each(['read', 'update', 'stop', 'start', 'delete', 'create'] as const)(
    '%s() for a principal of another account is refused: the APIs take a name, so it could never be used', (operation) => {
      const { experiment, principal } = crossEnvironment();
      expect(() => experiment.grants[operation](principal)).toThrow(new RegExp(
        `of account ${ACCOUNT}, can not be granted to a principal of account ${OTHER_ACCOUNT}: the inference experiment ` +
        'APIs take the experiment\'s name, not its ARN.*Grant a principal of the experiment\'s account'));
    });

  test.each<[string, (stack: Stack) => iam.IGrantable]>([
    ['a role imported by ARN', (stack) => iam.Role.fromRoleArn(stack, 'Imported', `arn:aws:iam::${OTHER_ACCOUNT}:role/operator`)],
    ['a user imported by ARN', (stack) => iam.User.fromUserArn(stack, 'User', `arn:aws:iam::${OTHER_ACCOUNT}:user/operator`)],
  ])('%s of another account is refused too, in the experiment\'s own stack', (_, principalIn) => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment();
    expect(() => experiment.grants.actions(principalIn(parts.stack), 'sagemaker:DescribeInferenceExperiment'))
      .toThrow(/can not be granted to a principal of account 210987654321/);
  });

  test('an imported experiment of another account cannot be granted to this account\'s principals', () => {
    const stack = newStack();
    const imported = InferenceExperiment.fromInferenceExperimentArn(stack, 'Imported',
      `arn:aws:sagemaker:us-east-1:${OTHER_ACCOUNT}:inference-experiment/theirs`);
    const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => imported.grants.read(operator)).toThrow(/of account 210987654321, can not be granted to a principal of account 123456789012/);
  });

  test('a principal of the same account in another region can be granted access to an experiment with a generated name', () => {
    const app = new App();
    const stack = new Stack(app, 'ShadowTest', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const experiment = new ShadowTestParts(stack).experiment();
    const otherStack = new Stack(app, 'Operators', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const principal = new iam.Role(otherStack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    experiment.grants.read(principal);
    experiment.grants.update(principal);
    experiment.grants.stop(principal);
    experiment.grants.delete(principal);
    app.synth();

    const name = experimentOf(Stack.of(experiment)).Name;
    expect(name).toEqual(name.toLowerCase());
    const policies = JSON.stringify(Template.fromStack(otherStack).findResources('AWS::IAM::Policy'));
    expect(policies).toContain(`:sagemaker:us-east-1:${ACCOUNT}:inference-experiment/${name}`);
    expect(policies).not.toContain('Fn::ImportValue');
  });

  test('create() for a principal of another region fails clearly with the default role, which has no name at synth', () => {
    const app = new App();
    const stack = new Stack(app, 'ShadowTest', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const experiment = new ShadowTestParts(stack).experiment();
    const otherStack = new Stack(app, 'Operators', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const principal = new iam.Role(otherStack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => experiment.grants.create(principal)).toThrow(
      /can not grant create\(\) to a principal of another account or region: its default role is named by CloudFormation at deploy time.*roleName/);
  });

  test('create() for a principal of another region works with a role whose name is generated when needed', () => {
    const app = new App();
    const stack = new Stack(app, 'ShadowTest', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const parts = new ShadowTestParts(stack);
    const role = new iam.Role(stack, 'ExperimentRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      roleName: PhysicalName.GENERATE_IF_NEEDED,
    });
    const experiment = parts.experiment({ role });
    const pipelineStack = new Stack(app, 'Pipeline', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const pipeline = new iam.Role(pipelineStack, 'Deployer', { assumedBy: new iam.AccountRootPrincipal() });
    experiment.grants.create(pipeline);
    app.synth();

    const policies = JSON.stringify(Template.fromStack(pipelineStack).findResources('AWS::IAM::Policy'));
    expect(policies).toMatch(new RegExp(`:iam::${ACCOUNT}:role/shadowtest[a-z0-9]+`));
    expect(policies).toContain('iam:PassRole');
  });
});

describe('tags, with those CloudFormation adds', () => {
  test('fails with 50 tags on the experiment and one more on its stack', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`tag${i}`, 'v'])) });
    Tags.of(parts.stack).add('stage', 'beta');
    expect(() => Template.fromStack(parts.stack)).toThrow(/tags: got 51 tags.*; a resource can have at most 50 tags/);
  });

  test('fails with stack tags given to the stack itself', () => {
    const stack = new Stack(new App(), 'TestStack', {
      env: { account: ACCOUNT, region: 'us-east-1' },
      tags: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`stack${i}`, 'v'])),
    });
    const parts = new ShadowTestParts(stack);
    parts.experiment({ tags: { team: 'ml', owner: 'me' } });
    expect(() => Template.fromStack(stack)).toThrow(
      /tags: got 51 tags \(2 of the experiment's own, 49 of its stack's, which CloudFormation adds\); a resource can have at most 50 tags/);
  });

  test('counts a tag on both the stack and the experiment once', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`tag${i}`, 'v'])) });
    Tags.of(parts.stack).add('tag0', 'other');
    expect(() => Template.fromStack(parts.stack)).not.toThrow();
  });

  test('fails for a stack tag that SageMaker refuses', () => {
    const stack = new Stack(new App(), 'TestStack', { env: { account: ACCOUNT, region: 'us-east-1' }, tags: { 'cost#center': '1234' } });
    new ShadowTestParts(stack).experiment();
    expect(() => Template.fromStack(stack)).toThrow(/tags \(of the stack\)\["cost#center"\] key: got "cost#center"; must match/);
  });
});

describe('keys in every form are granted', () => {
  function grantedKeyStatements(key: (stack: Stack) => kmsRefs.IKeyRef): any[] {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({ volumeEncryptionKey: key(parts.stack) });
    return Object.values<any>(Template.fromStack(parts.stack).findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement) => [statement.Action].flat().includes('kms:CreateGrant'));
  }
  const ANY_KEY = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:kms:us-east-1:${ACCOUNT}:key/*`]] };
  const byAlias = (alias: string) => ({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': alias } });

  test('an alias imported by name, on the keys that carry it', () => {
    expect(grantedKeyStatements((stack) => kms.Alias.fromAliasName(stack, 'Alias', 'alias/shadow-tests'))).toEqual([
      expect.objectContaining({ Resource: ANY_KEY, Condition: byAlias('alias/shadow-tests') }),
    ]);
  });

  test('an alias ARN, on the keys of its account and region that carry it', () => {
    const statements = grantedKeyStatements((stack) => ({
      node: stack.node, env: stack.env, stack, keyRef: { keyArn: `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/shadow`, keyId: 'alias/shadow' },
    } as any));
    expect(statements).toEqual([expect.objectContaining({
      Resource: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/*`, Condition: byAlias('alias/shadow'),
    })]);
  });

  test('an alias defined in the app, through its target key', () => {
    const statements = grantedKeyStatements((stack) => new kms.Alias(stack, 'Alias', {
      aliasName: 'alias/shadow', targetKey: new kms.Key(stack, 'Target'),
    }));
    expect(statements).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Target/), 'Arn'] } })]);
  });

  test('a key known only at deploy time, in no recognizable form, is not granted and is warned of', () => {
    const parts = new ShadowTestParts(newStack());
    const keyArn = new CfnParameter(parts.stack, 'KeyArn').valueAsString;
    parts.experiment({ volumeEncryptionKey: { node: parts.stack.node, env: parts.stack.env, keyRef: { keyArn, keyId: keyArn } } as any });
    Annotations.fromStack(parts.stack).hasWarning('/TestStack/Experiment', Match.stringLikeRegexp(
      `volumeEncryptionKey is known only at deploy time.*not granted kms:CreateGrant, kms:DescribeKey, kms:Encrypt.*\\[ack: ${WARNING('keyNotGranted')}\\]`));
  });
});

describe('names in ARNs', () => {
  test('an experiment imported by a mixed-case ARN is granted on the ARN in lower case', () => {
    const stack = newStack();
    const experiment = InferenceExperiment.fromInferenceExperimentArn(stack, 'Imported',
      `arn:aws:sagemaker:us-east-1:${ACCOUNT}:inference-experiment/Candidate-V2`);
    expect(experiment.inferenceExperimentArn).toEqual(`arn:aws:sagemaker:us-east-1:${ACCOUNT}:inference-experiment/candidate-v2`);
  });

  test('a name known only at deploy time is warned of where it goes into an ARN', () => {
    const stack = newStack();
    const name = new CfnParameter(stack, 'EndpointName').valueAsString;
    const endpoint = ExistingEndpoint.fromEndpointName(stack, 'Endpoint', name);
    new iam.Role(stack, 'Reader', {
      assumedBy: new iam.AccountRootPrincipal(),
      inlinePolicies: {
        read: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['sagemaker:DescribeEndpoint'], resources: [endpoint.endpointArn] })],
        }),
      },
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/Endpoint', Match.stringLikeRegexp(
      `The name of the endpoint is known only at deploy time.*lower case.*\\[ack: ${WARNING('tokenNameInArn')}\\]`));
  });

  test('an experiment named by a parameter is warned of when its ARN is used', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment({ inferenceExperimentName: new CfnParameter(parts.stack, 'Name').valueAsString });
    experiment.grants.read(new iam.Role(parts.stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() }));
    Annotations.fromStack(parts.stack).hasWarning('/TestStack/Experiment', Match.stringLikeRegexp(
      `The name of the inference-experiment is known only at deploy time.*\\[ack: ${WARNING('tokenNameInArn')}\\]`));
  });

  test('a model that exposes a mixed-case ARN is read on its ARN in lower case', () => {
    const parts = new ShadowTestParts(newStack());
    const model = ExistingModel.fromModelName(parts.stack, 'Model', 'Fraud-Detector-V3');
    parts.experiment({
      shadowMode: ShadowModeConfig.of({
        production: parts.production(),
        shadow: ModelVariant.realTime({ variantName: 'candidate', model, instanceType: InstanceType.ML_M5_XLARGE }),
        samplingPercentage: 100,
      }),
    });
    expect(JSON.stringify(Template.fromStack(parts.stack).findResources('AWS::IAM::Policy'))).toContain(':model/fraud-detector-v3');
  });
});

describe('the role', () => {
  test('fails when SageMaker cannot assume a role defined in the app', () => {
    const parts = new ShadowTestParts(newStack());
    const role = new iam.Role(parts.stack, 'LambdaRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    parts.experiment({ role });
    expect(() => Template.fromStack(parts.stack)).toThrow(
      /role: got 'TestStack\/LambdaRole', whose trust policy does not let sagemaker.amazonaws.com call sts:AssumeRole; SageMaker must be able to assume the role/);
  });

  test.each<[string, boolean, object]>([
    ['overridden to trust only Lambda', true, { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }], Version: '2012-10-17' }],
    ['overridden to trust SageMaker', false, { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }], Version: '2012-10-17' }],
  ])('reads the trust policy as the template holds it: a role %s', (_, fails, document) => {
    const parts = new ShadowTestParts(newStack());
    const assumedBy = new iam.ServicePrincipal(fails ? 'sagemaker.amazonaws.com' : 'lambda.amazonaws.com');
    const role = new iam.Role(parts.stack, 'OverriddenRole', { assumedBy });
    parts.experiment({ role });
    (role.node.defaultChild as iam.CfnRole).addPropertyOverride('AssumeRolePolicyDocument', document);
    const synth = () => Template.fromStack(parts.stack);
    if (fails) {
      expect(synth).toThrow(/role: got 'TestStack\/OverriddenRole', whose trust policy does not let sagemaker.amazonaws.com call sts:AssumeRole/);
    } else {
      expect(synth).not.toThrow();
    }
  });

  test('accepts a role that SageMaker shares with other services, and an imported role', () => {
    const parts = new ShadowTestParts(newStack());
    const shared = new iam.Role(parts.stack, 'Shared', {
      assumedBy: new iam.CompositePrincipal(new iam.ServicePrincipal('lambda.amazonaws.com'), new iam.ServicePrincipal('sagemaker.amazonaws.com')),
    });
    parts.experiment({ role: shared }, 'WithShared');
    parts.experiment({
      endpoint: parts.newEndpoint('OtherEndpoint'),
      role: iam.Role.fromRoleArn(parts.stack, 'Imported', `arn:aws:iam::${ACCOUNT}:role/any`),
    }, 'WithImported');
    expect(() => Template.fromStack(parts.stack)).not.toThrow();
  });

  test('has a description IAM accepts, whatever the construct\'s path', () => {
    const app = new App();
    const stack = new Stack(app, 'ShadowTest', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const parts = new ShadowTestParts(stack);
    new InferenceExperiment(stack, 'Tëst✓'.repeat(300), parts.minimalProps());
    const roles = Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Role'))
      .map((role) => role.Properties.Description).filter((description) => description !== undefined);
    expect(roles).toHaveLength(1);
    expect(roles[0].length).toBeLessThanOrEqual(1000);
    expect(roles[0]).toMatch(/^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/);
  });
});

describe('data capture is written by the experiment\'s role and by the models\' execution roles', () => {
  test('both are granted the capture prefix and key', () => {
    const parts = new ShadowTestParts(newStack());
    const key = new kms.Key(parts.stack, 'CaptureKey');
    const bucket = new s3.Bucket(parts.stack, 'Captures');
    const experiment = parts.experiment({ dataCapture: DataCapture.toBucket(bucket, { prefix: 'c/', encryptionKey: key }) });

    const experimentRoleId = parts.stack.resolve((experiment.role.node.defaultChild as iam.CfnRole).logicalId);
    const modelRoleId = parts.stack.resolve((parts.role.node.defaultChild as iam.CfnRole).logicalId);
    for (const roleId of [experimentRoleId, modelRoleId]) {
      Template.fromStack(parts.stack).hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: roleId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: Match.arrayWith(['s3:PutObject']) }),
            Match.objectLike({ Action: ['kms:Encrypt', 'kms:GenerateDataKey'] }),
          ]),
        },
      });
    }
  });
});

describe('a role shared by many experiments stays within IAM\'s 10,240 characters of inline policies per role', () => {
  /** 50 shadow tests of one stack, each on its own endpoint, with its own capture prefix in one bucket. */
  function fiftyExperiments(role?: (stack: Stack) => iam.IRole): { stack: Stack; parts: ShadowTestParts } {
    const parts = new ShadowTestParts(newStack());
    const bucket = s3.Bucket.fromBucketName(parts.stack, 'Captures', 'shadow-test-captures-123456789012');
    const experimentRole = role?.(parts.stack);
    for (let i = 0; i < 50; i++) {
      new InferenceExperiment(parts.stack, `ShadowTest${i}`, {
        endpoint: ExistingEndpoint.fromEndpointName(parts.stack, `Endpoint${i}`, `recommender-endpoint-${i}`),
        shadowMode: ShadowModeConfig.of({
          production: parts.production(),
          shadow: ModelVariant.realTime({
            variantName: 'candidate',
            model: ExistingModel.fromModelName(parts.stack, `Candidate${i}`, `recommender-candidate-${i}`),
            instanceType: InstanceType.ML_M5_XLARGE,
          }),
          samplingPercentage: 100,
        }),
        role: experimentRole,
        dataCapture: DataCapture.toBucket(bucket, { prefix: `shadow-tests/recommender-${i}/` }),
      });
    }
    return { stack: parts.stack, parts };
  }

  test('the models\' execution role gets one policy, whose size grows by a resource for each experiment', () => {
    const { stack, parts } = fiftyExperiments();
    const template = Template.fromStack(stack);
    const modelRole = roleRefOf(parts.role);
    expect(policiesOfRole(template, modelRole)).toHaveLength(1);
    const characters = inlinePolicyCharacters(template, modelRole);
    // 50 capture prefixes of about 80 characters each: less than half of the quota, where a policy for each
    // experiment reached 50 times 400 characters.
    expect(characters).toBeLessThan(10240 / 2);
    expect(characters).toBeGreaterThan(50 * 60);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('rolePolicyTooLarge'));
  });

  test('a role given to 50 experiments gets one policy, with one statement of each kind', () => {
    const { stack } = fiftyExperiments((scope) => iam.Role.fromRoleArn(scope, 'Shared', `arn:aws:iam::${ACCOUNT}:role/shadow-tests`));
    const template = Template.fromStack(stack);
    const policies = policiesOfRole(template, 'shadow-tests');
    expect(policies).toHaveLength(1);
    const sids = policies[0].Properties.PolicyDocument.Statement.map((statement: any) => statement.Sid).filter(Boolean);
    expect(sids).toEqual(['ReadAndSwitchTheEndpoint', 'ManageTheTestEndpointConfigs', 'ReadTheVariantModels']);
    // The 50 endpoints, 51 models and 50 capture prefixes do not fit in the quota: the construct says so at synth.
    expect(inlinePolicyCharacters(template, 'shadow-tests')).toBeGreaterThan(10240);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp(
      "share the role '.*Shared' grant it a policy of about \\d+ characters, and IAM allows a role 10240 characters.*the deployment fails"));
  });

  test('a role given to 20 experiments fits, with no warning', () => {
    const parts = new ShadowTestParts(newStack());
    const role = iam.Role.fromRoleArn(parts.stack, 'Shared', `arn:aws:iam::${ACCOUNT}:role/shadow-tests`);
    for (let i = 0; i < 20; i++) {
      new InferenceExperiment(parts.stack, `ShadowTest${i}`, {
        ...parts.minimalProps(), role, endpoint: ExistingEndpoint.fromEndpointName(parts.stack, `Endpoint${i}`, `recommender-endpoint-${i}`),
      });
    }
    const template = Template.fromStack(parts.stack);
    expect(inlinePolicyCharacters(template, 'shadow-tests')).toBeLessThan(10240 / 2);
    Annotations.fromStack(parts.stack).hasNoWarning('*', Match.stringLikeRegexp('rolePolicyTooLarge'));
  });
});

describe('every number fits the API that receives it', () => {
  test('fails for an instance count beyond the API\'s 32-bit integers', () => {
    const parts = new ShadowTestParts(newStack());
    expect(() => parts.experiment({
      shadowMode: ShadowModeConfig.of({
        production: parts.production(), shadow: parts.shadow({ instanceCount: 2 ** 31 }), samplingPercentage: 100,
      }),
    })).toThrow(/shadowMode.shadow.instanceCount: got 2147483648; must be a whole number from 1 to 2147483647/);
  });

  test('fails for a schedule beyond the year 9999, which ISO-8601 cannot write with four digits', () => {
    const parts = new ShadowTestParts(newStack());
    const start = new Date('9999-12-31T12:00:00Z');
    expect(() => parts.experiment({ schedule: Schedule.startingAt(start, Duration.days(2)) }))
      .toThrow(/schedule.endTime: got \+010000-01-02T12:00:00.000Z; must be in a year from 0 to 9999/);
  });

  test.each<[string, (metrics: ShadowTestMetrics, stack: Stack) => unknown, RegExp]>([
    ['a threshold that is not a number', (m, s) => m.createShadowErrorRateAlarm(s, 'A', { maxErrorRatePercent: NaN }),
      /maxErrorRatePercent: got NaN; must be a finite number from 0 to 100/],
    ['an error rate above 100%', (m, s) => m.createShadowErrorRateAlarm(s, 'A', { maxErrorRatePercent: 101 }),
      /maxErrorRatePercent: got 101; must be a finite number from 0 to 100/],
    ['an infinite regression', (m, s) => m.createLatencyRegressionAlarm(s, 'A', { maxRegressionPercent: Infinity }),
      /maxRegressionPercent: got Infinity; must be a finite number/],
    ['more datapoints than periods', (m, s) => m.createDiskUtilizationAlarm(s, 'A', { evaluationPeriods: 2, datapointsToAlarm: 3 }),
      /datapointsToAlarm: got 3; must be a whole number from 1 to 2/],
    ['a fractional number of periods', (m, s) => m.createDiskUtilizationAlarm(s, 'A', { evaluationPeriods: 1.5 }),
      /evaluationPeriods: got 1.5; must be a whole number of at least 1/],
    ['an evaluation longer than a day', (m, s) => m.createDiskUtilizationAlarm(s, 'A', { evaluationPeriods: 289 }),
      /evaluationPeriods: got 289; times the period of 300 seconds must be at most 86400 seconds/],
  ])('an alarm fails for %s', (_, create, message) => {
    const stack = newStack();
    const metrics = ShadowTestMetrics.of({ endpointName: 'e', productionVariantName: 'p', shadowVariantName: 's' });
    expect(() => create(metrics, stack)).toThrow(message);
  });

  test('an alarm accepts a week of hourly periods', () => {
    const stack = newStack();
    const metrics = ShadowTestMetrics.of({ endpointName: 'e', productionVariantName: 'p', shadowVariantName: 's' });
    expect(() => metrics.createDiskUtilizationAlarm(stack, 'A', { period: Duration.hours(1), evaluationPeriods: 168 })).not.toThrow();
  });
});
