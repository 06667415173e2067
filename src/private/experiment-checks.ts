import { IConstruct } from 'constructs';
import { warnOfInstanceTypes } from './instance-type-warnings';
import * as kinds from './kinds';
import { checkKind, Kind } from './kinds';
import { checkEndpointIsFree, checkSameEnvironment } from './placement';
import { endpointNameOf, modelNameOf, roleArnOf } from './resource-names';
import * as rules from './rules';
import { ExperimentSpec, VariantSpec } from './shadow-test-specs';
import { checkDataCapture, checkSchedule, checkShadowMode, checkTags } from './validate-props';
import { ProblemCollector } from './validation';

/*
 * The checks that an experiment's props pass when it is defined: their kinds before anything is built, then their
 * values, every problem at once. What can still change once the experiment is defined is checked at synth instead
 * (see `synth-checks.ts`).
 */

/**
 * What the checks need of the library's public classes, which this module knows only by their members: the public
 * side gives it.
 */
export interface PublicClasses {
  /** The kind of `shadowMode`: a `ShadowModeConfig`. */
  readonly shadowMode: Kind;
  /** The kind of `schedule`: a `Schedule`. */
  readonly schedule: Kind;
  /** The kind of `dataCapture`: a `DataCapture`. */
  readonly dataCapture: Kind;
  /** Whether `name` is one of the `InstanceType` constants. */
  readonly isKnownInstanceType: (name: string) => boolean;
}

/** The props as a caller in plain JavaScript may pass them: any value under each name. */
type UncheckedProps = { readonly [name in keyof ExperimentSpec | 'inferenceExperimentName']?: unknown };

/**
 * Throws when an argument or a property is not of the kind that the construct takes: a caller in plain JavaScript
 * would otherwise get a TypeError from deep inside the construct.
 */
export function checkKinds(id: string, props: UncheckedProps, classes: PublicClasses): void {
  const problems = new ProblemCollector();
  checkKind(problems, 'id', id, kinds.STRING);
  if (checkKind(problems, 'props', props, kinds.PROPS)) {
    checkKind(problems, 'endpoint', props.endpoint, kinds.ENDPOINT);
    checkKind(problems, 'shadowMode', props.shadowMode, classes.shadowMode);
    checkKind(problems, 'role', props.role, kinds.ROLE, true);
    checkKind(problems, 'inferenceExperimentName', props.inferenceExperimentName, kinds.STRING, true);
    checkKind(problems, 'description', props.description, kinds.STRING, true);
    checkKind(problems, 'schedule', props.schedule, classes.schedule, true);
    checkKind(problems, 'volumeEncryptionKey', props.volumeEncryptionKey, kinds.KEY, true);
    checkKind(problems, 'dataCapture', props.dataCapture, classes.dataCapture, true);
    checkKind(problems, 'tags', props.tags, kinds.STRING_MAP, true);
  }
  problems.throwIfAny(`InferenceExperiment '${typeof id === 'string' ? id : '?'}'`);
}

/** What the checks learn of valid props, for the rest of the construct. */
export interface CheckedExperiment {
  /** The endpoint's name, as the template gives it. */
  readonly endpointName: string;
  /** The name of each variant's model, as the template gives it. */
  readonly modelNames: ReadonlyMap<VariantSpec, string>;
  /** The experiment's own tags, as CloudFormation takes them. */
  readonly tags: Array<{ key: string; value: string }>;
}

/**
 * Throws one error that lists every problem of `props`, if there is any; otherwise makes `experiment` the test of its
 * endpoint, warns of its variants' instance types, and returns what the checks learned.
 */
export function checkExperiment(
  experiment: IConstruct, props: ExperimentSpec, givenName: string | undefined, classes: PublicClasses,
): CheckedExperiment {
  const problems = new ProblemCollector();
  problems.checkString('inferenceExperimentName', givenName, rules.EXPERIMENT_NAME);
  problems.checkString('description', props.description, rules.DESCRIPTION);
  problems.checkString('role', props.role && roleArnOf(props.role), rules.ROLE_ARN);
  problems.checkString('volumeEncryptionKey', props.volumeEncryptionKey?.keyRef.keyArn, rules.KMS_KEY);

  const endpointName = endpointNameOf(props.endpoint);
  if (endpointName === undefined) {
    problems.addDescribed('endpoint', `'${props.endpoint.node.path}', which exposes only its ARN`, nameMissing('endpoint',
      'a CfnEndpoint, an aws_sagemaker.IEndpoint or ExistingEndpoint.fromEndpointName()'));
  }
  problems.checkString('endpoint', endpointName, rules.ENDPOINT_NAME);

  checkShadowMode(problems, 'shadowMode', props.shadowMode);
  const modelNames = new Map<VariantSpec, string>();
  for (const [role, variant] of [['production', props.shadowMode.production], ['shadow', props.shadowMode.shadow]] as const) {
    const modelName = modelNameOf(variant.model);
    if (modelName === undefined) {
      problems.addDescribed(`shadowMode.${role}.model`, `'${variant.model.node.path}', which exposes only its ARN`,
        nameMissing('model', 'a CfnModel or ExistingModel.fromModelName()'));
    } else {
      problems.checkString(`shadowMode.${role}.model`, modelName, rules.MODEL_NAME);
      modelNames.set(variant, modelName);
    }
  }
  if (props.schedule) {
    checkSchedule(problems, 'schedule', props.schedule);
  }
  if (props.dataCapture) {
    checkDataCapture(problems, 'dataCapture', props.dataCapture);
  }
  const tags = Object.entries(props.tags ?? {}).map(([key, value]) => ({ key, value }));
  checkTags(problems, 'tags', tags);
  checkSameEnvironment(problems, 'endpoint', props.endpoint, experiment);
  checkSameEnvironment(problems, 'shadowMode.production.model', props.shadowMode.production.model, experiment);
  checkSameEnvironment(problems, 'shadowMode.shadow.model', props.shadowMode.shadow.model, experiment);
  const claimEndpoint = endpointName === undefined ? undefined : checkEndpointIsFree(problems, experiment, props.endpoint, endpointName);
  problems.throwIfAny(`InferenceExperiment '${experiment.node.path}'`);
  claimEndpoint?.();

  warnOfInstanceTypes(experiment, props, classes.isKnownInstanceType);
  return { endpointName: endpointName!, modelNames, tags };
}

function nameMissing(kind: string, accepted: string): string {
  return `the ${kind}'s name is needed and SageMaker ARNs carry names in lower case, so it can not be read from the ` +
    `ARN; pass ${accepted}`;
}
