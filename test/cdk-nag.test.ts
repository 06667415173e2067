import { App, Aspects, aws_iam as iam } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ShadowTestStack } from '../examples/shadow-test-stack';

function findingsOf(stack: ShadowTestStack): string[] {
  Aspects.of(stack).add(new AwsSolutionsChecks());
  const annotations = Annotations.fromStack(stack);
  const nag = Match.stringLikeRegexp('AwsSolutions-.*');
  return [...annotations.findError('*', nag), ...annotations.findWarning('*', nag)]
    .map((finding) => `${finding.id}: ${/^AwsSolutions-[A-Za-z0-9]+(\[[^\]]*\])?/.exec(String(finding.entry.data))?.[0]}`);
}

describe('cdk-nag AwsSolutions', () => {
  test('the example app has no error and no warning', () => {
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
});
