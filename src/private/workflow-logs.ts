import {
  Annotations, ArnFormat, aws_iam as iam, aws_kms as kms, aws_logs as logs, Fn, Names, RemovalPolicy, Stack, Token,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkReachable, ReachRule } from './guard-placement';
import { checkKind, Kind, oneOf, reference } from './kinds';
import { ProblemCollector } from './validation';
import { LOG_KEY_POLICY_NOT_UPDATED } from './warnings';

/*
 * The log group of a state machine of the library: encrypted, named so that a kept one never blocks the next
 * deployment, removed with the stack unless the user keeps it.
 */

/** How the runs are logged: the public `WorkflowLogOptions`, as plain data. */
export interface LogOptions {
  readonly logEncryptionKey?: kms.IKey;
  readonly logRetention?: logs.RetentionDays;
  readonly logRemovalPolicy?: RemovalPolicy;
}

const LOG_KEY = reference('keyArn', 'a kms.IKey, such as a kms.Key of the app or kms.Key.fromKeyArn()', false);
const RETENTION: Kind = { test: (v) => typeof v === 'number', expected: 'a logs.RetentionDays' };
const REMOVAL_POLICY = oneOf(Object.values(RemovalPolicy), 'a RemovalPolicy, such as RemovalPolicy.RETAIN');

/** The retention periods, in days, that CloudWatch Logs accepts (`RetentionInDays`). */
const ACCEPTED_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** The removal policies that CloudFormation applies to a log group and a key: neither can be snapshotted. */
const LOG_REMOVAL_POLICIES = [RemovalPolicy.DESTROY, RemovalPolicy.RETAIN, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE];

const LOG_KEY_REGION: ReachRule = {
  reason: 'CloudWatch Logs encrypts a log group only with a key of the log group\'s region',
  fix: 'Use a key of this region, or leave logEncryptionKey out for a new key',
  regionOnly: true,
};

/** Records every problem of the log options of `owner`, which messages call `ownerName`. */
export function checkLogOptions(problems: ProblemCollector, options: LogOptions, owner: Construct, ownerName: string): void {
  if (checkKind(problems, 'logEncryptionKey', options.logEncryptionKey, LOG_KEY, true) && options.logEncryptionKey) {
    checkReachable(problems, 'logEncryptionKey', options.logEncryptionKey, options.logEncryptionKey.keyArn, owner, LOG_KEY_REGION, ownerName);
  }
  if (checkKind(problems, 'logRetention', options.logRetention, RETENTION, true)) {
    checkRetention(problems, options.logRetention);
  }
  if (checkKind(problems, 'logRemovalPolicy', options.logRemovalPolicy, REMOVAL_POLICY, true) &&
    options.logRemovalPolicy !== undefined && !LOG_REMOVAL_POLICIES.includes(options.logRemovalPolicy)) {
    problems.add('logRemovalPolicy', options.logRemovalPolicy, 'must be RemovalPolicy.DESTROY, RETAIN or ' +
      'RETAIN_ON_UPDATE_OR_DELETE: CloudFormation takes no snapshot of a log group or a key');
  }
}

/** Records a problem when `retention` is a number of days that CloudWatch Logs does not accept. */
function checkRetention(problems: ProblemCollector, retention: logs.RetentionDays | undefined): void {
  if (retention === undefined || Token.isUnresolved(retention) || retention === logs.RetentionDays.INFINITE ||
    ACCEPTED_RETENTION_DAYS.includes(retention)) {
    return;
  }
  problems.add('logRetention', retention, `must be a number of days that CloudWatch Logs accepts: ${ACCEPTED_RETENTION_DAYS.join(', ')} ` +
    '(the members of logs.RetentionDays), or logs.RetentionDays.INFINITE to keep the logs for ever');
}

/**
 * A log group of `owner` (ids `Logs`, and `LogsKey` for a new key) named under `/aws/vendedlogs/`, as AWS advises for
 * the logs of state machines (it keeps CloudWatch Logs' resource policy small), encrypted with a key whose policy
 * lets CloudWatch Logs use it for this owner's log groups only. `what` names the owner in the key's description.
 *
 * The name ends with the UUID of the stack's ID, which is new each time the stack is created: a log group kept by a
 * deleted stack then never holds the name that the next creation needs.
 */
export function encryptedLogGroup(owner: Construct, options: LogOptions, what: string): logs.LogGroup {
  const stack = Stack.of(owner);
  const removalPolicy = options.logRemovalPolicy ?? RemovalPolicy.DESTROY;
  // At most 23 + 400 + 1 + 36 characters, within the 512 that CloudWatch Logs accepts.
  const namePrefix = `/aws/vendedlogs/states/${Names.uniqueResourceName(owner, { maxLength: 400, separator: '-' })}-`;
  const logGroupName = `${namePrefix}${Fn.select(2, Fn.split('/', stack.stackId))}`;
  const key = options.logEncryptionKey ?? new kms.Key(owner, 'LogsKey', {
    description: `Encrypts the logs of the ${what} ${owner.node.path}`,
    enableKeyRotation: true,
    // The logs cannot be read without their key: it goes, or stays, with them.
    removalPolicy,
  });
  // The condition names the prefix rather than the whole name: a key of another stack could not refer to this
  // stack's ID without making each stack depend on the other.
  const logGroupArns = stack.formatArn({
    service: 'logs', resource: 'log-group', resourceName: `${namePrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const { statementAdded } = key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
    actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': logGroupArns } },
  }));
  if (!statementAdded) {
    Annotations.of(owner).addWarningV2(LOG_KEY_POLICY_NOT_UPDATED, `logEncryptionKey '${key.node.path}' is not a key of ` +
      `the app, so its key policy cannot be changed here: let logs.${stack.region}.amazonaws.com use it for the log ` +
      `groups ${namePrefix}* (kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey*, kms:Describe*), or the ` +
      'log group cannot be created');
  }
  return new logs.LogGroup(owner, 'Logs', {
    logGroupName, encryptionKey: key, retention: options.logRetention ?? logs.RetentionDays.ONE_YEAR, removalPolicy,
  });
}
