/*
 * The name that an experiment given none gets (src/private/generated-name.ts), as the template holds it: readable,
 * in lower case, unique, and new exactly when CloudFormation replaces the experiment. Written from the survivors of
 * mutation testing (`npx projen mutation`).
 */
import { App, aws_iam as iam, aws_kms as kms, aws_sagemaker as sagemaker, Fn, Lazy, Stack } from 'aws-cdk-lib';
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

  test('is inferenceexperiment, then the hash, when the path has no character of the name\'s alphabet', () => {
    const stack = new Stack(new App(), 'Default', { env: { account: '123456789012', region: 'us-east-1' } });
    const parts = new ShadowTestParts(stack);
    new InferenceExperiment(new Construct(stack, '__'), 'Default', parts.minimalProps());
    expect(namesIn(stack)).toEqual([expect.stringMatching(/^inferenceexperiment-[0-9a-f]{8}$/)]);
  });

  test('changes when the endpoint that it refers to is replaced, and not when the endpoint is updated', () => {
    const withEndpoint = (endpointName?: string, tag = 'one') => nameOf((parts) => {
      const endpoint = new sagemaker.CfnEndpoint(parts.stack, 'NamedEndpoint', {
        endpointConfigName: parts.endpointConfig.attrEndpointConfigName, endpointName, tags: [{ key: 'tag', value: tag }],
      });
      parts.experiment({ endpoint });
    });
    expect(withEndpoint('one')).not.toBe(withEndpoint('two'));
    expect(withEndpoint()).not.toBe(withEndpoint('one'));
    expect(withEndpoint('one', 'one')).toBe(withEndpoint('one', 'two'));
  });

  test('changes when the alias that its volume key is given by is replaced', () => {
    const withAlias = (aliasName: string) => nameOf((parts) => {
      const alias = new kms.CfnAlias(parts.stack, 'Alias', { aliasName, targetKeyId: 'arn:aws:kms:us-east-1:123456789012:key/one' });
      parts.experiment({ volumeEncryptionKey: kms.Key.fromKeyArn(parts.stack, 'Key', alias.ref) });
    });
    expect(withAlias('alias/one')).not.toBe(withAlias('alias/two'));
  });

  test('changes with the logical ID of a resource that it refers to', () => {
    const withRole = (logicalId?: string) => nameOf((parts) => {
      const role = new iam.Role(parts.stack, 'GivenRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
      if (logicalId) {
        (role.node.defaultChild as iam.CfnRole).overrideLogicalId(logicalId);
      }
      parts.experiment({ role });
    });
    expect(withRole('RenamedRole')).not.toBe(withRole());
  });

  test('follows a key of the app, which CloudFormation replaces only with a new logical ID', () => {
    const withKey = (logicalId?: string, description?: string) => nameOf((parts) => {
      const key = new kms.Key(parts.stack, 'VolumeKey', { description });
      if (logicalId) {
        (key.node.defaultChild as kms.CfnKey).overrideLogicalId(logicalId);
      }
      parts.experiment({ volumeEncryptionKey: key });
    });
    expect(withKey()).toMatch(/^teststackexperiment-[0-9a-f]{8}$/);
    expect(withKey('RenamedKey')).not.toBe(withKey());
    expect(withKey(undefined, 'one')).toBe(withKey(undefined, 'two'));
  });

  test('follows a value that mixes text with a token that is not a reference (an import, a lazy value)', () => {
    const withKey = (keyArn: () => string) => nameOf((parts) => parts.experiment({
      volumeEncryptionKey: kms.Key.fromKeyArn(parts.stack, 'Key', keyArn()),
    }));
    const imported = (name: string) => () => `arn:aws:kms:us-east-1:123456789012:key/${Fn.importValue(name)}`;
    expect(withKey(imported('KeyOne'))).toMatch(/^teststackexperiment-[0-9a-f]{8}$/);
    expect(withKey(imported('KeyOne'))).toBe(withKey(imported('KeyOne')));
    expect(withKey(imported('KeyOne'))).not.toBe(withKey(imported('KeyTwo')));
    const lazy = (id: string) => () => `arn:aws:kms:us-east-1:123456789012:key/${Lazy.string({ produce: () => id })}`;
    expect(withKey(lazy('one'))).not.toBe(withKey(lazy('two')));
    expect(withKey(lazy('one'))).toBe(nameOf((parts) => parts.experiment({
      volumeEncryptionKey: kms.Key.fromKeyArn(parts.stack, 'Key', 'arn:aws:kms:us-east-1:123456789012:key/one'),
    })));
  });
});
