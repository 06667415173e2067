/*
 * The name that an experiment given none gets (src/private/generated-name.ts), as the template holds it: readable,
 * in lower case, unique, and new exactly when CloudFormation replaces the experiment. Written from the survivors of
 * mutation testing (`npx projen mutation`).
 */
import { aws_iam as iam, aws_kms as kms, aws_sagemaker as sagemaker, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { InferenceExperiment } from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';

const EXPERIMENT = 'AWS::SageMaker::InferenceExperiment';

function namesIn(stack: Stack): string[] {
  return Object.values(Template.fromStack(stack).findResources(EXPERIMENT)).map((resource) => resource.Properties.Name);
}

/** The generated name of an experiment defined by `define` in a stack of its own. */
function nameOf(define: (parts: ShadowTestParts) => void): string {
  const parts = new ShadowTestParts(newStack());
  define(parts);
  const [name] = namesIn(parts.stack);
  return name;
}

describe('a generated experiment name', () => {
  test('is the construct path in lower-case letters and digits, then a hash of 8 hexadecimal digits', () => {
    expect(nameOf((parts) => parts.experiment())).toMatch(/^teststackexperiment-[0-9a-f]{8}$/);
  });

  test('leaves out the ids named Default and every character outside the name\'s alphabet', () => {
    const name = nameOf((parts) => new InferenceExperiment(new Construct(parts.stack, 'Default'), 'My_Experiment.1', parts.minimalProps()));
    expect(name).toMatch(/^teststackmyexperiment1-[0-9a-f]{8}$/);
  });

  test('keeps the start and the end of a path too long for it, at 120 characters', () => {
    const head = 'A'.repeat(100);
    const tail = 'Z'.repeat(100);
    const name = nameOf((parts) => parts.experiment({}, `${head}${tail}`));
    const readable = `teststack${head}${tail}`.toLowerCase();
    expect(name).toHaveLength(120);
    expect(name).toBe(`${readable.slice(0, 55)}${readable.slice(readable.length - 56)}-${name.slice(-8)}`);
  });

  test('keeps a path of 111 characters whole', () => {
    const id = 'A'.repeat(111 - 'teststack'.length);
    expect(nameOf((parts) => parts.experiment({}, id))).toMatch(new RegExp(`^teststack${id.toLowerCase()}-[0-9a-f]{8}$`));
  });

  test('is the same for the same definition', () => {
    expect(nameOf((parts) => parts.experiment())).toBe(nameOf((parts) => parts.experiment()));
  });

  test('changes with the logical ID of the experiment', () => {
    const renamed = nameOf((parts) => {
      const experiment = parts.experiment();
      (experiment.node.defaultChild as sagemaker.CfnInferenceExperiment).overrideLogicalId('Renamed');
    });
    expect(renamed).not.toBe(nameOf((parts) => parts.experiment()));
  });

  test('changes with a literal create-only value, and when one is set or left out', () => {
    const withKey = (key?: string) => nameOf((parts) => parts.experiment({
      volumeEncryptionKey: key === undefined ? undefined : kms.Key.fromKeyArn(parts.stack, 'Key', `arn:aws:kms:us-east-1:123456789012:key/${key}`),
    }));
    expect(withKey('one')).not.toBe(withKey('two'));
    expect(withKey()).not.toBe(withKey('one'));
    expect(withKey()).toBe(nameOf((parts) => parts.experiment()));
  });

  test('changes when a resource that it refers to is replaced, and not when the resource is updated', () => {
    const withRole = (roleName?: string, description?: string) => nameOf((parts) => parts.experiment({
      role: new iam.Role(parts.stack, 'GivenRole', {
        assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'), roleName, description,
      }),
    }));
    expect(withRole('one')).not.toBe(withRole('two'));
    expect(withRole(undefined, 'one')).toBe(withRole(undefined, 'two'));
  });

  test('follows an escape-hatch override of a property that replaces the resource it refers to', () => {
    const withRole = (path?: string) => nameOf((parts) => {
      const role = new iam.Role(parts.stack, 'GivenRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
      if (path) {
        (role.node.defaultChild as iam.CfnRole).addPropertyOverride('Path', path);
      }
      parts.experiment({ role });
    });
    expect(withRole('/one/')).not.toBe(withRole('/two/'));
    expect(withRole()).not.toBe(withRole('/one/'));
  });

  test('differs between two experiments of a stack', () => {
    const parts = new ShadowTestParts(newStack());
    parts.experiment({}, 'First');
    new InferenceExperiment(parts.stack, 'Second', { ...parts.minimalProps(), endpoint: parts.newEndpoint('OtherEndpoint') });
    const names = namesIn(parts.stack);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
  });
});
