/**
 * Writes the modules that the library builds from its two committed data files:
 *
 * - `src/instance-type.ts`, one constant for each instance type of `data/instance-types.txt`: the types that
 *   `RealTimeInferenceConfig.InstanceType` accepts (SageMaker's `ProductionVariantInstanceType` enum);
 * - `src/private/instance-regions.ts`, where SageMaker's price list offers each instance type for real-time inference,
 *   from `data/hosting-instance-types-by-region.json` (which scripts/generate-instance-regions.ts writes from the
 *   pinned cfn-lint's data). The constants' doc comments say where each type is offered, from the same file.
 *
 * Run by the `pre-compile` task, without anything but the data files; the output is committed so that a fresh clone
 * can use the library at once.
 */
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..');
const dataFile = path.join(root, 'data', 'instance-types.txt');
export const PRICE_LIST_FILE = path.join(root, 'data', 'hosting-instance-types-by-region.json');
export const INSTANCE_TYPE_MODULE = path.join(root, 'src', 'instance-type.ts');
export const INSTANCE_REGIONS_MODULE = path.join(root, 'src', 'private', 'instance-regions.ts');

/** Regions are listed in a constant's doc comment when this many or fewer offer it (or lack it). */
const LISTED_REGIONS = 8;

/** SageMaker's price list for real-time inference, by region, as cfn-lint ships it. */
export interface PriceList {
  /** Where the data comes from. */
  readonly source: {
    /** The Python package that ships the data: `cfn-lint`. */
    readonly package: string;
    readonly version: string;
    /** The data file, relative to the package's installation folder. */
    readonly file: string;
    /** The description that the data file gives of itself. */
    readonly description?: string;
  };
  /** Each region's instance types, regions and types in ascending order. */
  readonly regions: Readonly<Record<string, readonly string[]>>;
}

