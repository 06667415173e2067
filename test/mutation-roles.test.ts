/*
 * Which trust policies of a given role the experiment accepts (src/private/roles.ts): SageMaker must be able to
 * assume the role, read from the trust policy as the template holds it; a policy that cannot be read at synth time is
 * accepted. Written from the survivors of mutation testing (`npx projen mutation`).
 */
import { aws_iam as iam, CfnParameter } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DataCapture } from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';

const SAGEMAKER = { Service: 'sagemaker.amazonaws.com' };
const LAMBDA = { Service: 'lambda.amazonaws.com' };
const REFUSED = /role: got 'TestStack\/GivenRole', whose trust policy does not let sagemaker.amazonaws.com call sts:AssumeRole/;

/** Synthesizes an experiment whose given role's trust policy is overridden with `statements`. */
function synthWithTrust(...statements: object[]): () => void {
  return () => {
    const parts = new ShadowTestParts(newStack());
    if (JSON.stringify(statements).includes('ServiceParameter')) {
      // The parameter that a trust policy names its service with.
      new CfnParameter(parts.stack, 'ServiceParameter', { type: 'String', default: 'sagemaker.amazonaws.com' });
    }
    const role = new iam.Role(parts.stack, 'GivenRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    (role.node.defaultChild as iam.CfnRole).addPropertyOverride('AssumeRolePolicyDocument', { Version: '2012-10-17', Statement: statements });
    parts.experiment({ role });
    Template.fromStack(parts.stack);
  };
}

describe('the trust policy of a given role', () => {
  test.each<[string, object[]]>([
    ['sts:AssumeRole for SageMaker', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: SAGEMAKER }]],
    ['sts:AssumeRole among other actions', [{ Effect: 'Allow', Action: ['sts:TagSession', 'sts:AssumeRole'], Principal: SAGEMAKER }]],
    ['sts:*', [{ Effect: 'Allow', Action: 'sts:*', Principal: SAGEMAKER }]],
    ['every action', [{ Effect: 'Allow', Action: '*', Principal: SAGEMAKER }]],
    ['every principal', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: '*' }]],
    ['SageMaker among other services', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['lambda.amazonaws.com', 'sagemaker.amazonaws.com'] } }]],
    ['SageMaker in a second statement', [
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: LAMBDA },
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: SAGEMAKER },
    ]],
    ['a service known at deploy time (Fn::Join)', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: { 'Fn::Join': ['', ['sagemaker.', { Ref: 'AWS::URLSuffix' }]] } } }]],
    ['a service known at deploy time (Ref)', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: { Ref: 'ServiceParameter' } } }]],
  ])('that allows %s is accepted', (_, statements) => {
    expect(synthWithTrust(...statements)).not.toThrow(REFUSED);
  });

  test.each<[string, object[]]>([
    ['only another service', [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: LAMBDA }]],
    ['SageMaker, but denied', [{ Effect: 'Deny', Action: 'sts:AssumeRole', Principal: SAGEMAKER }]],
    ['SageMaker another action only', [{ Effect: 'Allow', Action: 'sts:TagSession', Principal: SAGEMAKER }]],
    ['another service, then a statement without a principal', [
      { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: LAMBDA },
      { Effect: 'Allow', Action: 'sts:AssumeRole' },
    ]],
    ['no statement', []],
  ])('that allows %s is refused', (_, statements) => {
    expect(synthWithTrust(...statements)).toThrow(REFUSED);
  });
});

describe('a model whose execution role is given by a literal ARN', () => {
  test('has a role outside the app: the experiment synthesizes, and grants that role nothing', () => {
    const parts = new ShadowTestParts(newStack());
    parts.candidateModel.executionRoleArn = 'arn:aws:iam::123456789012:role/candidate-model';
    parts.experiment({ dataCapture: DataCapture.toS3Uri('s3://captures-123456789012/shadow/') });
    const template = Template.fromStack(parts.stack);
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('candidate-model');
  });
});
