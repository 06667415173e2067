import { aws_kms as kms, aws_logs as logs, RemovalPolicy } from 'aws-cdk-lib';

/**
 * How the runs of a state machine of this library (a guard's, a verdict's) are logged: every run, with its data, to
 * an encrypted log group of its own.
 */
export interface WorkflowLogOptions {
  /**
   * The key that encrypts the state machine's log group. Its key policy must let CloudWatch Logs use it; the
   * construct adds that permission to a key of the app.
   *
   * The key must be in the construct's region: CloudWatch Logs uses only a key of the log group's region.
   *
   * @default - a new key with yearly rotation, used by this log group only (1 USD a month, plus 1 USD a month for
   * each of its first two rotations), removed with the log group unless `logRemovalPolicy` keeps it
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * How long the state machine's logs are kept: one of the numbers of days that CloudWatch Logs accepts (the members
   * of `logs.RetentionDays`), or `logs.RetentionDays.INFINITE` to keep them for ever.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the state machine's log group, and to the key that the construct creates for it, when the
   * construct is removed from the stack or the stack is deleted. `RemovalPolicy.RETAIN` keeps them (and their cost:
   * the logs' storage, and the key); the key goes with the logs, which cannot be read without it. A given
   * `logEncryptionKey` is not affected.
   *
   * A kept log group never stands in the way of a new deployment: the log group's name ends with the UUID of the
   * stack's ID, which is new each time the stack is created.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;
}