/** `ml.p6-b200.48xlarge` becomes `ML_P6_B200_48XLARGE`. */
export function constantNameOf(instanceType: string): string {
  return instanceType.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

export function readInstanceTypes(file: string = dataFile): string[] {
  return fs.readFileSync(file, 'utf-8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
}

export function readPriceList(file: string = PRICE_LIST_FILE): PriceList {
  return JSON.parse(fs.readFileSync(file, 'utf-8'));
}

/** `cfn-lint 1.58.0`, as messages and doc comments name the data. */
export function priceListSourceOf(priceList: PriceList): string {
  return `${priceList.source.package} ${priceList.source.version}`;
}

/** The regions that offer each instance type of the price list, in the price list's order. */
export function regionsByInstanceType(priceList: PriceList): Map<string, string[]> {
  const regions = new Map<string, string[]>();
  for (const [region, instanceTypes] of Object.entries(priceList.regions)) {
    for (const instanceType of instanceTypes) {
      regions.set(instanceType, [...regions.get(instanceType) ?? [], region]);
    }
  }
  return regions;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Words wrapped into lines of a doc comment, each at most `width` characters after the indentation. */
function wrapped(text: string, indent: string, width = 112): string[] {
  return packed(text.split(' '), indent, width);
}

/** `words`, in order, as few to a line as fit in `width` characters after `indent`, separated by spaces. */
function packed(words: readonly string[], indent: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line.length > 0 ? `${line} ${word}` : word;
    }
  }
  lines.push(line);
  return lines.map((l) => `${indent}${l}`);
}

/** What a constant's doc comment says about where the price list offers the instance type. */
export function offerDescription(offeredIn: readonly string[], allRegions: readonly string[], source: string): string {
  const total = allRegions.length;
  if (offeredIn.length === 0) {
    return `The SageMaker price list (${source} data) has it in no region: it may be retired, or newer than the price ` +
      'list.';
  }
  const where = `in ${offeredIn.length === total ? 'all' : `${offeredIn.length} of the`} ${total} regions of the SageMaker ` +
    `price list (${source} data)`;
  if (offeredIn.length === total) {
    return `Offered for real-time inference ${where}.`;
  }
  const offered = new Set(offeredIn);
  const lacking = allRegions.filter((region) => !offered.has(region));
  const regions = offeredIn.length <= LISTED_REGIONS ? `: ${listed(offeredIn)}`
    : lacking.length <= LISTED_REGIONS ? `: all but ${listed(lacking)}` : '';
  return `Offered for real-time inference ${where}${regions}.`;
}

export function renderInstanceTypeModule(instanceTypes: string[], priceList: PriceList): string {
  const seen = new Map<string, string>();
  for (const instanceType of instanceTypes) {
    const name = constantNameOf(instanceType);
    const clash = seen.get(name);
    if (clash !== undefined) {
      throw new Error(`Instance types '${clash}' and '${instanceType}' would both be named ${name}`);
    }
    seen.set(name, instanceType);
  }

  const regions = regionsByInstanceType(priceList);
  const allRegions = Object.keys(priceList.regions);
  const source = priceListSourceOf(priceList);
  const constants = [...seen.entries()].map(([name, instanceType]) => [
    '  /**',
    `   * \`${instanceType}\``,
    '   *',
    ...wrapped(offerDescription(regions.get(instanceType) ?? [], allRegions, source), '   * '),
    '   */',
    `  public static readonly ${name} = new InstanceType('${instanceType}');`,
  ].join('\n')).join('\n\n');

  return `// Generated by scripts/generate-instance-types.ts from data/instance-types.txt and
// data/hosting-instance-types-by-region.json. Do not edit by hand: change data/instance-types.txt and run
// \`npx projen generate:instance-types\` (the build does it too); \`npx projen generate:instance-regions\` reads the
// price list again from the pinned cfn-lint.
import { requireKind, STRING } from './private/kinds';

/**
 * The ML compute instance type that hosts a model variant.
 *
 * The constants are the instance types that SageMaker accepts for a shadow test's variants today. Use
 * \`InstanceType.of()\` for a type that SageMaker adds later.
 */
export class InstanceType {
${constants}

  /**
   * An instance type given by its SageMaker name, such as \`ml.m5.xlarge\`.
   *
   * Use it for instance types that are newer than this library. The name must start with \`ml.\`; the construct
   * checks it at synth time unless it is a token.
   *
   * @param instanceType the SageMaker instance type name
   */
  public static of(instanceType: string): InstanceType {
    requireKind('InstanceType.of()', 'instanceType', instanceType, STRING);
    return new InstanceType(instanceType);
  }

  private constructor(
    /** The SageMaker name of the instance type, such as \`ml.m5.xlarge\`. */
    public readonly name: string,
  ) {}

  /** The SageMaker name of the instance type. */
  public toString(): string {
    return this.name;
  }
}
`;
}

/** `'a', 'b', 'c'` in lines of at most `width` characters, indented by two spaces. */
function quotedLines(items: readonly string[], width = 116): string[] {
  return packed(items.map((i) => `'${i}',`), '  ', width);
}

/** Ascending indexes as runs: `[0, 1, 2, 5, 7, 8]` becomes `0-2 5 7-8`. */
export function indexRuns(indexes: readonly number[]): string {
  const runs: string[] = [];
  for (let start = 0; start < indexes.length;) {
    let end = start;
    while (end + 1 < indexes.length && indexes[end + 1] === indexes[end] + 1) {
      end++;
    }
    runs.push(end === start ? `${indexes[start]}` : `${indexes[start]}-${indexes[end]}`);
    start = end + 1;
  }
  return runs.join(' ');
}

/**
 * The module that the library reads at synth time: the price list's regions, and for each instance type the indexes
 * of the regions that offer it, as runs in a string (`0-11 15-37`), which keeps the module small and its lines short.
 */
export function renderInstanceRegionsModule(priceList: PriceList): string {
  const allRegions = Object.keys(priceList.regions);
  const indexOf = new Map(allRegions.map((region, i) => [region, i]));
  const offered = [...regionsByInstanceType(priceList).entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([instanceType, regions]) => `  ['${instanceType}', '${indexRuns(regions.map((r) => indexOf.get(r)!))}'],`);

  return `// Generated by scripts/generate-instance-types.ts from data/hosting-instance-types-by-region.json. Do not edit by
// hand: run \`npx projen generate:instance-regions\` to read the pinned cfn-lint's data again.
/*
 * Where SageMaker's price list offers each instance type for real-time inference (hosting), by region: the data that
 * ${priceListSourceOf(priceList)} ships for its rule E3642 (${priceList.source.file}),
 * which aws-cdk-lib's own template validation applies too. instance-offers.ts answers from it.
 */

/** The price list's source, as warnings name it. */
export const PRICE_LIST_SOURCE = '${priceListSourceOf(priceList)}';

/** The regions of the price list. The lists below are indexes into it. */
export const PRICE_LIST_REGIONS: readonly string[] = [
${quotedLines(allRegions).join('\n')}
];

/** Each instance type of the price list, with the indexes of the regions that offer it, as runs (\`0-11 15 17-37\`). */
export const OFFERED: ReadonlyArray<readonly [string, string]> = [
${offered.join('\n')}
];
`;
}

/** Each generated module, by its path, as the data files give it. */
export function generatedModules(instanceTypes: string[], priceList: PriceList): Map<string, string> {
  return new Map([
    [INSTANCE_TYPE_MODULE, renderInstanceTypeModule(instanceTypes, priceList)],
    [INSTANCE_REGIONS_MODULE, renderInstanceRegionsModule(priceList)],
  ]);
}

/** Writes each file whose content differs, and says so. */
export function writeChanged(files: Map<string, string>): void {
  for (const [file, content] of files) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf-8') : '';
    if (current !== content) {
      fs.writeFileSync(file, content);
      console.log(`wrote ${path.relative(root, file)}`);
    }
  }
}

if (require.main === module) {
  writeChanged(generatedModules(readInstanceTypes(), readPriceList()));
}
