import { App, aws_iam as iam, aws_sagemaker as sagemaker, Resource, Stack, Tags } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { aws_sagemaker as sagemakerRefs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import {
  ExistingEndpoint,
  ExistingModel,
  InferenceExperiment,
  InstanceType,
  ModelVariant,
  ShadowModeConfig,
} from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';

const EXPERIMENT = 'AWS::SageMaker::InferenceExperiment';

/** The logical IDs that a resource's properties refer to, by Ref or Fn::GetAtt. */
function referencedBy(resource: any): string[] {
  const ids: string[] = [];
  JSON.stringify(resource.Properties, (key, value) => {
    if (key === 'Ref' && typeof value === 'string') {
      ids.push(value);
    } else if (key === 'Fn::GetAtt') {
      ids.push(value[0]);
    }
    return value;
  });
  return ids;
}

/** The logical IDs that CloudFormation creates before a resource: those it refers to, and those it depends on. */
function waitedForBy(resource: any): string[] {
  return [...referencedBy(resource), ...(resource.DependsOn ?? [])];
}

describe('InferenceExperiment', () => {
  test('writes ModelVariants and ShadowModeConfig from one ShadowModeConfig', () => {
    // GIVEN
    const parts = new ShadowTestParts(newStack());

    // WHEN
    parts.experiment({
      shadowMode: ShadowModeConfig.of({
        production: parts.production({ variantName: 'prod-a' }),
        shadow: parts.shadow({ variantName: 'shadow-b', instanceType: InstanceType.ML_G5_2XLARGE, instanceCount: 3 }),
        samplingPercentage: 25,
      }),
    });

    // THEN
    Template.fromStack(parts.stack).hasResourceProperties(EXPERIMENT, {
      Type: 'ShadowMode',
      EndpointName: { 'Fn::GetAtt': ['Endpoint', 'EndpointName'] },
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExperimentRole'), 'Arn'] },
      ModelVariants: [
        {
          ModelName: { 'Fn::GetAtt': ['ProductionModel', 'ModelName'] },
          VariantName: 'prod-a',
          InfrastructureConfig: {
            InfrastructureType: 'RealTimeInference',
            RealTimeInferenceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1 },
          },
        },
        {
          ModelName: { 'Fn::GetAtt': ['CandidateModel', 'ModelName'] },
          VariantName: 'shadow-b',
          InfrastructureConfig: {
            InfrastructureType: 'RealTimeInference',
            RealTimeInferenceConfig: { InstanceType: 'ml.g5.2xlarge', InstanceCount: 3 },
          },
        },
      ],
      ShadowModeConfig: {
        SourceModelVariantName: 'prod-a',
        ShadowModelVariants: [{ ShadowModelVariantName: 'shadow-b', SamplingPercentage: 25 }],
      },
    });
  });

  test('leaves out every optional property that is not set', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment();

    const properties = Object.keys(Template.fromStack(parts.stack).findResources(EXPERIMENT)).map(
      (id) => Object.keys(Template.fromStack(parts.stack).toJSON().Resources[id].Properties).sort());
    expect(properties).toEqual([['EndpointName', 'ModelVariants', 'Name', 'RoleArn', 'ShadowModeConfig', 'Type']]);
  });

  test('generates a unique name that satisfies the API pattern when none is given', () => {
    const stack = newStack();
    const parts = new ShadowTestParts(stack);
    const scope = new Construct(stack, '_Team.Models_');
    const first = new InferenceExperiment(scope, 'First', parts.minimalProps());
    const second = new InferenceExperiment(scope, '-Second-', { ...parts.minimalProps(), endpoint: parts.newEndpoint('OtherEndpoint') });

    const names = Object.values(Template.fromStack(stack).findResources(EXPERIMENT)).map((r) => r.Properties.Name);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    for (const name of names) {
      expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}$/);
    }
    expect(stack.resolve(first.inferenceExperimentName)).toEqual({ Ref: expect.stringMatching(/First/) });
    expect(stack.resolve(second.inferenceExperimentName)).toEqual({ Ref: expect.stringMatching(/Second/) });
  });

  test('keeps a generated name within 120 characters for a deep construct path', () => {
    const stack = newStack();
    const parts = new ShadowTestParts(stack);
    let scope: Construct = stack;
    for (let i = 0; i < 10; i++) {
      scope = new Construct(scope, `AVeryLongConstructIdThatRepeatsItself${i}`);
    }
    new InferenceExperiment(scope, 'Experiment', parts.minimalProps());

    const [name] = Object.values(Template.fromStack(stack).findResources(EXPERIMENT)).map((r) => r.Properties.Name);
    expect(name.length).toBeLessThanOrEqual(120);
    expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}$/);
  });

  test('uses the given name and exposes the name and ARN attributes', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment({ inferenceExperimentName: 'My-Experiment' });

    Template.fromStack(parts.stack).hasResourceProperties(EXPERIMENT, { Name: 'My-Experiment' });
    const resolve = (value: unknown) => parts.stack.resolve(value);
    const logicalId = resolve((experiment.node.defaultChild as sagemaker.CfnInferenceExperiment).logicalId);
    // The ARN is formatted from the name, in lower case as SageMaker writes it, so that grants on it do not wait for
    // the experiment.
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-1:123456789012:inference-experiment/my-experiment']] };
    expect(resolve(experiment.inferenceExperimentName)).toEqual({ Ref: logicalId });
    expect(resolve(experiment.inferenceExperimentArn)).toEqual(arn);
    expect(resolve(experiment.inferenceExperimentRef)).toEqual({ inferenceExperimentName: { Ref: logicalId }, inferenceExperimentArn: arn });
  });

  test('exposes the read-only attributes', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment();
    const getAtt = (attribute: string) => ({ 'Fn::GetAtt': [expect.stringMatching(/^Experiment/), attribute] });

    const resolve = (value: string) => parts.stack.resolve(value);
    expect(resolve(experiment.inferenceExperimentStatus)).toEqual(getAtt('Status'));
    expect(resolve(experiment.inferenceExperimentCreationTime)).toEqual(getAtt('CreationTime'));
    expect(resolve(experiment.inferenceExperimentLastModifiedTime)).toEqual(getAtt('LastModifiedTime'));
    expect(resolve(experiment.inferenceExperimentEndpointName)).toEqual(getAtt('EndpointMetadata.EndpointName'));
    expect(resolve(experiment.inferenceExperimentEndpointConfigName)).toEqual(getAtt('EndpointMetadata.EndpointConfigName'));
    expect(resolve(experiment.inferenceExperimentEndpointStatus)).toEqual(getAtt('EndpointMetadata.EndpointStatus'));
  });

  test('formats a lower-case ARN for a mixed-case name referenced from another environment', () => {
    const app = new App();
    const producer = new Stack(app, 'Producer', { env: { account: '111111111111', region: 'us-east-1' } });
    const consumer = new Stack(app, 'Consumer', { env: { account: '222222222222', region: 'eu-west-1' } });
    const parts = new ShadowTestParts(producer);
    const experiment = parts.experiment({ inferenceExperimentName: 'Mixed-Case-Name' });

    new iam.Role(consumer, 'Reader', {
      assumedBy: new iam.AccountRootPrincipal(),
      inlinePolicies: {
        read: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['sagemaker:DescribeInferenceExperiment'], resources: [experiment.inferenceExperimentArn] })],
        }),
      },
    });

    Template.fromStack(consumer).hasResourceProperties('AWS::IAM::Role', {
      Policies: [{
        PolicyDocument: {
          Statement: [Match.objectLike({
            Resource: {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sagemaker:us-east-1:111111111111:inference-experiment/mixed-case-name']],
            },
          })],
        },
      }],
    });
  });

  test('takes any role that can receive grants, and refuses one that cannot with an error that says how to fix it', () => {
    const parts = new ShadowTestParts(newStack());
    const imported = iam.Role.fromRoleArn(parts.stack, 'Imported', 'arn:aws:iam::123456789012:role/shadow-test');
    expect(() => parts.experiment({ role: imported }, 'WithImportedRole')).not.toThrow();

    // A CfnRole is an iam.IRoleRef, which every jsii language lets through, but it cannot receive grants.
    const cfnRole = new iam.CfnRole(parts.stack, 'CfnRole', {
      assumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    });
    expect(() => parts.experiment({ role: cfnRole }, 'WithCfnRole')).toThrow(
      "role: got the construct 'TestStack/CfnRole'; expects an iam.IRole, which can receive grants, such as an iam.Role " +
      'of the app or iam.Role.fromRoleArn(); an iam.CfnRole cannot: import it with iam.Role.fromRoleArn(scope, id, cfnRole.attrArn)');
  });

  test('is recognized by isInferenceExperiment, unlike other constructs', () => {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment();

    expect(InferenceExperiment.isInferenceExperiment(experiment)).toBe(true);
    expect(InferenceExperiment.isInferenceExperiment(parts.endpoint)).toBe(false);
    expect(InferenceExperiment.isInferenceExperiment(undefined)).toBe(false);
    expect(InferenceExperiment.isInferenceExperiment('Experiment')).toBe(false);
  });

  describe('orders the experiment after what it needs', () => {
    test('the endpoint, both models and the role, defined in the same stack', () => {
      const parts = new ShadowTestParts(newStack());
      parts.experiment({ role: parts.role });
      // A policy the role receives after the experiment is defined must still be in place before it is created.
      parts.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sagemaker:DescribeEndpoint'], resources: ['*'] }));

      const [experiment] = Object.values(Template.fromStack(parts.stack).findResources(EXPERIMENT));
      const waitedFor = waitedForBy(experiment);
      for (const prerequisite of ['Endpoint', 'ProductionModel', 'CandidateModel', /^Role[0-9A-F]{8}$/, /^RoleDefaultPolicy/, /^ShadowTestRolePolicies/]) {
        expect(waitedFor).toContainEqual(typeof prerequisite === 'string' ? prerequisite : expect.stringMatching(prerequisite));
      }
      // What a reference already orders is not repeated in DependsOn (cfn-lint W3005).
      expect(experiment.DependsOn.filter((id: string) => referencedBy(experiment).includes(id))).toEqual([]);
    });

    test('an endpoint and models whose names are literals', () => {
      const stack = newStack();
      const parts = new ShadowTestParts(stack);
      const model = new sagemaker.CfnModel(stack, 'NamedModel', { modelName: 'named-model', executionRoleArn: 'arn:aws:iam::123456789012:role/model-role' });
      const endpoint = new NamedEndpoint(stack, 'NamedEndpoint', 'named-endpoint');

      parts.experiment({
        endpoint,
        shadowMode: ShadowModeConfig.of({
          production: parts.production(),
          shadow: ModelVariant.realTime({ variantName: 'shadow', model, instanceType: InstanceType.ML_M5_LARGE }),
          samplingPercentage: 10,
        }),
      });

      const template = Template.fromStack(stack);
      template.hasResourceProperties(EXPERIMENT, { EndpointName: 'named-endpoint' });
      const [experiment] = Object.values(template.findResources(EXPERIMENT));
      // The L2's literal name refers to nothing, so the experiment depends on its resource; the model is referenced.
      expect(experiment.DependsOn).toContainEqual(expect.stringMatching(/^NamedEndpoint[0-9A-F]{8}$/));
      expect(referencedBy(experiment)).toContain('NamedModel');
      expect(experiment.DependsOn).not.toContain('NamedModel');
    });
  });

  describe('accepts the endpoint as', () => {
    test('a CfnEndpoint, by its EndpointName attribute', () => {
      const parts = new ShadowTestParts(newStack());
      parts.experiment();
      Template.fromStack(parts.stack).hasResourceProperties(EXPERIMENT, {
        EndpointName: { 'Fn::GetAtt': ['Endpoint', 'EndpointName'] },
      });
    });

    test('an aws_sagemaker.IEndpoint, by its endpointName', () => {
      const stack = newStack();
      const parts = new ShadowTestParts(stack);
      const endpoint: sagemaker.IEndpoint = new NamedEndpoint(stack, 'L2Endpoint', 'MixedCase-Endpoint');
      parts.experiment({ endpoint });
      Template.fromStack(stack).hasResourceProperties(EXPERIMENT, { EndpointName: 'MixedCase-Endpoint' });
    });

    test('an existing endpoint referenced by name, keeping its case', () => {
      const stack = newStack();
      const parts = new ShadowTestParts(stack);
      parts.experiment({ endpoint: ExistingEndpoint.fromEndpointName(stack, 'Existing', 'Prod-Endpoint') });
      Template.fromStack(stack).hasResourceProperties(EXPERIMENT, { EndpointName: 'Prod-Endpoint' });
    });

    test('fails for a reference that exposes only an ARN', () => {
      const stack = newStack();
      const parts = new ShadowTestParts(stack);
      const arnOnly = new ArnOnlyEndpoint(stack, 'ArnOnly');
      expect(() => parts.experiment({ endpoint: arnOnly })).toThrow(
        /endpoint: got 'TestStack\/ArnOnly', which exposes only its ARN; .*pass a CfnEndpoint, an aws_sagemaker.IEndpoint or ExistingEndpoint.fromEndpointName\(\)/);
    });
  });

  describe('accepts a model as', () => {
    test('an existing model referenced by name, keeping its case', () => {
      const stack = newStack();
      const parts = new ShadowTestParts(stack);
      const model = ExistingModel.fromModelName(stack, 'Existing', 'Candidate-Model-V2');
      parts.experiment({
        shadowMode: ShadowModeConfig.of({
          production: parts.production(),
          shadow: ModelVariant.realTime({ variantName: 'candidate', model, instanceType: InstanceType.ML_M5_LARGE }),
          samplingPercentage: 100,
        }),
      });
      Template.fromStack(stack).hasResourceProperties(EXPERIMENT, {
        ModelVariants: [Match.anyValue(), Match.objectLike({ ModelName: 'Candidate-Model-V2' })],
      });
    });

    test('fails for a reference that exposes only an ARN', () => {
      const stack = newStack();
      const parts = new ShadowTestParts(stack);
      const model = new ArnOnlyModel(stack, 'ArnOnlyModel');
      expect(() => parts.experiment({
        shadowMode: ShadowModeConfig.of({
          production: parts.production(),
          shadow: ModelVariant.realTime({ variantName: 'candidate', model, instanceType: InstanceType.ML_M5_LARGE }),
          samplingPercentage: 100,
        }),
      })).toThrow(/shadowMode.shadow.model: got 'TestStack\/ArnOnlyModel', which exposes only its ARN; .*pass a CfnModel or ExistingModel.fromModelName\(\)/);
    });
  });

  describe('tags', () => {
    test('are passed from props and from Tags.of()', () => {
      const parts = new ShadowTestParts(newStack());
      const experiment = parts.experiment({ tags: { team: 'ml' } });
      Tags.of(experiment).add('stage', 'beta');

      Template.fromStack(parts.stack).hasResourceProperties(EXPERIMENT, {
        Tags: [{ Key: 'stage', Value: 'beta' }, { Key: 'team', Value: 'ml' }],
      });
    });

    test('fails at synth when Tags.of() adds more than 50', () => {
      const parts = new ShadowTestParts(newStack());
      const experiment = parts.experiment({ tags: { team: 'ml' } });
      for (let i = 0; i < 50; i++) {
        Tags.of(experiment).add(`tag${i}`, 'value');
      }
      expect(() => Template.fromStack(parts.stack)).toThrow(/tags: got 51 tags; a resource can have at most 50 tags/);
    });

    test('fails at synth when Tags.of() adds a tag whose value has a character AWS forbids', () => {
      const parts = new ShadowTestParts(newStack());
      const experiment = parts.experiment();
      Tags.of(experiment).add('owner', 'a&b');
      expect(() => Template.fromStack(parts.stack)).toThrow(/tags\["owner"\] value: got "a&b"; must match/);
    });
  });
});

