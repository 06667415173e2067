import * as fs from 'fs';
import * as path from 'path';
import { constantNameOf, readInstanceTypes, renderInstanceTypeModule } from '../scripts/generate-instance-types';
import { InstanceType } from '../src';

const dataFile = path.join(__dirname, '..', 'data', 'instance-types.txt');

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
    expect(source).toBe(renderInstanceTypeModule(listed));
  });

  test('generator refuses two instance types that would get the same constant name', () => {
    expect(() => renderInstanceTypeModule(['ml.a-b.large', 'ml.a.b.large'])).toThrow(/would both be named ML_A_B_LARGE/);
  });
});
