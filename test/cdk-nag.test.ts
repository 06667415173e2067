/*
 * cdk-nag's AwsSolutions pack on the example app, with the cdk-nag that the suite runs with: cdk-nag 2 on the
 * aws-cdk-lib floor (an Aspect that writes annotations), cdk-nag 3 on the newest aws-cdk-lib (a validation plugin,
 * run here on the app directly). The app acknowledges its findings with NagAcknowledgements, which serves both.
 */
import { App, Aspects, aws_iam as iam, aws_kms as kms, aws_s3 as s3, aws_sns as sns, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as nag from 'cdk-nag';
import { ShadowTestStack } from '../examples/shadow-test-stack';
import { DataCapture, NagAcknowledgements, ShadowTestGuard, ShadowTestVerdict } from '../src';
import { ShadowTestParts } from './helpers/fixtures';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the version of the cdk-nag that the suite runs with
const NAG_MAJOR = Number(require('cdk-nag/package.json').version.split('.')[0]);

/** Every AwsSolutions finding that is not acknowledged, as `path: rule[finding]`. */
function findingsOf(stack: Stack): string[] {
  const checks: any = new nag.AwsSolutionsChecks();
  if (NAG_MAJOR >= 3) {
    // cdk-nag 3 validates the synthesized app, whose aspects have run.
    Template.fromStack(stack);
    const report = checks.validateScope(stack);
    return report.violations.flatMap((violation: any) => violation.violatingResources
      .map((resource: any) => `${resource.constructPath}: ${violation.ruleName}`));
  }
  Aspects.of(stack).add(checks);
  const annotations = Annotations.fromStack(stack);
  const rule = Match.stringLikeRegexp('AwsSolutions-.*');
  return [...annotations.findError('*', rule), ...annotations.findWarning('*', rule)]
    .map((finding) => `${finding.id.replace(/^\//, '')}: ${/^AwsSolutions-[A-Za-z0-9]+(\[[^\]]*\])?/.exec(String(finding.entry.data))?.[0]}`);
}

const ENV = { account: '123456789012', region: 'us-east-1' };

/** A finding on a policy that the library writes for its experiments. */
const ON_LIBRARY_POLICY = /(\/(ShadowTestPolicy|DataCapturePolicy)|\/ShadowTestRolePolicies\/[^/]+)\/Resource: /;

/** A guard that publishes to a topic encrypted with a key of the app, so that its role is granted on the key. */
function guardOf(stack: Stack): ShadowTestGuard {
  const parts = new ShadowTestParts(stack);
  const experiment = parts.experiment();
  return new ShadowTestGuard(stack, 'Guard', {
    experiment,
    alarms: [experiment.metrics.createDiskUtilizationAlarm(stack, 'Disk')],
    notificationTopic: new sns.Topic(stack, 'Topic', { masterKey: new kms.Key(stack, 'TopicKey') }),
  });
}

describe(`cdk-nag ${NAG_MAJOR} AwsSolutions`, () => {
  test('the example app has no finding that it does not acknowledge', () => {
    expect(findingsOf(new ShadowTestStack(new App(), 'ShadowTestExample'))).toEqual([]);
  });

  test('reports an over-broad statement added to the experiment role', () => {
    const stack = new ShadowTestStack(new App(), 'ShadowTestExample');
    stack.experiment.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sagemaker:*'], resources: ['*'] }));

    expect(findingsOf(stack)).toEqual(expect.arrayContaining([
      expect.stringMatching(/ShadowTest\/Role\/DefaultPolicy\/Resource: AwsSolutions-IAM5\[Action::sagemaker:\*\]/),
      expect.stringMatching(/ShadowTest\/Role\/DefaultPolicy\/Resource: AwsSolutions-IAM5\[Resource::\*\]/),
    ]));
  });

  test('acknowledgeDocumentedWildcards() leaves a wildcard of another origin reported', () => {
    const parts = new ShadowTestParts(new Stack(new App(), 'Acknowledged', { env: ENV }));
    const experiment = parts.experiment(parts.fullProps());
    NagAcknowledgements.acknowledgeDocumentedWildcards(experiment);
    const ours = (finding: string) => ON_LIBRARY_POLICY.test(finding);
    expect(findingsOf(parts.stack).filter(ours)).toEqual([]);

    const other = new ShadowTestParts(new Stack(new App(), 'NotAcknowledged', { env: ENV }));
    other.experiment(other.fullProps());
    expect(findingsOf(other.stack).filter(ours)).toEqual(expect.arrayContaining([
      expect.stringMatching(/: AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:sagemaker:us-east-1:123456789012:endpoint-config\/\*\]/),
      expect.stringMatching(/: AwsSolutions-IAM5\[Action::s3:Abort\*\]/),
    ]));
  });

  test("acknowledgeDocumentedWildcards() leaves a wildcard added to a guard's state machine reported", () => {
    const ours = (finding: string) => /Guard\//.test(finding);

    const acknowledged = new Stack(new App(), 'Acknowledged', { env: ENV });
    guardOf(acknowledged);
    NagAcknowledgements.acknowledgeDocumentedWildcards(acknowledged);
    expect(findingsOf(acknowledged).filter(ours)).toEqual([]);

    const widened = new Stack(new App(), 'Widened', { env: ENV });
    guardOf(widened).stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['sagemaker:StopInferenceExperiment'], resources: ['*'] }));
    NagAcknowledgements.acknowledgeDocumentedWildcards(widened);
    expect(findingsOf(widened).filter(ours)).toEqual([
      expect.stringMatching(/Guard\/StateMachine\/Role\/DefaultPolicy\/Resource: AwsSolutions-IAM5(\[Resource::\*\])?$/),
    ]);
  });

  test("acknowledgeDocumentedWildcards() acknowledges a verdict's resource-less actions, and leaves a wildcard added later reported", () => {
    const verdictOf = (stack: Stack) => {
      const parts = new ShadowTestParts(stack);
      return new ShadowTestVerdict(stack, 'Verdict', {
        experiment: parts.experiment(),
        interimVerdicts: true,
        stopOnFail: true,
        notificationTopic: new sns.Topic(stack, 'Topic', { masterKey: new kms.Key(stack, 'TopicKey') }),
      });
    };
    const ours = (finding: string) => /Verdict\//.test(finding);

    const unacknowledged = new Stack(new App(), 'Unacknowledged', { env: ENV });
    verdictOf(unacknowledged);
    expect(findingsOf(unacknowledged).filter(ours).length).toBeGreaterThan(0);

    const acknowledged = new Stack(new App(), 'Acknowledged', { env: ENV });
    verdictOf(acknowledged);
    NagAcknowledgements.acknowledgeDocumentedWildcards(acknowledged);
    expect(findingsOf(acknowledged).filter(ours)).toEqual([]);

    const widened = new Stack(new App(), 'Widened', { env: ENV });
    const verdict = verdictOf(widened);
    NagAcknowledgements.acknowledgeDocumentedWildcards(widened);
    // PutMetricData without the namespace condition is not what the verdict writes.
    verdict.stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudwatch:PutMetricData'], resources: ['*'] }));
    expect(findingsOf(widened).filter(ours)).toEqual([
      expect.stringMatching(/Verdict\/StateMachine\/Role\/DefaultPolicy\/Resource: AwsSolutions-IAM5(\[Resource::\*\])?$/),
    ]);
  });

  // What the app grants the guard's role once the guard is acknowledged raises the findings of the guard's own.
  test.each<[string, string, (guard: ShadowTestGuard) => void]>([
    ['kms:GenerateDataKey* on another key', 'Action::kms:GenerateDataKey*', (guard) => guard.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kms:GenerateDataKey*'], resources: [new kms.Key(guard, 'OtherKey').keyArn] }))],
    ['the grant of another topic\'s key, as the guard grants its own', 'Action::kms:GenerateDataKey*', (guard) =>
      new kms.Key(guard, 'OtherTopicKey').grant(guard.stateMachine, 'kms:Decrypt', 'kms:GenerateDataKey*')],
    ['an action on every resource', 'Resource::*', (guard) => guard.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sagemaker:ListInferenceExperiments'], resources: ['*'] }))],
    ['a log delivery action of its own', 'Resource::*', (guard) => guard.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['logs:DescribeLogGroups'], resources: ['*'] }))],
  ])("acknowledgeDocumentedWildcards() leaves %s, granted to a guard's role afterwards, reported", (_, finding, grant) => {
    const stack = new Stack(new App(), 'GrantedAfterwards', { env: ENV });
    const guard = guardOf(stack);
    NagAcknowledgements.acknowledgeDocumentedWildcards(stack);
    grant(guard);

    expect(findingsOf(stack).filter((f) => /Guard\/StateMachine\//.test(f)))
      .toEqual([`GrantedAfterwards/Guard/StateMachine/Role/DefaultPolicy/Resource: AwsSolutions-IAM5[${finding}]`]);
  });

  test("acknowledgeDocumentedWildcards() leaves the same wildcards, granted to an experiment's role afterwards, reported", () => {
    const parts = new ShadowTestParts(new Stack(new App(), 'GrantedAfterwards', { env: ENV }));
    const key = new kms.Key(parts.stack, 'Key');
    const experiment = parts.experiment({
      dataCapture: DataCapture.toBucket(new s3.Bucket(parts.stack, 'Captures', { encryptionKey: key }), { prefix: 'captures/', encryptionKey: key }),
    });
    NagAcknowledgements.acknowledgeDocumentedWildcards(parts.stack);
    // The app's own use of another encrypted bucket, which raises the findings of the capture's grants.
    const other = new s3.Bucket(parts.stack, 'Other', { encryptionKey: new kms.Key(parts.stack, 'OtherKey') });
    other.grantPut(experiment);

    const reported = findingsOf(parts.stack);
    expect(reported.filter((f) => ON_LIBRARY_POLICY.test(f))).toEqual([]);
    expect(reported.filter((f) => /Experiment\/Role\/DefaultPolicy\//.test(f)).sort()).toEqual([
      expect.stringMatching(/AwsSolutions-IAM5\[Action::kms:GenerateDataKey\*\]$/),
      expect.stringMatching(/AwsSolutions-IAM5\[Action::kms:ReEncrypt\*\]$/),
      expect.stringMatching(/AwsSolutions-IAM5\[Action::s3:Abort\*\]$/),
      expect.stringMatching(/AwsSolutions-IAM5\[Resource::<Other[0-9A-F]{8}\.Arn>\/\*\]$/),
    ]);
  });

  test('acknowledging the experiments of a stack lets more experiments share their roles afterwards', () => {
    const parts = new ShadowTestParts(new Stack(new App(), 'SharedRole', { env: ENV }));
    parts.experiment({ role: parts.role });
    NagAcknowledgements.acknowledgeDocumentedWildcards(parts.stack);
    parts.experiment({ role: parts.role, endpoint: parts.newEndpoint('SecondEndpoint') }, 'Second');

    expect(findingsOf(parts.stack).filter((f) => ON_LIBRARY_POLICY.test(f))).toEqual([]);
  });

  test('a reason must be long enough for cdk-nag 2', () => {
    expect(() => NagAcknowledgements.acknowledge(new Stack(), [{ id: 'AwsSolutions-S1', reason: 'short' }]))
      .toThrow(/acknowledgements\[0\]\.reason: got "short"; must be at least 10 characters long/);
  });
});
