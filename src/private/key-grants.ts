import { Annotations, Arn, ArnFormat, aws_iam as iam, aws_kms as kms, Stack, Token } from 'aws-cdk-lib';
import { aws_kms as kmsRefs } from 'aws-cdk-lib/interfaces';
import { IConstruct } from 'constructs';
import { KEY_NOT_GRANTED } from './warnings';

/*
 * SageMaker takes a KMS key as a key ID, a key ARN, an alias name or an alias ARN. IAM authorizes KMS operations
 * against the key's ARN, never an alias's: a key known only by an alias is granted on the keys of the alias's
 * account and region, on the condition that the key carries that alias (`kms:ResourceAliases`), as AWS documents
 * for aliases.
 */

/**
 * Grants `actions` on `key` to `grantee`, whatever form the key is given in, or warns, naming `property`, when the
 * form cannot be known at synth time.
 */
export function grantOnKey(scope: IConstruct, grantee: iam.IGrantable, key: kmsRefs.IKeyRef, actions: string[], property: string): void {
  const target = grantTarget(key);
  if (target === 'own-grant') {
    (key as kms.IKey).grant(grantee, ...actions);
  } else if (target === undefined) {
    Annotations.of(scope).addWarningV2(KEY_NOT_GRANTED,
      `${property} is known only at deploy time, so it can not be told whether it names a key or an alias, and the ` +
      `experiment's role was not granted ${actions.join(', ')} on it. Pass a kms.IKey (kms.Key.fromKeyArn()) or a ` +
      'kms.Alias.fromAliasName(), or grant these actions yourself and acknowledge this warning.');
  } else {
    iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [target.resourceArn],
      conditions: target.aliasName ? { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': target.aliasName } } : undefined,
    });
  }
}

interface KeyGrantTarget {
  readonly resourceArn: string;
  /** The alias that the key must carry, when the key is known only by an alias. */
  readonly aliasName?: string;
}

/**
 * What to grant on: `own-grant` for an L2 key, imported or not, and an alias defined in the app (it grants its
 * target key); a target computed from the alias name for an alias imported by name (whose own grant does nothing
 * unless a feature flag is set); a target read from the ARN or ID otherwise; undefined when that is a token.
 */
function grantTarget(key: kmsRefs.IKeyRef): KeyGrantTarget | 'own-grant' | undefined {
  const aliasName = (key as Partial<kms.IAlias>).aliasName;
  if (typeof aliasName === 'string' && !kms.Alias.prototype.isPrototypeOf(key)) {
    return Token.isUnresolved(aliasName) ? undefined : { resourceArn: anyKeyOf(Stack.of(key)), aliasName };
  }
  if (typeof (key as Partial<kms.IKey>).grant === 'function') {
    return 'own-grant';
  }
  if (kms.CfnKey.isCfnKey(key)) {
    return { resourceArn: key.attrArn };
  }
  const keyArn = key.keyRef.keyArn;
  if (Token.isUnresolved(keyArn)) {
    return undefined;
  }
  if (keyArn.startsWith('arn:')) {
    const arn = Arn.split(keyArn, ArnFormat.SLASH_RESOURCE_NAME);
    return arn.resource === 'alias'
      ? { resourceArn: `arn:${arn.partition}:kms:${arn.region}:${arn.account}:key/*`, aliasName: `alias/${arn.resourceName}` }
      : { resourceArn: keyArn };
  }
  const stack = Stack.of(key);
  return keyArn.startsWith('alias/')
    ? { resourceArn: anyKeyOf(stack), aliasName: keyArn }
    : { resourceArn: stack.formatArn({ service: 'kms', resource: 'key', resourceName: keyArn }) };
}

function anyKeyOf(stack: Stack): string {
  return stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' });
}
