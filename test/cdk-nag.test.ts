/*
 * cdk-nag's AwsSolutions pack on the example app, with the cdk-nag that the suite runs with: cdk-nag 2 on the
 * aws-cdk-lib floor (an Aspect that writes annotations), cdk-nag 3 on the newest aws-cdk-lib (a validation plugin,
 * run here on the app directly). The app acknowledges its findings with NagAcknowledgements, which serves both.
 */
import { App, Aspects, aws_iam as iam, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as nag from 'cdk-nag';
import { ShadowTestStack } from '../examples/shadow-test-stack';
import { NagAcknowledgements, ShadowTestGuard } from '../src';
import { ShadowTestParts } from './helpers/fixtures';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the version of the cdk-nag that the suite runs with
const NAG_MAJOR = Number(require('cdk-nag/package.json').version.split('.')[0]);

/** Every AwsSolutions finding that is not acknowledged, as `path: rule[finding]`. */
function findingsOf(stack: Stack): string[] {
  const checks: any = new nag.AwsSolutionsChecks();
  if (NAG_MAJOR >= 3) {
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
    const parts = new ShadowTestParts(new Stack(new App(), 'Acknowledged', { env: { account: '123456789012', region: 'us-east-1' } }));
    const experiment = parts.experiment(parts.fullProps());
    NagAcknowledgements.acknowledgeDocumentedWildcards(experiment);
    const ours = (finding: string) => /Experiment\/(ShadowTestPolicy|DataCapturePolicy)\//.test(finding);
    expect(findingsOf(parts.stack).filter(ours)).toEqual([]);

    const other = new ShadowTestParts(new Stack(new App(), 'NotAcknowledged', { env: { account: '123456789012', region: 'us-east-1' } }));
    other.experiment(other.fullProps());
    expect(findingsOf(other.stack).filter(ours)).toEqual(expect.arrayContaining([
      expect.stringMatching(/ShadowTestPolicy\/Resource: AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:sagemaker:us-east-1:123456789012:endpoint-config\/\*\]/),
      expect.stringMatching(/DataCapturePolicy\/Resource: AwsSolutions-IAM5\[Action::s3:Abort\*\]/),
    ]));
  });

  test("acknowledgeDocumentedWildcards() leaves a wildcard added to a guard's state machine reported", () => {
    const guardOf = (stack: Stack) => {
      const parts = new ShadowTestParts(stack);
      const experiment = parts.experiment();
      return new ShadowTestGuard(stack, 'Guard', { experiment, alarms: [experiment.metrics.createDiskUtilizationAlarm(stack, 'Disk')] });
    };
    const ours = (finding: string) => /Guard\//.test(finding);
    const env = { account: '123456789012', region: 'us-east-1' };

    const acknowledged = new Stack(new App(), 'Acknowledged', { env });
    guardOf(acknowledged);
    NagAcknowledgements.acknowledgeDocumentedWildcards(acknowledged);
    expect(findingsOf(acknowledged).filter(ours)).toEqual([]);

    const widened = new Stack(new App(), 'Widened', { env });
    guardOf(widened).stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['sagemaker:StopInferenceExperiment'], resources: ['*'] }));
    NagAcknowledgements.acknowledgeDocumentedWildcards(widened);
    expect(findingsOf(widened).filter(ours)).toEqual([
      expect.stringMatching(/Guard\/StateMachine\/Role\/DefaultPolicy\/Resource: AwsSolutions-IAM5(\[Resource::\*\])?$/),
    ]);
  });

  test('a reason must be long enough for cdk-nag 2', () => {
    expect(() => NagAcknowledgements.acknowledge(new Stack(), [{ id: 'AwsSolutions-S1', reason: 'short' }]))
      .toThrow(/acknowledgements\[0\]\.reason: got "short"; must be at least 10 characters long/);
  });
});
