/*
 * Destroy and deploy again: nothing that the library creates may outlive `cdk destroy`, unless the user asked to keep
 * it, and nothing it names may be left behind to block the next creation under the same name.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, aws_cloudwatch as cloudwatch, CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ShadowTestStack } from '../examples/shadow-test-stack';
import { InferenceExperiment, ShadowTestDashboard, ShadowTestGuard, ShadowTestVerdict } from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';

/** The properties that give a resource a name of the template's own, by resource type. */
const NAME_PROPERTIES: Record<string, string> = {
  'AWS::SageMaker::InferenceExperiment': 'Name',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::CloudWatch::Dashboard': 'DashboardName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::Events::Rule': 'Name',
  'AWS::KMS::Alias': 'AliasName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::S3::Bucket': 'BucketName',
};

const retains = (resource: any) => resource.DeletionPolicy === 'Retain' || resource.UpdateReplacePolicy === 'Retain' ||
  resource.DeletionPolicy === 'RetainExceptOnCreate';

/** The resources of `template` that a `cdk destroy` leaves behind although they have a name of the template's own. */
function namedAndRetained(template: any): string[] {
  return Object.entries<any>(template.Resources)
    .filter(([, resource]) => NAME_PROPERTIES[resource.Type] !== undefined && resource.Properties?.[NAME_PROPERTIES[resource.Type]] !== undefined)
    .filter(([, resource]) => retains(resource))
    .map(([logicalId]) => logicalId);
}

/** Whether `construct` is made by the library: it is, or is inside, one of its constructs or shared policies. */
function isTheLibrarys(construct: IConstruct): boolean {
  return construct.node.scopes.some((scope) => InferenceExperiment.isInferenceExperiment(scope) ||
    scope instanceof ShadowTestGuard || scope instanceof ShadowTestVerdict || scope instanceof ShadowTestDashboard ||
    scope.node.id === 'ShadowTestRolePolicies');
}

/** The resources that the library made in `stack` and that a `cdk destroy` leaves behind. */
function retainedOfTheLibrary(stack: Stack): string[] {
  const template = stack.resolve((stack as any)._toCloudFormation());
  return stack.node.findAll().filter(CfnResource.isCfnResource).filter(isTheLibrarys)
    .map((resource) => stack.resolve(resource.logicalId))
    .filter((logicalId) => retains(template.Resources[logicalId]));
}

/** A stack with every construct of the library, and each optional resource they create. */
function everything(): Stack {
  const parts = new ShadowTestParts(newStack());
  const experiment = parts.experiment({ ...parts.fullProps(), role: undefined });
  const alarm = experiment.metrics.createShadowErrorRateAlarm(parts.stack, 'Errors', { maxErrorRatePercent: 1 });
  new ShadowTestGuard(parts.stack, 'Guard', { experiment, alarms: [alarm] });
  const verdict = new ShadowTestVerdict(parts.stack, 'Verdict', { experiment, interimVerdicts: true, stopOnFail: true });
  new ShadowTestDashboard(parts.stack, 'Dashboard', { metrics: experiment.metrics, dashboardName: 'shadow-test', verdict });
  new InferenceExperiment(parts.stack, 'SharedRole', { ...parts.minimalProps(), endpoint: parts.newEndpoint('Other'), role: parts.role });
  return parts.stack;
}

describe('destroy, then deploy again', () => {
  test('nothing the library creates is retained by default', () => {
    const stack = everything();
    expect(stack.node.findAll().filter(CfnResource.isCfnResource).filter(isTheLibrarys).length).toBeGreaterThan(10);
    expect(retainedOfTheLibrary(stack)).toEqual([]);
  });

  test('the check finds a retained resource of the library', () => {
    const stack = everything();
    const experiment = stack.node.findAll().find(InferenceExperiment.isInferenceExperiment)!;
    experiment.applyRemovalPolicy(RemovalPolicy.RETAIN);
    expect(retainedOfTheLibrary(stack)).toEqual([stack.resolve((experiment.node.defaultChild as CfnResource).logicalId)]);
  });

  test.each(['guard', 'verdict'])('the %s keeps its logs when asked to, under a name that cannot block the next deployment', (construct) => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment();
    if (construct === 'guard') {
      const alarm = new cloudwatch.Alarm(parts.stack, 'Alarm', {
        metric: experiment.metrics.shadow.metricInvocations(), threshold: 1, evaluationPeriods: 1,
      });
      new ShadowTestGuard(parts.stack, 'Guard', { experiment, alarms: [alarm], logRemovalPolicy: RemovalPolicy.RETAIN });
    } else {
      new ShadowTestVerdict(parts.stack, 'Verdict', { experiment, logRemovalPolicy: RemovalPolicy.RETAIN });
    }
    const template = parts.stack.resolve((parts.stack as any)._toCloudFormation());
    const [logGroup] = Object.values<any>(template.Resources).filter((resource) => resource.Type === 'AWS::Logs::LogGroup');
    expect(retains(logGroup)).toBe(true);
    // The name holds the stack's ID, which is new for each creation of the stack.
    expect(JSON.stringify(logGroup.Properties.LogGroupName)).toContain('AWS::StackId');
  });

  test('the example app leaves nothing named behind, and nothing of the library', () => {
    const stack = new ShadowTestStack(new App(), 'ShadowTestExample', { env: { account: '123456789012', region: 'us-east-1' } });
    const template = stack.resolve((stack as any)._toCloudFormation());
    expect(namedAndRetained(template)).toEqual([]);
    expect(retainedOfTheLibrary(stack)).toEqual([]);
  });

  test('the integration test leaves nothing named behind', () => {
    const snapshot = path.join(__dirname, 'integ.shadow-test.ts.snapshot', 'InferenceExperimentShadowTest.template.json');
    const template = JSON.parse(fs.readFileSync(snapshot, 'utf-8'));
    expect(Object.values<any>(template.Resources).some((resource) => resource.Type === 'AWS::Logs::LogGroup')).toBe(true);
    expect(namedAndRetained(template)).toEqual([]);
    expect(Object.entries<any>(template.Resources).filter(([, resource]) => retains(resource))
      .map(([, resource]) => resource.Type)).toEqual([]);
  });

  test('the check finds a named resource that is retained', () => {
    expect(namedAndRetained({
      Resources: {
        Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/aws/vendedlogs/states/guard' }, DeletionPolicy: 'Retain' },
        Unnamed: { Type: 'AWS::Logs::LogGroup', Properties: {}, DeletionPolicy: 'Retain' },
      },
    })).toEqual(['Logs']);
  });
});
