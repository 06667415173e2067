import { OFFERED, PRICE_LIST_REGIONS } from './instance-regions';

/*
 * Where SageMaker's price list offers each instance type for real-time inference, answered from the generated data of
 * instance-regions.ts. Each region's set is built once, when first asked for.
 */

export { PRICE_LIST_SOURCE } from './instance-regions';

/** The number of regions in the price list. */
export const PRICE_LIST_REGION_COUNT = PRICE_LIST_REGIONS.length;

let typesByRegion: Map<string, Set<string>> | undefined;
let regionsByType: Map<string, readonly string[]> | undefined;

function index(): void {
  typesByRegion = new Map(PRICE_LIST_REGIONS.map((region) => [region, new Set<string>()]));
  regionsByType = new Map();
  for (const [instanceType, runs] of OFFERED) {
    const regions: string[] = [];
    for (const run of runs.split(' ')) {
      const [first, last = first] = run.split('-').map(Number);
      for (let i = first; i <= last; i++) {
        regions.push(PRICE_LIST_REGIONS[i]);
      }
    }
    regionsByType.set(instanceType, regions);
    for (const region of regions) {
      typesByRegion.get(region)!.add(instanceType);
    }
  }
}

/** The instance types that the price list offers in `region`, or `undefined` for a region that it does not cover. */
export function typesOfferedIn(region: string): ReadonlySet<string> | undefined {
  if (typesByRegion === undefined) {
    index();
  }
  return typesByRegion!.get(region);
}

/** The regions where the price list offers `instanceType`, in alphabetical order: none for a type that it lacks. */
export function regionsOffering(instanceType: string): readonly string[] {
  if (regionsByType === undefined) {
    index();
  }
  return regionsByType!.get(instanceType) ?? [];
}