/** An L2-style endpoint that exposes its name, like any aws_sagemaker.IEndpoint. */
class NamedEndpoint extends Resource implements sagemaker.IEndpoint {
  public readonly endpointArn: string;

  constructor(scope: Construct, id: string, public readonly endpointName: string) {
    super(scope, id);
    new sagemaker.CfnEndpoint(this, 'Resource', { endpointConfigName: 'config', endpointName });
    this.endpointArn = `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${endpointName.toLowerCase()}`;
  }

  public get endpointRef(): sagemakerRefs.EndpointReference {
    return { endpointArn: this.endpointArn };
  }

  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['sagemaker:InvokeEndpoint'], resourceArns: [this.endpointArn] });
  }
}

/** A reference that, like the generated ones, carries only an ARN. */
class ArnOnlyEndpoint extends Resource implements sagemakerRefs.IEndpointRef {
  public readonly endpointRef = { endpointArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/lower-cased' };
}

class ArnOnlyModel extends Resource implements sagemakerRefs.IModelRef {
  public get modelRef(): sagemakerRefs.ModelReference {
    const reference = { modelArn: 'arn:aws:sagemaker:us-east-1:123456789012:model/lower-cased', modelId: 'x' };
    return reference as unknown as sagemakerRefs.ModelReference;
  }
}
