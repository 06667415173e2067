import { Annotations, aws_sagemaker as sagemaker, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkEndpointConfiguration, checkVariantModels } from './endpoint-checks';
import { Outcome, START_NOW } from './outcomes';
import { sageMakerCanAssume } from './roles';
import { ExperimentSpec } from './shadow-test-specs';
import { checkTags } from './validate-props';
import { ProblemCollector } from './validation';

/**
 * Checks `experiment` at synth, for what is known only then or can still change once it is defined: tags added with
 * `Tags.of()` and the stack's tags are known only after aspects run, and a role's trust policy, the endpoint's
 * configuration and the models can change after the experiment is created (L1s are mutable).
 *
 * `conclusion` is read at synth: once concluded, the test exists already, and the endpoint's configuration is not
 * checked against it.
 */
export function addSynthChecks(
  experiment: Construct,
  resource: sagemaker.CfnInferenceExperiment,
  props: ExperimentSpec,
  conclusion: { readonly outcome?: Outcome },
): void {
  let endpointWarned = false;
  experiment.node.addValidation({
    validate: () => {
      const synthProblems = new ProblemCollector();
      checkTags(synthProblems, 'tags', resource.tags.renderTags() ?? [], stackTagsOf(experiment));
      if (props.role && sageMakerCanAssume(props.role) === false) {
        synthProblems.addDescribed('role', `'${props.role.node.path}', whose trust policy does not let ` +
          'sagemaker.amazonaws.com call sts:AssumeRole', 'SageMaker must be able to assume the role: create it with ' +
          "assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'), or leave role out to get a least-privilege one");
      }
      // Once concluded, the test exists already, and the endpoint's configuration may describe the endpoint before
      // the test or after it: there is nothing left to check against it.
      if (conclusion.outcome === undefined || conclusion.outcome === START_NOW) {
        checkVariantModels(synthProblems, props.shadowMode);
        const warnings = checkEndpointConfiguration(synthProblems, props.endpoint, props.shadowMode);
        for (const warning of endpointWarned ? [] : warnings) {
          Annotations.of(experiment).addWarningV2(warning.id, warning.message);
        }
        endpointWarned = true;
      }
      return synthProblems.isEmpty ? [] : [synthProblems.message(`InferenceExperiment '${experiment.node.path}'`)];
    },
  });
}

/** The tags of `construct`'s stack and of the stacks that hold it, which CloudFormation propagates to its resources. */
function stackTagsOf(construct: Construct): Array<{ key: string; value: string }> {
  const tags = new Map<string, string>();
  for (let stack: Stack | undefined = Stack.of(construct); stack; stack = stack.nestedStackParent) {
    for (const [key, value] of Object.entries(stack.tags.tagValues())) {
      tags.set(key, tags.get(key) ?? value);
    }
  }
  return [...tags].map(([key, value]) => ({ key, value }));
}
