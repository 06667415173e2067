import { aws_iam as iam, CfnElement, PhysicalName } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { NAMES_AS_GIVEN } from './arns';
import { defaultRole } from './default-role';
import { generatedExperimentName } from './generated-name';
import { TYPE_SHADOW_MODE } from './render';
import { roleArnOf } from './resource-names';
import { ExperimentSpec } from './shadow-test-specs';

/*
 * What identifies an experiment to CloudFormation: its create-only properties, whose change replaces it, and its
 * name, which must change whenever they do.
 */

/** The name given in the props, if any: aws-cdk-lib's request to generate one if needed is no name. */
export function givenNameOf(name: string | undefined): string | undefined {
  return name === PhysicalName.GENERATE_IF_NEEDED ? undefined : name;
}

export interface ExperimentIdentity {
  /** The role that SageMaker assumes for the test: the one given, or the library's own. */
  readonly role: iam.IRoleRef & iam.IGrantable;
  /** The create-only properties of the L1, as the template gives them. */
  readonly createOnly: {
    readonly type: string;
    readonly roleArn: string;
    readonly endpointName: string;
    readonly kmsKey?: string;
  };
  /** The experiment's name as given, or as generated (a lazy value, made once the app is complete). */
  readonly name: string;
  readonly givenName?: string;
}

/**
 * The role, create-only properties and name of `experiment`. A generated name follows the create-only properties, so
 * it is known once the role exists; `resource` is the experiment's L1, whose logical ID it follows too.
 */
export function identifyExperiment(
  experiment: Construct, props: ExperimentSpec, endpointName: string, givenName: string | undefined, resource: () => CfnElement,
): ExperimentIdentity {
  // checkKinds() made sure that a given role can receive grants.
  const role = (props.role as (iam.IRoleRef & iam.IGrantable) | undefined) ?? defaultRole(experiment);
  const createOnly = {
    type: TYPE_SHADOW_MODE,
    roleArn: roleArnOf(role),
    endpointName,
    kmsKey: props.volumeEncryptionKey?.keyRef.keyArn,
  };
  const name = givenName ?? generatedExperimentName(experiment, resource, createOnly);
  if (givenName !== undefined) {
    NAMES_AS_GIVEN.set(experiment, givenName);
  }
  return { role, createOnly, name, givenName };
}
