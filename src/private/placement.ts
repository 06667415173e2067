import { aws_sagemaker as sagemaker, Resource, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { l1Of } from './app-resources';
import { environmentsDiffer } from './environments';
import { ProblemCollector } from './validation';

/*
 * Where a shadow test may run: on an endpoint and models of its own account and region, and alone on its endpoint.
 */

interface Environment {
  readonly account: string;
  readonly region: string;
}

/** The account and region of a resource: an L2's or an import's own, or else its stack's. */
export function environmentOf(construct: IConstruct): Environment {
  return Resource.isResource(construct) ? construct.env : Stack.of(construct);
}

const isKnown = (value: string) => !Token.isUnresolved(value);

/** The account and region, as an error message says them; only the region when `regionOnly`. */
export function describeEnvironment(environment: { readonly account?: string; readonly region?: string }, regionOnly = false): string {
  const part = (value: string | undefined) => (value !== undefined && isKnown(value) ? value : 'known at deploy time');
  return regionOnly ? `region ${part(environment.region)}` : `account ${part(environment.account)}, region ${part(environment.region)}`;
}

/** Why a resource must be in the account and region of the construct that uses it. */
export interface SameEnvironmentRule {
  /** What uses the resource, such as 'experiment'. */
  readonly user: string;
  /** Why the resource must be in its account and region. */
  readonly reason: string;
}

const SHADOW_TEST_PLACEMENT: SameEnvironmentRule = {
  user: 'experiment',
  reason: 'a shadow test runs on an endpoint and models of its own account and region',
};

/**
 * Records a problem when `resource` is known to be in another account or region than `user`: by default, a shadow
 * test's rule, that SageMaker runs it on an endpoint and models of its own account and region.
 */
export function checkSameEnvironment(
  problems: ProblemCollector, property: string, resource: IConstruct, user: IConstruct, rule: SameEnvironmentRule = SHADOW_TEST_PLACEMENT,
): void {
  const there = environmentOf(resource);
  const here = Stack.of(user);
  if (environmentsDiffer(there, here)) {
    problems.addDescribed(property, `'${resource.node.path}', in ${describeEnvironment(there)}`,
      `must be in the ${rule.user}'s own ${describeEnvironment(here)}: ${rule.reason}. Define the ${rule.user} in a ` +
      'stack of that environment, or use a resource of this one');
  }
}

/** The shadow test of each endpoint, in each app. */
const TESTS_BY_ENDPOINT = new WeakMap<IConstruct, Map<string, IConstruct>>();

/**
 * What identifies an endpoint in an app: its name when it is known at synth time (SageMaker compares endpoint names
 * without case), in its account and region when both are known or else in its stack; the endpoint's L1 otherwise.
 */
function endpointKey(endpoint: IConstruct, endpointName: string): string {
  const cfnEndpoint = l1Of(endpoint, sagemaker.CfnEndpoint.isCfnEndpoint);
  const name = cfnEndpoint === undefined ? endpointName : cfnEndpoint.endpointName;
  if (name === undefined || (cfnEndpoint !== undefined && Token.isUnresolved(name))) {
    return `construct:${(cfnEndpoint ?? endpoint).node.path}`;
  }
  const environment = environmentOf(endpoint);
  const where = isKnown(environment.account) && isKnown(environment.region)
    ? `${environment.account}/${environment.region}` : Stack.of(endpoint).node.path;
  return `name:${where}/${Token.isUnresolved(name) ? name : name.toLowerCase()}`;
}

/**
 * Records a problem when another shadow test of the app already runs on `endpoint`: an endpoint has at most one shadow
 * variant, so SageMaker runs one test on it at a time. Returns what makes `experiment` the endpoint's test, to call
 * once the experiment is known to be valid.
 */
export function checkEndpointIsFree(
  problems: ProblemCollector, experiment: IConstruct, endpoint: IConstruct, endpointName: string,
): () => void {
  const root = experiment.node.root;
  let tests = TESTS_BY_ENDPOINT.get(root);
  if (tests === undefined) {
    tests = new Map();
    TESTS_BY_ENDPOINT.set(root, tests);
  }
  const key = endpointKey(endpoint, endpointName);
  const other = tests.get(key);
  if (other !== undefined) {
    problems.addDescribed('endpoint', `'${endpoint.node.path}', the endpoint of the shadow test '${other.node.path}' too`,
      'an endpoint runs one shadow test at a time. Give each test its own endpoint, or remove the concluded test from ' +
      'the app before adding the next one');
  }
  return () => tests.set(key, experiment);
}
