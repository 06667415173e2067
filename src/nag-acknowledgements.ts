import * as cdk from 'aws-cdk-lib';
import { aws_iam as iam, CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { InferenceExperiment } from './inference-experiment';
import { checkKind, PROPS, SCOPE, STRING, STRING_LIST } from './private/kinds';
import { itemsOf } from './private/policy-documents';
import { ProblemCollector } from './private/validation';
import { ShadowTestGuard } from './shadow-test-guard';

/**
 * A cdk-nag rule acknowledged on a construct, with its reason.
 */
export interface NagAcknowledgement {
  /**
   * The rule, such as `AwsSolutions-IAM5`.
   */
  readonly id: string;

  /**
   * Why the finding is acceptable: at least 10 characters (cdk-nag 2 refuses shorter reasons).
   */
  readonly reason: string;

  /**
   * The findings of the rule that are acknowledged, such as `Action::s3:Abort*` or `Resource::<Bucket.Arn>/*`.
   *
   * @default - every finding of the rule on the construct
   */
  readonly findings?: string[];
}

/** The wildcards that the library writes into an experiment's policies, each with why it is needed. */
interface DocumentedWildcard {
  /** The cdk-nag findings it raises. */
  readonly finding: RegExp;
  readonly reason: string;
  /** Whether the policy document holds nothing else that raises those findings. */
  readonly onlyFor?: (document: any) => boolean;
}

const DOCUMENTED_WILDCARDS: DocumentedWildcard[] = [
  {
    finding: /^Resource::arn:<AWS::Partition>:sagemaker:(<AWS::Region>|[^:]+):(<AWS::AccountId>|[^:]+):endpoint-config\/\*$/,
    reason: 'SageMaker names the endpoint configurations that a shadow test creates itself, so they can only be ' +
      'matched by resource type (see Security in the README of cdk-sagemaker-inference-experiment).',
  },
  {
    finding: /^Resource::(<[^>]+\.Arn>|arn:<AWS::Partition>:s3:::[^/]+)\/.*\*$/,
    reason: 'Captured requests and responses get object keys that SageMaker generates under the capture prefix.',
  },
  {
    finding: /^Resource::arn:<AWS::Partition>:kms:(<AWS::Region>|[^:]+):(<AWS::AccountId>|[^:]+):key\/\*$/,
    reason: 'A key known by its alias is granted on the keys of its account and region that carry the alias ' +
      '(condition kms:ResourceAliases): the key itself is not known at synth time.',
  },
  {
    finding: /^Action::(s3:Abort\*|kms:ReEncrypt\*|kms:GenerateDataKey\*)$/,
    reason: "The action groups of aws-cdk-lib's own grants for writing encrypted objects: s3:Abort* aborts " +
      'multipart uploads, kms:ReEncrypt* and kms:GenerateDataKey* encrypt the captured data.',
  },
];

/** The actions of the log delivery and tracing that aws-cdk-lib grants a state machine, which take no resource. */
const LOG_DELIVERY_AND_TRACING = /^(logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)|xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets))$/;

/** The wildcards of a guard's state machine policy. */
const GUARD_WILDCARDS: DocumentedWildcard[] = [
  {
    finding: /^Resource::\*$/,
    reason: 'Step Functions delivers the logs of a state machine through the CloudWatch Logs log delivery actions, and ' +
      'its traces to X-Ray, and none of those actions supports resource-level permissions.',
    // Only when every statement on every resource is one of those: another one is still reported.
    onlyFor: (document) => itemsOf(document?.Statement)
      .filter((statement: any) => itemsOf(statement.Resource).includes('*'))
      .every((statement: any) => itemsOf(statement.Action).every((action: string) => LOG_DELIVERY_AND_TRACING.test(action))),
  },
  {
    finding: /^Action::kms:GenerateDataKey\*$/,
    reason: "The action group of aws-cdk-lib's own grant on the key of an encrypted topic: publishing to it encrypts " +
      'each message with a new data key.',
  },
];

/**
 * Acknowledgements of cdk-nag findings that work with cdk-nag 2 and cdk-nag 3 alike, without this library depending
 * on cdk-nag: they are written as cdk-nag 2's `cdk_nag` metadata, and, with aws-cdk-lib 2.257 or later, through
 * `Validations.of(scope).acknowledge()`, which cdk-nag 3 reads.
 *
 * @example
 * const experiment = new InferenceExperiment(this, 'ShadowTest', { endpoint, shadowMode });
 * NagAcknowledgements.acknowledgeDocumentedWildcards(experiment);
 * NagAcknowledgements.acknowledge(bucket, [{ id: 'AwsSolutions-S1', reason: 'This bucket receives the access logs of the others.' }]);
 */
