/**
 * Reads where SageMaker's price list offers each instance type for real-time inference, by region, from the data that
 * the pinned cfn-lint ships for its rule E3642 (`cfnlint/data/schemas/extensions/aws_sagemaker_hosting/
 * instancetype_enum.json`), and writes it to `data/hosting-instance-types-by-region.json`, then the modules built from
 * it (see generate-instance-types.ts).
 *
 *   ts-node scripts/generate-instance-regions.ts           writes the files that differ
 *   ts-node scripts/generate-instance-regions.ts --check   writes nothing; fails, saying what differs, when a
 *                                                          committed file is not what the pinned cfn-lint gives
 *
 * cfn-lint is the one that test/judges/install.sh installs into .venv/cfn-lint from the hashed lock file
 * test/judges/cfn-lint.txt; the script finds the data through that environment's Python, and refuses a cfn-lint of
 * another version than the lock file pins. The library itself never reads the data file or the environment: it reads
 * the generated module.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  generatedModules, PRICE_LIST_FILE, PriceList, readInstanceTypes, writeChanged,
} from './generate-instance-types';

const root = path.join(__dirname, '..');
export const CFN_LINT_PYTHON = path.join(root, '.venv', 'cfn-lint', 'bin', 'python');
const LOCK_FILE = path.join(root, 'test', 'judges', 'cfn-lint.txt');

/** The data file, inside the cfnlint package. */
const DATA_FILE_IN_PACKAGE = ['data', 'schemas', 'extensions', 'aws_sagemaker_hosting', 'instancetype_enum.json'];

/** A region name, such as `us-east-1` or `us-gov-west-1`. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The version of cfn-lint that the lock file pins. */
export function pinnedCfnLintVersion(lockFile: string = LOCK_FILE): string {
  const pinned = /^cfn-lint==([^\s\\]+)/m.exec(fs.readFileSync(lockFile, 'utf-8'))?.[1];
  if (pinned === undefined) {
    throw new Error(`${path.relative(root, lockFile)} pins no version of cfn-lint`);
  }
  return pinned;
}

/** The installed cfn-lint's version and the folder of its `cfnlint` package, as its own Python reports them. */
function installedCfnLint(python: string): { version: string; packageDir: string } {
  if (!fs.existsSync(python)) {
    throw new Error(`${path.relative(root, python)} is missing: install cfn-lint with \`bash test/judges/install.sh\``);
  }
  const script = 'import json, os, cfnlint\nfrom importlib.metadata import version\n' +
    'print(json.dumps({"version": version("cfn-lint"), "packageDir": os.path.dirname(cfnlint.__file__)}))';
  return JSON.parse(execFileSync(python, ['-c', script], { encoding: 'utf-8' }));
}

/** The price list as the data file of the pinned cfn-lint gives it, checked for the shape that this script expects. */
export function pinnedPriceList(python: string = CFN_LINT_PYTHON): PriceList {
  const { version, packageDir } = installedCfnLint(python);
  const pinned = pinnedCfnLintVersion();
  if (version !== pinned) {
    throw new Error(`cfn-lint ${version} is installed, but ${path.relative(root, LOCK_FILE)} pins ${pinned}: ` +
      'install the pinned one with `bash test/judges/install.sh`');
  }
  const file = path.join(packageDir, ...DATA_FILE_IN_PACKAGE);
  const raw: Record<string, unknown> = JSON.parse(fs.readFileSync(file, 'utf-8'));
  const regions: Record<string, string[]> = {};
  let description: string | undefined;
  for (const key of Object.keys(raw).sort()) {
    const value = raw[key] as { enum?: unknown };
    if (key === 'description' && typeof value === 'string') {
      description = value;
      continue;
    }
    const types = value?.enum;
    if (!REGION.test(key) || !Array.isArray(types) || types.some((t) => typeof t !== 'string' || !t.startsWith('ml.'))) {
      throw new Error(`${file}: '${key}' is not a region with an enum of instance types; the data's format changed`);
    }
    const sorted = [...new Set(types as string[])].sort();
    if (sorted.length !== types.length) {
      throw new Error(`${file}: ${key} lists an instance type twice`);
    }
    regions[key] = sorted;
  }
  if (Object.keys(regions).length === 0) {
    throw new Error(`${file} lists no region`);
  }
  return {
    source: {
      package: 'cfn-lint',
      version,
      file: ['cfnlint', ...DATA_FILE_IN_PACKAGE].join('/'),
      ...(description === undefined ? {} : { description }),
    },
    regions,
  };
}

