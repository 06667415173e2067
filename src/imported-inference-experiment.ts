import { Arn, ArnFormat, aws_iam as iam, Resource } from 'aws-cdk-lib';
import { aws_sagemaker as sagemakerRefs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import { IInferenceExperiment, InferenceExperimentAttributes } from './inference-experiment';
import { InferenceExperimentGrants } from './inference-experiment-grants';
import { normalizedSageMakerArn, sageMakerArn } from './private/arns';
import * as kinds from './private/kinds';
import { checkKind } from './private/kinds';
import { ProblemCollector } from './private/validation';
import { ShadowTestMetrics } from './shadow-test-metrics';

/**
 * An inference experiment defined outside this app, from what is known of it: what
 * `InferenceExperiment.fromInferenceExperimentAttributes()` and the other imports return. The module is not exported
 * from the package's index: the imports are typed as `IInferenceExperiment`.
 */
export class ImportedInferenceExperiment extends Resource implements IInferenceExperiment {
  public readonly inferenceExperimentName: string;
  public readonly inferenceExperimentArn: string;
  public readonly role?: iam.IRoleRef;
  public readonly grants: InferenceExperimentGrants;
  private readonly knownMetrics?: ShadowTestMetrics;

  constructor(scope: Construct, id: string, attrs: InferenceExperimentAttributes) {
    const problems = new ProblemCollector();
    checkKind(problems, 'scope', scope, kinds.SCOPE);
    checkKind(problems, 'id', id, kinds.STRING);
    if (checkKind(problems, 'attrs', attrs, kinds.PROPS)) {
      for (const name of ['inferenceExperimentName', 'inferenceExperimentArn', 'endpointName', 'productionVariantName', 'shadowVariantName'] as const) {
        checkKind(problems, name, attrs[name], kinds.STRING, true);
      }
      checkKind(problems, 'role', attrs.role, kinds.reference('roleRef', 'an iam.IRole, such as iam.Role.fromRoleArn()'), true);
    }
    problems.throwIfAny(`Cannot import the inference experiment '${typeof id === 'string' ? id : '?'}'`);
    const { inferenceExperimentName: name, inferenceExperimentArn: arn } = attrs;
    if (name === undefined && arn === undefined) {
      throw new Error(`Cannot import the inference experiment '${id}': give its inferenceExperimentName, its ` +
        'inferenceExperimentArn, or both');
    }
    super(scope, id, arn === undefined ? {} : { environmentFromArn: arn });
    this.inferenceExperimentName = name ?? Arn.split(arn!, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
    this.inferenceExperimentArn = arn === undefined ? sageMakerArn(this, 'inference-experiment', name!) : normalizedSageMakerArn(arn);
    this.role = attrs.role;
    this.grants = InferenceExperimentGrants.fromInferenceExperiment(this);
    const { endpointName, productionVariantName, shadowVariantName } = attrs;
    if (endpointName !== undefined && productionVariantName !== undefined && shadowVariantName !== undefined) {
      this.knownMetrics = ShadowTestMetrics.of({ endpointName, productionVariantName, shadowVariantName });
    }
  }

  public get metrics(): ShadowTestMetrics {
    if (this.knownMetrics === undefined) {
      throw new Error(`The metrics of the inference experiment '${this.node.path}' are not known: import it with ` +
        'fromInferenceExperimentAttributes() and give its endpointName, productionVariantName and shadowVariantName');
    }
    return this.knownMetrics;
  }

  public get inferenceExperimentRef(): sagemakerRefs.InferenceExperimentReference {
    return { inferenceExperimentName: this.inferenceExperimentName, inferenceExperimentArn: this.inferenceExperimentArn };
  }
}
