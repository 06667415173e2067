/*
 * Shortens API.md after jsii-docgen writes it: the InstanceType constants, one section of a dozen lines each, took half
 * of the reference. They become one table, at the end, and InstanceType's section points to it.
 *
 *   ts-node scripts/compact-api-docs.ts API.md      (the docgen task runs it)
 */
import * as fs from 'fs';
import { toSnakeCase } from 'codemaker';

const file = process.argv[2] ?? 'API.md';
const text = fs.readFileSync(file, 'utf-8');

const sectionStart = text.indexOf('### InstanceType <a name="InstanceType"');
const constantsStart = text.indexOf('#### Constants <a name="Constants"', sectionStart);
const nextSection = text.indexOf('\n### ', constantsStart);
if (sectionStart < 0 || constantsStart < 0 || nextSection < 0) {
  throw new Error(`${file}: InstanceType's constants were not found where jsii-docgen writes them`);
}

const constants = text.slice(constantsStart, nextSection);
// jsii-pacmak names a constant in Python and Java with the same snake case function as here, which puts an
// underscore before each letter that follows a digit (ML_G6E_12XLARGE is ML_G6_E_12_XLARGE); Go makes it a function.
const rows = [...constants.matchAll(/^##### `(ML_[A-Z0-9_]+)`[\s\S]*?^`(ml\.[^`]+)`\.?$/gm)]
  .map(([, name, instanceType]) => `| <a id="cdk-sagemaker-inference-experiment.InstanceType.property.${name}"></a>` +
    `\`InstanceType.${name}\` | \`${toSnakeCase(name).toUpperCase()}\` | \`InstanceType_${name}()\` | \`${instanceType}\` |`);
const declared = (constants.match(/^##### `ML_/gm) ?? []).length;
if (rows.length === 0 || rows.length !== declared) {
  throw new Error(`${file}: read ${rows.length} of ${declared} InstanceType constants; the format of jsii-docgen changed`);
}

const pointer = `#### Constants <a name="Constants" id="Constants"></a>\n\nOne constant for each of the ${rows.length} instance ` +
  'types that SageMaker accepts for a shadow test\'s variants: see [InstanceType constants](#instance-type-constants) at the ' +
  'end of this reference.\n\n';
const appendix = '\n## InstanceType constants <a name="instance-type-constants" id="instance-type-constants"></a>\n\n' +
  'The same constant in each language: TypeScript, JavaScript and .NET use one name; Python and Java put an underscore ' +
  'before each letter that follows a digit; Go calls a function. `InstanceType.of(\'ml.g6e.12xlarge\')` takes the ' +
  'instance type itself in every language.\n\n' +
  `| **TypeScript, .NET** | **Python, Java** | **Go** | **Instance type** |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n`;

fs.writeFileSync(file, `${text.slice(0, constantsStart)}${pointer}${text.slice(nextSection + 1).trimEnd()}\n${appendix}`);