export class NagAcknowledgements {
  /**
   * Acknowledges the `AwsSolutions-IAM5` findings that the wildcards of this library's own policies raise, each with
   * the reason the README gives for it: those of every `InferenceExperiment` and `ShadowTestGuard` in `scope` (the
   * scope itself included). Only those: a wildcard that another grant adds is still reported.
   *
   * Call it once the experiments and guards are defined, with their data capture and topics: the findings name the
   * resources of the template.
   *
   * @param scope an experiment, a guard, or a scope that holds them, such as the stack
   */
  public static acknowledgeDocumentedWildcards(scope: IConstruct): void {
    const problems = new ProblemCollector();
    checkKind(problems, 'scope', scope, SCOPE);
    problems.throwIfAny('NagAcknowledgements.acknowledgeDocumentedWildcards()');
    for (const construct of scope.node.findAll()) {
      if (InferenceExperiment.isInferenceExperiment(construct)) {
        for (const id of ['ShadowTestPolicy', 'DataCapturePolicy']) {
          acknowledgeWildcards(construct.node.tryFindChild(id)?.node.defaultChild, DOCUMENTED_WILDCARDS);
        }
      } else if (construct instanceof ShadowTestGuard) {
        acknowledgeWildcards(construct.stateMachine.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild, GUARD_WILDCARDS);
      }
    }
  }

  /**
   * Acknowledges cdk-nag rules on `scope` and the resources it holds, for cdk-nag 2 and 3.
   *
   * @param scope the construct whose findings are acknowledged
   * @param acknowledgements the rules, their findings and the reasons
   */
  public static acknowledge(scope: IConstruct, acknowledgements: NagAcknowledgement[]): void {
    const problems = new ProblemCollector();
    checkKind(problems, 'scope', scope, SCOPE);
    (Array.isArray(acknowledgements) ? acknowledgements : [acknowledgements]).forEach((acknowledgement, index) => {
      if (checkKind(problems, `acknowledgements[${index}]`, acknowledgement, PROPS)) {
        checkKind(problems, `acknowledgements[${index}].id`, acknowledgement.id, STRING);
        checkKind(problems, `acknowledgements[${index}].findings`, acknowledgement.findings, STRING_LIST, true);
        if (checkKind(problems, `acknowledgements[${index}].reason`, acknowledgement.reason, STRING) && acknowledgement.reason.length < 10) {
          problems.add(`acknowledgements[${index}].reason`, acknowledgement.reason, 'must be at least 10 characters long, as cdk-nag 2 requires');
        }
      }
    });
    problems.throwIfAny('NagAcknowledgements.acknowledge()');

    // cdk-nag 2 reads the rules to suppress from the metadata of each CloudFormation resource.
    for (const resource of scope.node.findAll().filter(CfnResource.isCfnResource)) {
      const existing = resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
      resource.addMetadata('cdk_nag', {
        rules_to_suppress: [...existing, ...acknowledgements.map(({ id, reason, findings }) =>
          (findings === undefined ? { id, reason } : { id, reason, applies_to: findings }))],
      });
    }
    // cdk-nag 3 reads the acknowledgements that aws-cdk-lib 2.257 and later record, one for each finding.
    const validations: any = (cdk as any).Validations;
    if (validations?.of !== undefined) {
      for (const { id, reason, findings } of acknowledgements) {
        for (const qualifiedId of findings === undefined ? [id] : findings.map((finding) => `${id}[${finding}]`)) {
          validations.of(scope).acknowledge({ id: qualifiedId, reason });
        }
      }
    }
  }

  private constructor() {}
}

/** Acknowledges the findings of `policy` that `wildcards` document, each once, with its own reason. */
function acknowledgeWildcards(policy: IConstruct | undefined, wildcards: DocumentedWildcard[]): void {
  if (!(policy instanceof iam.CfnPolicy)) {
    return;
  }
  const document = Stack.of(policy).resolve(policy.policyDocument);
  const findings = wildcardFindings(document);
  for (const { finding, reason, onlyFor } of wildcards) {
    if (onlyFor !== undefined && !onlyFor(document)) {
      continue;
    }
    const matching = findings.filter((f) => finding.test(f));
    if (matching.length > 0) {
      NagAcknowledgements.acknowledge(policy, [{ id: 'AwsSolutions-IAM5', reason, findings: matching }]);
    }
  }
}

/** The findings that cdk-nag's AwsSolutions-IAM5 reports on a resolved policy document. */
function wildcardFindings(document: any): string[] {
  const findings = new Set<string>();
  for (const statement of itemsOf(document?.Statement)) {
    if (statement.Effect !== 'Allow') {
      continue;
    }
    itemsOf(statement.Action).filter((action: string) => action.includes('*')).forEach((action: string) => findings.add(`Action::${action}`));
    itemsOf(statement.Resource).map(flattened).filter((resource) => resource.includes('*')).forEach((resource) => findings.add(`Resource::${resource}`));
  }
  return [...findings];
}

/** A resolved CloudFormation value as cdk-nag writes it in its findings: `<Id.Attribute>` for Fn::GetAtt, `<Id>` for Ref. */
function flattened(value: any): string {
  if (typeof value === 'string') {
    return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  }
  if (value?.['Fn::Join']) {
    const [separator, parts] = value['Fn::Join'];
    return parts.map(flattened).join(separator);
  }
  if (value?.['Fn::GetAtt']) {
    const [resource, attribute] = value['Fn::GetAtt'];
    return `<${flattened(resource)}.${flattened(attribute)}>`;
  }
  if (value?.Ref !== undefined) {
    return `<${flattened(value.Ref)}>`;
  }
  return JSON.stringify(value);
}
