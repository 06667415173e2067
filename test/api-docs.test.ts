/*
 * The reference that every language's users read (API.md, and the docs jsii carries into Python, Java, .NET and Go)
 * is complete: read from the jsii assembly that the compiler writes.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const assembly = JSON.parse(fs.readFileSync(path.join(ROOT, '.jsii'), 'utf-8'));
const types: Record<string, any> = assembly.types;

describe('the API reference', () => {
  test('every type, property, method and parameter has a description', () => {
    const undocumented: string[] = [];
    // A description that holds comment delimiters is a doc comment broken by an edit, which every language shows as is.
    const check = (where: string, docs: any) => {
      if (!docs?.summary || /\/\*\*|\*\//.test(`${docs.summary} ${docs.remarks ?? ''}`)) {
        undocumented.push(where);
      }
    };
    for (const [fqn, type] of Object.entries(types)) {
      check(fqn, type.docs);
      for (const property of type.properties ?? []) {
        check(`${fqn}.${property.name}`, property.docs);
      }
      for (const method of [...(type.methods ?? []), ...(type.initializer ? [{ ...type.initializer, name: '<initializer>' }] : [])]) {
        if (method.name !== '<initializer>') {
          check(`${fqn}.${method.name}()`, method.docs);
        }
        for (const parameter of method.parameters ?? []) {
          check(`${fqn}.${method.name}(${parameter.name})`, parameter.docs);
        }
      }
    }
    expect(undocumented).toEqual([]);
  });

  test('every name reads the same in every language: no run of capitals that snake case splits oddly', () => {
    // jsii writes `metricInvocation4XXErrors` as `metric_invocation4_xx_errors` in Python; constants (upper case by
    // design) and deprecated names kept for compatibility are left out.
    const odd: string[] = [];
    for (const [fqn, type] of Object.entries(types)) {
      for (const member of [...(type.properties ?? []), ...(type.methods ?? [])]) {
        if (!member.const && member.docs?.deprecated === undefined && /[A-Z]{2}|\d[A-Z]{2}/.test(member.name)) {
          odd.push(`${fqn}.${member.name}`);
        }
      }
    }
    expect(odd).toEqual([]);
  });

  test('every optional property of a struct says what happens without it', () => {
    const withoutDefault = Object.entries(types).filter(([, type]) => type.datatype)
      .flatMap(([fqn, type]) => (type.properties ?? []).filter((p: any) => p.optional && p.docs?.default === undefined).map((p: any) => `${fqn}.${p.name}`));
    expect(withoutDefault).toEqual([]);
  });

  test.each([
    'InferenceExperiment', 'ModelVariant', 'ShadowModeConfig', 'Schedule', 'DataCapture', 'InferenceExperimentGrants',
    'ShadowTestMetrics', 'ShadowTestDashboard', 'ShadowTestGuard', 'ShadowTestVerdict', 'VerdictCriterion',
  ])('%s has an example', (name) => {
    expect(types[`cdk-sagemaker-inference-experiment.${name}`].docs.example).toMatch(/\w/);
  });

  test('the instance-type constants are one table at the end of API.md, not half of it', () => {
    const api = fs.readFileSync(path.join(ROOT, 'API.md'), 'utf-8');
    const constants = types['cdk-sagemaker-inference-experiment.InstanceType'].properties.filter((p: any) => p.const);
    expect(constants.length).toBeGreaterThan(200);
    const appendix = api.indexOf('## InstanceType constants');
    expect(appendix).toBeGreaterThan(api.indexOf('### ShadowTestMetrics'));
    expect(api.slice(appendix).split('\n').filter((line) => line.startsWith('| <a id=')).length).toBe(constants.length);
    // InstanceType's own section holds its methods and a pointer to the table: a few dozen lines, not hundreds.
    const section = api.indexOf('### InstanceType <a name="InstanceType"');
    expect(api.slice(section, api.indexOf('\n### ', section + 1)).split('\n').length).toBeLessThan(150);
  });
});
