import { aws_iam as iam, aws_sagemaker as sagemaker, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { aws_sagemaker as sagemakerRefs } from 'aws-cdk-lib/interfaces';
import { InferenceExperiment, InferenceExperimentGrants } from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';

// The actions that AWS lists per operation of AWS::SageMaker::InferenceExperiment (registry schema `handlers`).
const EXPECTED = {
  create: ['sagemaker:AddTags', 'sagemaker:CreateInferenceExperiment', 'sagemaker:DescribeInferenceExperiment', 'sagemaker:ListTags'],
  read: ['sagemaker:DescribeInferenceExperiment', 'sagemaker:ListTags'],
  update: [
    'sagemaker:AddTags', 'sagemaker:DeleteTags', 'sagemaker:DescribeInferenceExperiment', 'sagemaker:ListTags',
    'sagemaker:StartInferenceExperiment', 'sagemaker:StopInferenceExperiment', 'sagemaker:UpdateInferenceExperiment',
  ],
  delete: ['sagemaker:DeleteInferenceExperiment', 'sagemaker:DescribeInferenceExperiment', 'sagemaker:ListTags', 'sagemaker:StopInferenceExperiment'],
  start: 'sagemaker:StartInferenceExperiment',
  stop: 'sagemaker:StopInferenceExperiment',
};

const ROLE_ARN = 'arn:aws:iam::123456789012:role/shadow-test';

interface Case {
  /** Defines an experiment, and returns its grants and the ARN that IAM statements should name. */
  readonly define: (stack: Stack) => { grants: InferenceExperimentGrants; arn: unknown; roleArn?: unknown };
}

function experimentArn(name: string): object {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:sagemaker:us-east-1:123456789012:inference-experiment/${name}`]] };
}

const CASES: Record<string, Case> = {
  'an InferenceExperiment': {
    define: (stack) => {
      const parts = new ShadowTestParts(stack);
      const experiment = parts.experiment({
        role: iam.Role.fromRoleArn(stack, 'ExperimentRole', ROLE_ARN),
        inferenceExperimentName: 'Candidate-V2',
      });
      // Formatted from the name, with no reference to the experiment itself; in both cases, since AWS does not
      // document whether SageMaker writes the name in lower case in the ARN.
      return { grants: experiment.grants, arn: [experimentArn('candidate-v2'), experimentArn('Candidate-V2')], roleArn: ROLE_ARN };
    },
  },
  'a CfnInferenceExperiment': {
    define: (stack) => {
      const cfn = new sagemaker.CfnInferenceExperiment(stack, 'Cfn', {
        name: 'cfn-experiment',
        type: 'ShadowMode',
        roleArn: ROLE_ARN,
        endpointName: 'endpoint',
        modelVariants: [{
          modelName: 'model',
          variantName: 'production',
          infrastructureConfig: { infrastructureType: 'RealTimeInference', realTimeInferenceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1 } },
        }],
      });
      return { grants: InferenceExperimentGrants.fromInferenceExperiment(cfn), arn: { 'Fn::GetAtt': ['Cfn', 'Arn'] }, roleArn: ROLE_ARN };
    },
  },
  'an experiment imported by name with its role': {
    define: (stack) => {
      const experiment = InferenceExperiment.fromInferenceExperimentAttributes(stack, 'Imported', {
        inferenceExperimentName: 'Imported-Experiment',
        role: iam.Role.fromRoleArn(stack, 'ImportedRole', ROLE_ARN),
      });
      return {
        grants: experiment.grants,
        arn: [experimentArn('imported-experiment'), experimentArn('Imported-Experiment')],
        roleArn: ROLE_ARN,
      };
    },
  },
  'an experiment of the app with a generated name, in lower case': {
    define: (stack) => {
      const experiment = new ShadowTestParts(stack).experiment({ role: iam.Role.fromRoleArn(stack, 'ExperimentRole', ROLE_ARN) });
      // One form: the generated name has no upper-case letter.
      const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, expect.stringMatching(/:inference-experiment\/[a-z0-9-]+$/)]] };
      return { grants: experiment.grants, arn, roleArn: ROLE_ARN };
    },
  },
  'an L1 reference by a mixed-case name': {
    define: (stack) => {
      const reference = sagemaker.CfnInferenceExperiment.fromInferenceExperimentName(stack, 'L1Reference', 'Shadow-Test-A');
      return { grants: InferenceExperimentGrants.fromInferenceExperiment(reference), arn: [experimentArn('shadow-test-a'), experimentArn('Shadow-Test-A')] };
    },
  },
  'an experiment imported by a mixed-case ARN': {
    define: (stack) => {
      const arn = 'arn:aws:sagemaker:us-east-1:123456789012:inference-experiment/By-Arn';
      return {
        grants: InferenceExperiment.fromInferenceExperimentArn(stack, 'ByArn', arn).grants,
        arn: [
          'arn:aws:sagemaker:us-east-1:123456789012:inference-experiment/by-arn',
          'arn:aws:sagemaker:us-east-1:123456789012:inference-experiment/By-Arn',
        ],
      };
    },
  },
  'an experiment imported by ARN': {
    define: (stack) => {
      const arn = 'arn:aws:sagemaker:us-east-1:123456789012:inference-experiment/by-arn';
      return { grants: InferenceExperiment.fromInferenceExperimentArn(stack, 'ByArn', arn).grants, arn };
    },
  },
};

/** The statements of the grantee's policy. */
function statementsOf(stack: Stack): any[] {
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: stack.resolve((stack.node.findChild('Grantee').node.defaultChild as iam.CfnRole).logicalId) }] },
  }));
  expect(policies).toHaveLength(1);
  return policies[0].Properties.PolicyDocument.Statement;
}

function setup(name: string): { stack: Stack; grantee: iam.Role; defined: ReturnType<Case['define']> } {
  const stack = newStack();
  const defined = CASES[name].define(stack);
  const grantee = new iam.Role(stack, 'Grantee', { assumedBy: new iam.AccountRootPrincipal() });
  return { stack, grantee, defined };
}

describe.each(Object.keys(CASES))('InferenceExperimentGrants on %s', (name) => {
  test.each(['read', 'update', 'delete'] as const)('%s() grants exactly the listed actions on the experiment', (operation) => {
    const { stack, grantee, defined } = setup(name);
    defined.grants[operation](grantee);
    expect(statementsOf(stack)).toEqual([{ Action: EXPECTED[operation], Effect: 'Allow', Resource: defined.arn }]);
  });

  test.each(['start', 'stop'] as const)('%s() grants its one action on the experiment', (operation) => {
    const { stack, grantee, defined } = setup(name);
    defined.grants[operation](grantee);
    expect(statementsOf(stack)).toEqual([{ Action: EXPECTED[operation], Effect: 'Allow', Resource: defined.arn }]);
  });

  test('list() grants ListInferenceExperiments, which has no resource-level permissions', () => {
    const { stack, grantee, defined } = setup(name);
    defined.grants.list(grantee);
    expect(statementsOf(stack)).toEqual([{ Action: 'sagemaker:ListInferenceExperiments', Effect: 'Allow', Resource: '*' }]);
  });

  test('actions() grants the given actions, sorted, on the experiment', () => {
    const { stack, grantee, defined } = setup(name);
    defined.grants.actions(grantee, 'sagemaker:UpdateInferenceExperiment', 'sagemaker:AddTags');
    expect(statementsOf(stack)).toEqual([{
      Action: ['sagemaker:AddTags', 'sagemaker:UpdateInferenceExperiment'], Effect: 'Allow', Resource: defined.arn,
    }]);
  });

  test('create() grants the listed actions on the experiment, and PassRole on its role to SageMaker only', () => {
    const { stack, grantee, defined } = setup(name);
    if (defined.roleArn === undefined) {
      expect(() => defined.grants.create(grantee)).toThrow(/role of the inference experiment .* is not known.*fromInferenceExperimentAttributes/);
      return;
    }
    defined.grants.create(grantee);
    expect(statementsOf(stack)).toEqual([
      { Action: EXPECTED.create, Effect: 'Allow', Resource: defined.arn },
      {
        Action: 'iam:PassRole',
        Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
        Effect: 'Allow',
        Resource: defined.roleArn,
      },
    ]);
  });
});

describe('imports', () => {
  test('fromInferenceExperimentName() formats the ARN in the stack\'s account and region, with the name in lower case', () => {
    const stack = newStack();
    const experiment = InferenceExperiment.fromInferenceExperimentName(stack, 'Imported', 'My-Experiment');
    expect(experiment.inferenceExperimentName).toBe('My-Experiment');
    expect(stack.resolve(experiment.inferenceExperimentArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-1:123456789012:inference-experiment/my-experiment']],
    });
    expect(InferenceExperiment.isInferenceExperiment(experiment)).toBe(false);
  });

  test('fromInferenceExperimentArn() reads the name and the environment from the ARN', () => {
    const stack = newStack();
    const experiment = InferenceExperiment.fromInferenceExperimentArn(stack, 'Imported',
      'arn:aws:sagemaker:eu-west-1:210987654321:inference-experiment/by-arn');
    expect(experiment.inferenceExperimentName).toBe('by-arn');
    expect(experiment.env).toEqual({ account: '210987654321', region: 'eu-west-1' });
    const reference: sagemakerRefs.InferenceExperimentReference = experiment.inferenceExperimentRef;
    expect(reference).toEqual({ inferenceExperimentName: 'by-arn', inferenceExperimentArn: experiment.inferenceExperimentArn });
  });

  test('fromInferenceExperimentAttributes() keeps a mixed-case name given with the ARN', () => {
    const stack = newStack();
    const experiment = InferenceExperiment.fromInferenceExperimentAttributes(stack, 'Imported', {
      inferenceExperimentName: 'My-Experiment',
      inferenceExperimentArn: 'arn:aws:sagemaker:us-east-1:123456789012:inference-experiment/my-experiment',
    });
    expect(experiment.inferenceExperimentName).toBe('My-Experiment');
  });

  test('fails without a name or an ARN', () => {
    expect(() => InferenceExperiment.fromInferenceExperimentAttributes(newStack(), 'Imported', {}))
      .toThrow(/Cannot import the inference experiment 'Imported': give its inferenceExperimentName, its inferenceExperimentArn, or both/);
  });
});
