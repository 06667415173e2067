import { aws_sns as sns } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { checkReachable, ReachRule } from './guard-placement';
import { checkKind, reference } from './kinds';
import { ProblemCollector } from './validation';

/*
 * The checks of what a state machine of the library (a guard's, a verdict's) acts on: the experiment, whose variant
 * names it needs, and the topic it tells.
 */

/** An experiment, as the workflows see it. */
export interface WorkflowExperiment extends IConstruct {
  readonly inferenceExperimentName: string;
  readonly inferenceExperimentArn: string;
  readonly metrics: ExperimentVariants;
}

/** The endpoint and variants of an experiment. */
export interface ExperimentVariants {
  readonly endpointName: string;
  readonly production: { readonly variantName: string };
  readonly shadow: { readonly variantName: string };
}

const TOPIC = reference('topicArn', 'an sns.ITopic, such as an sns.Topic of the app or sns.Topic.fromTopicArn()', false);
const EXPERIMENT = reference('inferenceExperimentName', 'an InferenceExperiment, or an imported IInferenceExperiment');

const SDK_CALLS: ReachRule = {
  reason: 'its state machine calls SageMaker and SNS in its own account and region',
  fix: 'Define the {owner} in a stack of that account and region, or use a resource of this one',
};

/**
 * Records every problem of `experiment`, and returns its variants when they are known. `needsVariants` says why
 * `owner`, which messages call `ownerName`, needs them.
 */
export function checkExperiment(
  problems: ProblemCollector, experiment: WorkflowExperiment, owner: IConstruct, ownerName: string, needsVariants: string,
): ExperimentVariants | undefined {
  if (!checkKind(problems, 'experiment', experiment, EXPERIMENT)) {
    return undefined;
  }
  checkReachable(problems, 'experiment', experiment, experiment.inferenceExperimentArn, owner, SDK_CALLS, ownerName);
  try {
    return experiment.metrics;
  } catch {
    problems.addDescribed('experiment', `'${experiment.node.path}', whose variant names are not known`,
      `${needsVariants}: import the experiment with InferenceExperiment.fromInferenceExperimentAttributes() and give ` +
      'its endpointName, productionVariantName and shadowVariantName');
    return undefined;
  }
}

/** Records every problem of the optional `topic` of `owner`, which messages call `ownerName`. */
export function checkTopic(problems: ProblemCollector, topic: sns.ITopic | undefined, owner: IConstruct, ownerName: string): void {
  if (checkKind(problems, 'notificationTopic', topic, TOPIC, true) && topic) {
    checkReachable(problems, 'notificationTopic', topic, topic.topicArn, owner, SDK_CALLS, ownerName);
    if (topic.fifo) {
      problems.addDescribed('notificationTopic', `'${topic.node.path}', a FIFO topic`,
        `must be a standard topic: the ${ownerName} publishes each message on its own, without a message group ID`);
    }
  }
}
