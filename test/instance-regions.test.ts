/*
 * Where SageMaker's price list offers each instance type for real-time inference: the committed data file
 * (data/hosting-instance-types-by-region.json) is what the pinned cfn-lint ships, and the module that the library reads
 * at synth time (src/private/instance-regions.ts) answers as the data file says.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CFN_LINT_PYTHON, differences, pinnedCfnLintVersion, priceListChanges } from '../scripts/generate-instance-regions';
import { indexRuns, PRICE_LIST_FILE, readPriceList, renderInstanceRegionsModule } from '../scripts/generate-instance-types';
import {
  PRICE_LIST_REGION_COUNT, PRICE_LIST_SOURCE, regionsOffering, typesOfferedIn,
} from '../src/private/instance-offers';

const priceList = readPriceList();

describe('the committed price list', () => {
  // The test task installs cfn-lint first (test/judges/install.sh); without Python it is skipped, unless the judges
  // are required, as they are in the gate: then the comparison runs, and fails for want of cfn-lint.
  const installed = fs.existsSync(CFN_LINT_PYTHON);
  if (installed || process.env.JUDGES_REQUIRED === '1') {
    test('is what the pinned cfn-lint ships, and the generated modules are what it gives', () => {
      expect(differences()).toEqual([]);
    });
  } else {
    test.skip('is what the pinned cfn-lint ships (skipped: cfn-lint is not installed in .venv/cfn-lint; ' +
      '`bash test/judges/install.sh` installs it)', () => {});
  }

  test('names as its source the cfn-lint that the lock file pins', () => {
    expect(priceList.source).toEqual(expect.objectContaining({
      package: 'cfn-lint',
      version: pinnedCfnLintVersion(),
      file: 'cfnlint/data/schemas/extensions/aws_sagemaker_hosting/instancetype_enum.json',
    }));
    expect(PRICE_LIST_SOURCE).toBe(`cfn-lint ${pinnedCfnLintVersion()}`);
  });

  test('lists regions, each with instance types, in ascending order', () => {
    const regions = Object.keys(priceList.regions);
    expect(regions.length).toBeGreaterThan(30);
    expect(regions).toEqual([...regions].sort());
    expect(regions).toContain('us-east-1');
    for (const types of Object.values(priceList.regions)) {
      expect(types.length).toBeGreaterThan(0);
      expect(types).toEqual([...new Set(types)].sort());
      expect(types.every((t) => t.startsWith('ml.'))).toBe(true);
    }
  });
});

describe('the generated module', () => {
  test('is the one generated from the data file', () => {
    const source = fs.readFileSync(path.join(__dirname, '..', 'src', 'private', 'instance-regions.ts'), 'utf-8');
    expect(source).toBe(renderInstanceRegionsModule(priceList));
  });

  test('gives each region the instance types of the data file, and no other', () => {
    expect(PRICE_LIST_REGION_COUNT).toBe(Object.keys(priceList.regions).length);
    for (const [region, types] of Object.entries(priceList.regions)) {
      expect([...typesOfferedIn(region)!].sort()).toEqual(types);
    }
  });

  test('gives each instance type the regions that offer it', () => {
    expect(regionsOffering('ml.m6i.xlarge')).toEqual(
      Object.entries(priceList.regions).filter(([, types]) => types.includes('ml.m6i.xlarge')).map(([region]) => region));
    expect(regionsOffering('ml.m5.xlarge')).toContain('us-east-1');
  });

  test('knows nothing of a region that the price list does not cover, nor of a type that it lacks', () => {
    expect(typesOfferedIn('us-isob-east-1')).toBeUndefined();
    expect(typesOfferedIn('')).toBeUndefined();
    expect(typesOfferedIn('constructor')).toBeUndefined();
    expect(regionsOffering('ml.p3.2xlarge')).toEqual([]);
    expect(regionsOffering('ml.g9.96xlarge')).toEqual([]);
    expect(regionsOffering('__proto__')).toEqual([]);
  });

  test('builds each region\'s set once', () => {
    expect(typesOfferedIn('us-east-1')).toBe(typesOfferedIn('us-east-1'));
  });

  test('writes region indexes as runs', () => {
    expect(indexRuns([])).toBe('');
    expect(indexRuns([3])).toBe('3');
    expect(indexRuns([0, 1, 2, 5, 7, 8, 10])).toBe('0-2 5 7-8 10');
  });
});

describe('the generator\'s check', () => {
  test('says what differs between the committed price list and the pinned one', () => {
    const committed = {
      source: { ...priceList.source, version: '0.0.1' },
      regions: { 'af-south-1': ['ml.c5.large'], 'us-east-1': ['ml.c5.large', 'ml.m5.large'] },
    };
    const pinned = {
      source: priceList.source,
      regions: { 'us-east-1': ['ml.c5.large', 'ml.m6i.large'], 'us-west-2': ['ml.c5.large'] },
    };
    expect(priceListChanges(committed, pinned)).toEqual([
      `source.version: "0.0.1" -> "${priceList.source.version}"`,
      'regions removed: af-south-1',
      'regions added: us-west-2',
      'us-east-1: +1 (ml.m6i.large), -1 (ml.m5.large)',
    ]);
    expect(priceListChanges(undefined, pinned)).toEqual(['the data file is missing or unreadable']);
    expect(priceListChanges(priceList, priceList)).toEqual([]);
  });

  test('reads the data file that the library is built from', () => {
    expect(path.relative(path.join(__dirname, '..'), PRICE_LIST_FILE)).toBe(path.join('data', 'hosting-instance-types-by-region.json'));
  });
});
