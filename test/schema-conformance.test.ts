import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ShadowTestStack } from '../examples/shadow-test-stack';
import { deployedExperimentProperties, schemaErrors, serviceRuleViolations } from './helpers/cloudformation';
import { newStack, ShadowTestParts } from './helpers/fixtures';

function minimalTemplate(): any {
  const parts = new ShadowTestParts(newStack());
  parts.experiment();
  return Template.fromStack(parts.stack).toJSON();
}

function fullTemplate(): any {
  const parts = new ShadowTestParts(newStack());
  parts.experiment(parts.fullProps());
  return Template.fromStack(parts.stack).toJSON();
}

function exampleTemplate(): any {
  return Template.fromStack(new ShadowTestStack(new App(), 'ShadowTestExample')).toJSON();
}

describe.each([
  ['a minimal experiment', minimalTemplate],
  ['a fully configured experiment', fullTemplate],
  ['the example app', exampleTemplate],
])('%s', (_, template) => {
  test('passes the CloudFormation registry schema', () => {
    expect(schemaErrors(deployedExperimentProperties(template()))).toEqual([]);
  });

  test('passes the SageMaker service rules', () => {
    expect(serviceRuleViolations(deployedExperimentProperties(template()))).toEqual([]);
  });
});

describe('the checks themselves', () => {
  const valid = () => deployedExperimentProperties(fullTemplate());

  test('reject a property the schema does not know, and a read-only one', () => {
    expect(schemaErrors({ ...valid(), Unknown: 1 })).toEqual([expect.stringContaining('must NOT have additional properties')]);
    expect(schemaErrors({ ...valid(), Status: 'Running' })).toEqual([expect.stringContaining('must NOT have additional properties')]);
  });

  test('reject three model variants and an unknown instance count type', () => {
    const properties = valid();
    properties.ModelVariants.push(properties.ModelVariants[0]);
    properties.ModelVariants[0].InfrastructureConfig.RealTimeInferenceConfig.InstanceCount = '1';
    expect(schemaErrors(properties)).toEqual(expect.arrayContaining([
      expect.stringContaining('/ModelVariants must NOT have more than 2 items'),
      expect.stringContaining('/InstanceCount must be integer'),
    ]));
  });

  test('reject variant names that disagree and a missing shadow configuration', () => {
    const properties = valid();
    properties.ShadowModeConfig.SourceModelVariantName = 'elsewhere';
    expect(serviceRuleViolations(properties)).toEqual([expect.stringContaining('SourceModelVariantName elsewhere is not in ModelVariants')]);
    delete properties.ShadowModeConfig;
    expect(serviceRuleViolations(properties)).toEqual(['ShadowModeConfig is missing (CreateInferenceExperiment requires it)']);
  });

  test('reject a schedule of more than 30 days and a name the API refuses', () => {
    const properties = valid();
    properties.Schedule = { StartTime: '2027-01-01T00:00:00Z', EndTime: '2027-01-31T00:00:01Z' };
    properties.Name = 'under_score';
    expect(serviceRuleViolations(properties)).toEqual([
      expect.stringContaining('Name "under_score" does not match the API pattern'),
      expect.stringContaining('does not last more than 0 and at most 30 days'),
    ]);
  });
});