/** The data file's content: one instance type a line, so that a change reads clearly in a diff. */
export function renderPriceListFile(priceList: PriceList): string {
  return `${JSON.stringify(priceList, undefined, 2)}\n`;
}

/** Every file that the pinned price list gives: the data file, and the modules built from it. */
export function expectedFiles(priceList: PriceList): Map<string, string> {
  return new Map([
    [PRICE_LIST_FILE, renderPriceListFile(priceList)],
    ...generatedModules(readInstanceTypes(), priceList),
  ]);
}

/** At most `max` items, and how many more. */
function some(items: string[], max = 6): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** What differs between the committed price list and the pinned one, a line each. */
export function priceListChanges(committed: PriceList | undefined, pinned: PriceList): string[] {
  if (committed === undefined) {
    return ['the data file is missing or unreadable'];
  }
  const changes: string[] = [];
  for (const key of ['package', 'version', 'file', 'description'] as const) {
    if (committed.source?.[key] !== pinned.source[key]) {
      changes.push(`source.${key}: ${JSON.stringify(committed.source?.[key])} -> ${JSON.stringify(pinned.source[key])}`);
    }
  }
  const before = committed.regions ?? {};
  const after = pinned.regions;
  const removedRegions = Object.keys(before).filter((r) => !(r in after));
  const addedRegions = Object.keys(after).filter((r) => !(r in before));
  if (removedRegions.length > 0) {
    changes.push(`regions removed: ${removedRegions.join(', ')}`);
  }
  if (addedRegions.length > 0) {
    changes.push(`regions added: ${addedRegions.join(', ')}`);
  }
  for (const region of Object.keys(after).filter((r) => r in before)) {
    const had = new Set(before[region]);
    const has = new Set(after[region]);
    const added = [...has].filter((t) => !had.has(t));
    const removed = [...had].filter((t) => !has.has(t));
    if (added.length > 0 || removed.length > 0) {
      changes.push(`${region}: ${[
        ...added.length > 0 ? [`+${added.length} (${some(added)})`] : [],
        ...removed.length > 0 ? [`-${removed.length} (${some(removed)})`] : [],
      ].join(', ')}`);
    }
  }
  return changes;
}

/** Each committed file that is not what the pinned price list gives, with what differs. */
export function differences(priceList: PriceList = pinnedPriceList()): string[] {
  const found: string[] = [];
  for (const [file, content] of expectedFiles(priceList)) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf-8') : undefined;
    if (current === content) {
      continue;
    }
    const name = path.relative(root, file);
    if (file === PRICE_LIST_FILE) {
      let committed: PriceList | undefined;
      try {
        committed = current === undefined ? undefined : JSON.parse(current);
      } catch {
        committed = undefined;
      }
      const changes = priceListChanges(committed, priceList);
      found.push(`${name} differs from ${priceList.source.package} ${priceList.source.version}'s data` +
        (changes.length > 0 ? `:\n${changes.map((c) => `  ${c}`).join('\n')}` : ' (in its formatting only)'));
    } else {
      found.push(`${name} is not the module that the data gives`);
    }
  }
  return found;
}

if (require.main === module) {
  const priceList = pinnedPriceList();
  if (process.argv.includes('--check')) {
    const found = differences(priceList);
    if (found.length > 0) {
      console.error(`${found.join('\n')}\nRun \`npx projen generate:instance-regions\` and commit what it writes.`);
      process.exit(1);
    }
    console.log(`the committed price list is ${priceList.source.package} ${priceList.source.version}'s`);
  } else {
    writeChanged(expectedFiles(priceList));
  }
}
