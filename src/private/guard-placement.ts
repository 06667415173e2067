import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { environmentsDiffer } from './environments';
import { describeEnvironment, environmentOf } from './placement';
import { ProblemCollector } from './validation';

/*
 * Where the resources of a shadow test guard may be: where its rule and its state machine can reach them.
 */

interface Environment {
  readonly account?: string;
  readonly region?: string;
}

/** Why a resource must be in the guard's account and region, or only in its region. */
export interface ReachRule {
  /** Why the resource must be there. */
  readonly reason: string;
  /** What to do instead; `{owner}` stands for the construct that needs the resource, such as `guard`. */
  readonly fix: string;
  /** Whether only the region matters (a resource that another account may share). */
  readonly regionOnly?: boolean;
}

/**
 * The account and region that an ARN names, each when it is known at synth time. The parts are read from the string
 * itself (`arn:partition:service:region:account:...`), so that an ARN whose partition is a token, as
 * `Stack.formatArn()` makes it, still tells its region and account.
 */
export function arnEnvironment(arn: string): Environment {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    return {};
  }
  const known = (value: string) => (value === '' || Token.isUnresolved(value) ? undefined : value);
  return { region: known(parts[3]), account: known(parts[4]) };
}

/**
 * The account and region of a resource: those of its ARN when the ARN says, else the resource's own (an import by ARN
 * such as `cloudwatch.Alarm.fromAlarmArn()` takes the account and region of its scope's stack, not of the ARN).
 */
function whereIs(resource: IConstruct, arn: string): Environment {
  const fromArn = arnEnvironment(arn);
  const own = environmentOf(resource);
  return { account: fromArn.account ?? own.account, region: fromArn.region ?? own.region };
}

/**
 * Records a problem when `resource`, whose ARN is `arn`, is known to be in another account or region than `guard`
 * (only another region, for a rule that says so).
 */
export function checkReachable(
  problems: ProblemCollector, property: string, resource: IConstruct, arn: string, guard: IConstruct, rule: ReachRule,
  ownerName = 'guard',
): void {
  const there = whereIs(resource, arn);
  const stack = Stack.of(guard);
  const here = { account: rule.regionOnly ? undefined : stack.account, region: stack.region };
  if (environmentsDiffer(rule.regionOnly ? { region: there.region } : there, here)) {
    const shownArn = Token.isUnresolved(arn) ? '' : ` (${arn})`;
    problems.addDescribed(property, `'${resource.node.path}'${shownArn}, in ${describeEnvironment(there, !!rule.regionOnly)}`,
      `must be in the ${ownerName}'s own ${describeEnvironment(here, !!rule.regionOnly)}: ${rule.reason}. ` +
      rule.fix.replace('{owner}', ownerName));
  }
}
