import * as fs from 'fs';
import * as path from 'path';
import {
  constantNameOf, offerDescription, readInstanceTypes, readPriceList, renderInstanceTypeModule,
} from '../scripts/generate-instance-types';
import { InstanceType } from '../src';

const dataFile = path.join(__dirname, '..', 'data', 'instance-types.txt');

const priceList = readPriceList();

describe('InstanceType', () => {
  const listed = readInstanceTypes(dataFile);

  test('has a constant for every instance type of the data file, and no other', () => {
    const constants = Object.entries(InstanceType)
      .filter(([, value]) => value instanceof InstanceType)
      .map(([name, value]) => [name, (value as InstanceType).name]);

    expect(listed).toHaveLength(277);
    expect(constants).toEqual(listed.map((type) => [constantNameOf(type), type]));
  });

  test('names constants after the instance type', () => {
    expect(InstanceType.ML_M5_XLARGE.name).toBe('ml.m5.xlarge');
    expect(InstanceType.ML_P6_B200_48XLARGE.name).toBe('ml.p6-b200.48xlarge');
    expect(InstanceType.ML_P6E_GB200_36XLARGE.toString()).toBe('ml.p6e-gb200.36xlarge');
  });

  test('accepts an instance type newer than the library', () => {
    expect(InstanceType.of('ml.g9.96xlarge').name).toBe('ml.g9.96xlarge');
  });

  test('source file is the one generated from the data file', () => {
    const source = fs.readFileSync(path.join(__dirname, '..', 'src', 'instance-type.ts'), 'utf-8');
    expect(source).toBe(renderInstanceTypeModule(listed, priceList));
  });

  test('generator refuses two instance types that would get the same constant name', () => {
    expect(() => renderInstanceTypeModule(['ml.a-b.large', 'ml.a.b.large'], priceList)).toThrow(/would both be named ML_A_B_LARGE/);
  });
});

describe('the doc comment of each InstanceType constant', () => {
  const source = fs.readFileSync(path.join(__dirname, '..', 'src', 'instance-type.ts'), 'utf-8');
  /** A constant's doc comment, on one line. */
  const docOf = (name: string) => {
    const match = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\n  public static readonly ${name} =`).exec(source);
    return match![1].replace(/\n\s*\* ?/g, ' ').replace(/\s+/g, ' ').trim();
  };

  const total = Object.keys(priceList.regions).length;
  /** The data's source, as a regular expression. */
  const sourcePattern = `cfn-lint ${priceList.source.version.replace(/\./g, '\\.')}`;

  test('says where the price list offers the type, listing the regions when few do', () => {
    const regions = Object.entries(priceList.regions).filter(([, types]) => types.includes('ml.m6i.xlarge')).map(([region]) => region);
    expect(regions.length).toBeLessThanOrEqual(8);
    expect(docOf('ML_M6I_XLARGE')).toBe(`\`ml.m6i.xlarge\` Offered for real-time inference in ${regions.length} of the ${total} regions ` +
      `of the SageMaker price list (cfn-lint ${priceList.source.version} data): ${regions.slice(0, -1).join(', ')} and ${regions[regions.length - 1]}.`);
    expect(docOf('ML_M5_XLARGE')).toMatch(new RegExp(`^\`ml\\.m5\\.xlarge\` Offered for real-time inference in \\d+ of the ${total} regions ` +
      `of the SageMaker price list \\(${sourcePattern} data\\)`));
  });

  test('says when the price list has the type in no region', () => {
    const everywhere = new Set(Object.values(priceList.regions).flat());
    const nowhere = readInstanceTypes(dataFile).filter((type) => !everywhere.has(type));
    expect(nowhere).toEqual(expect.arrayContaining(['ml.p3.2xlarge', 'ml.p2.xlarge', 'ml.dl1.24xlarge']));
    for (const type of nowhere) {
      expect(docOf(constantNameOf(type))).toMatch(new RegExp(`The SageMaker price list \\(${sourcePattern} data\\) has it in no region: it may be ` +
        'retired, or newer than the price list\\.$'));
    }
  });

  test('deprecates no constant: the price list alone does not show that a type is retired', () => {
    expect(source).not.toMatch(/@deprecated/);
  });

  test('words each case of the price list', () => {
    const regions = ['a-1', 'b-1', 'c-1', 'd-1', 'e-1', 'f-1', 'g-1', 'h-1', 'i-1', 'j-1', 'k-1', 'l-1'];
    expect(offerDescription(regions, regions, 'x 1')).toBe('Offered for real-time inference in all 12 regions of the SageMaker price list (x 1 data).');
    expect(offerDescription(['b-1'], regions, 'x 1')).toBe('Offered for real-time inference in 1 of the 12 regions of the SageMaker price list (x 1 data): b-1.');
    expect(offerDescription(regions.slice(0, 3), regions, 'x 1'))
      .toBe('Offered for real-time inference in 3 of the 12 regions of the SageMaker price list (x 1 data): a-1, b-1 and c-1.');
    expect(offerDescription(regions.slice(2), regions, 'x 1'))
      .toBe('Offered for real-time inference in 10 of the 12 regions of the SageMaker price list (x 1 data): all but a-1 and b-1.');
    expect(offerDescription([], regions, 'x 1')).toBe('The SageMaker price list (x 1 data) has it in no region: it may be retired, or newer than the price list.');
    const many = [...regions, ...regions.map((r) => `z${r}`)].sort();
    expect(offerDescription(many.slice(0, 12), many, 'x 1')).toBe('Offered for real-time inference in 12 of the 24 regions of the SageMaker price list (x 1 data).');
  });
});
