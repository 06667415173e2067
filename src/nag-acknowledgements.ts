import * as cdk from 'aws-cdk-lib';
import { AspectPriority, Aspects, aws_iam as iam, CfnResource, IAspect, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { InferenceExperiment } from './inference-experiment';
import { checkKind, PROPS, SCOPE, STRING, STRING_LIST } from './private/kinds';
import { SHARED_POLICIES_ID } from './private/own-policy';
import { itemsOf } from './private/policy-documents';
import { ProblemCollector } from './private/validation';
import { ShadowTestGuard } from './shadow-test-guard';
import { ShadowTestVerdict } from './shadow-test-verdict';

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

/** A wildcard that the library writes into a policy, with why it is needed. */
interface DocumentedWildcard {
  /** The cdk-nag findings it raises. */
  readonly finding: RegExp;
  readonly reason: string;
  /** Whether a statement that raises it is of the kind the library writes for it; any statement when not given. */
  readonly writtenAs?: (statement: any) => boolean;
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

/** The actions of the guard's grant on the key of an encrypted topic. */
const TOPIC_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey*'];

/** The statements that aws-cdk-lib gives a state machine for its logs and traces. */
const isLogDeliveryOrTracing = (statement: any) => itemsOf(statement.Action).every((action: string) => LOG_DELIVERY_AND_TRACING.test(action));

/** The wildcard of the key of an encrypted topic that a state machine publishes to. */
const TOPIC_KEY_WILDCARD: DocumentedWildcard = {
  finding: /^Action::kms:GenerateDataKey\*$/,
  reason: "The action group of aws-cdk-lib's own grant on the key of an encrypted topic: publishing to it encrypts " +
    'each message with a new data key.',
  writtenAs: (statement) => sameItems(itemsOf(statement.Action), TOPIC_KEY_ACTIONS),
};

/** The wildcards of a guard's state machine policy. */
const GUARD_WILDCARDS: DocumentedWildcard[] = [
  {
    finding: /^Resource::\*$/,
    reason: 'Step Functions delivers the logs of a state machine through the CloudWatch Logs log delivery actions, and ' +
      'its traces to X-Ray, and none of those actions supports resource-level permissions.',
    writtenAs: isLogDeliveryOrTracing,
  },
  TOPIC_KEY_WILDCARD,
];

/** The wildcards of a verdict's state machine policy. */
const VERDICT_WILDCARDS: DocumentedWildcard[] = [
  {
    finding: /^Resource::\*$/,
    reason: 'Step Functions delivers the logs of a state machine through the CloudWatch Logs log delivery actions, and ' +
      'its traces to X-Ray; the verdict reads metrics with cloudwatch:GetMetricData and publishes its own with ' +
      'cloudwatch:PutMetricData, which it may do in its namespace only (condition cloudwatch:namespace). None of ' +
      'those actions supports resource-level permissions.',
    writtenAs: (statement) => isLogDeliveryOrTracing(statement) ||
      sameItems(itemsOf(statement.Action), ['cloudwatch:GetMetricData']) ||
      (sameItems(itemsOf(statement.Action), ['cloudwatch:PutMetricData']) &&
        statement.Condition?.StringEquals?.['cloudwatch:namespace'] !== undefined),
  },
  TOPIC_KEY_WILDCARD,
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
   * the reason the README gives for it: those of every `InferenceExperiment`, `ShadowTestGuard` and `ShadowTestVerdict` in `scope` (the
   * scope itself included). Only those: a finding that another statement of the same policy raises too, such as a
   * grant to a guard's role, is still reported, whenever that statement is added.
   *
   * Call it once the experiments, guards and verdicts are defined: the statements of a guard's or a verdict's role are
   * those it holds then.
   * The findings are decided once the app is complete, by an aspect of priority `AspectPriority.MUTATING`, so before
   * cdk-nag 2's checks, which are added at the default priority, and cdk-nag 3's, which read the synthesized app.
   *
   * @param scope an experiment, a guard, a verdict, or a scope that holds them, such as the stack
   */
  public static acknowledgeDocumentedWildcards(scope: IConstruct): void {
    const problems = new ProblemCollector();
    checkKind(problems, 'scope', scope, SCOPE);
    problems.throwIfAny('NagAcknowledgements.acknowledgeDocumentedWildcards()');
    // Experiments that share a role share its policy: each policy is acknowledged once.
    const policies = new Map<IConstruct, [DocumentedWildcard[], (statement: any) => boolean]>();
    for (const construct of scope.node.findAll()) {
      if (InferenceExperiment.isInferenceExperiment(construct)) {
        // Nothing but the library writes to these policies: each of their statements is the library's.
        experimentPolicies(construct).forEach((policy) => policies.set(policy, [DOCUMENTED_WILDCARDS, () => true]));
      } else if (construct instanceof ShadowTestGuard || construct instanceof ShadowTestVerdict) {
        // The role's policy holds the library's statements once the construct is defined; what is granted to the role
        // later is not.
        const policy = construct.stateMachine.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
        const librarys = new Set(statementsOf(policy).map((statement) => JSON.stringify(statement)));
        if (policy !== undefined) {
          const wildcards = construct instanceof ShadowTestGuard ? GUARD_WILDCARDS : VERDICT_WILDCARDS;
          policies.set(policy, [wildcards, (statement) => librarys.has(JSON.stringify(statement))]);
        }
      }
    }
    policies.forEach(([wildcards, isLibrarys], policy) => acknowledgeWhenComplete(policy, wildcards, isLibrarys));
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

/**
 * The policies that the library writes for `experiment`, which nothing else writes to: those of the experiment's own
 * role, and those of the roles that the experiments of its stack share (a given role, the models' roles).
 */
function experimentPolicies(experiment: IConstruct): IConstruct[] {
  const shared = Stack.of(experiment).node.tryFindChild(SHARED_POLICIES_ID)?.node.children ?? [];
  const own = ['ShadowTestPolicy', 'DataCapturePolicy'].map((id) => experiment.node.tryFindChild(id));
  return [...own, ...shared].flatMap((policy) => policy?.node.defaultChild ?? []);
}

/**
 * Acknowledges the findings of `policy` that `wildcards` document once the app is complete, just before cdk-nag 2's
 * checks (an aspect of the default priority) and cdk-nag 3's (which read the synthesized app) see them: a grant made
 * after this call can raise the same finding as the library's statements, and must not be hidden with them.
 * `isLibrarys` tells the statements that the library wrote, as the policy renders them with their tokens.
 */
function acknowledgeWhenComplete(policy: IConstruct, wildcards: DocumentedWildcard[], isLibrarys: (statement: any) => boolean): void {
  if (!(policy instanceof iam.CfnPolicy)) {
    return;
  }
  const aspect: IAspect = {
    visit: (node) => {
      if (node === policy) {
        acknowledgeWildcards(policy, wildcards, isLibrarys);
      }
    },
  };
  Aspects.of(policy).add(aspect, { priority: AspectPriority.MUTATING });
}

/**
 * Acknowledges each finding of `policy` that `wildcards` document when every statement that raises it is the
 * library's, and of the kind the library writes for it.
 */
function acknowledgeWildcards(policy: iam.CfnPolicy, wildcards: DocumentedWildcard[], isLibrarys: (statement: any) => boolean): void {
  const stack = Stack.of(policy);
  const statements = statementsOf(policy).map((statement) => {
    const resolved = stack.resolve(statement);
    return { resolved, isLibrarys: isLibrarys(statement), findings: wildcardFindings({ Statement: [resolved] }) };
  });
  for (const { finding, reason, writtenAs } of wildcards) {
    const matching = [...new Set(statements.flatMap((statement) => statement.findings))].filter((f) => finding.test(f));
    const acknowledged = matching.filter((f) => statements
      .filter((statement) => statement.findings.includes(f))
      .every((statement) => statement.isLibrarys && (writtenAs?.(statement.resolved) ?? true)));
    if (acknowledged.length > 0) {
      NagAcknowledgements.acknowledge(policy, [{ id: 'AwsSolutions-IAM5', reason, findings: acknowledged }]);
    }
  }
}

/**
 * The statements of `policy` as it renders them, their tokens unresolved: a policy document that is resolved freezes
 * its statements, which the library and the app may still add to before the app is complete.
 */
function statementsOf(policy: IConstruct | undefined): any[] {
  if (!(policy instanceof iam.CfnPolicy)) {
    return [];
  }
  const document = policy.policyDocument;
  return itemsOf((document instanceof iam.PolicyDocument ? document.toJSON() : document)?.Statement);
}

function sameItems(items: string[], expected: string[]): boolean {
  return items.length === expected.length && expected.every((item) => items.includes(item));
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
