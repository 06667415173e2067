import { aws_iam as iam } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ExistingEndpoint } from '../src';
import { newStack } from './helpers/fixtures';

describe('ExistingEndpoint', () => {
  test('keeps the name as given and lower-cases it in the ARN, as SageMaker does', () => {
    const stack = newStack();
    const endpoint = ExistingEndpoint.fromEndpointName(stack, 'Endpoint', 'Prod-Endpoint');

    expect(endpoint.endpointName).toBe('Prod-Endpoint');
    expect(stack.resolve(endpoint.endpointArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-1:123456789012:endpoint/prod-endpoint']],
    });
    expect(endpoint.endpointRef.endpointArn).toBe(endpoint.endpointArn);
  });

  test('grantInvoke() allows InvokeEndpoint on the endpoint only', () => {
    const stack = newStack();
    const endpoint = ExistingEndpoint.fromEndpointName(stack, 'Endpoint', 'prod');
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });

    endpoint.grantInvoke(role);

    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Action: 'sagemaker:InvokeEndpoint',
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-1:123456789012:endpoint/prod']] },
        }],
      },
    });
  });
});
