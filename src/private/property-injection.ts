import { PropertyInjectors } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';

/**
 * `props` as changed by the property injector registered for `uniqueId` on the nearest of `scope` and its parents
 * that has one (`PropertyInjectors.of(scope).add(...)`), or unchanged when there is none.
 *
 * aws-cdk-lib's L2s apply injectors through a class decorator that the package does not export, so the same lookup is
 * made here, on the public `PropertyInjectors`.
 */
export function injectedProps<T>(uniqueId: string, props: T, scope: Construct, id: string): T {
  for (let current: IConstruct | undefined = scope; current !== undefined; current = current.node.scope) {
    const injector = PropertyInjectors.hasPropertyInjectors(current) ? PropertyInjectors.of(current).for(uniqueId) : undefined;
    if (injector !== undefined) {
      return injector.inject(props, { scope, id });
    }
  }
  return props;
}
