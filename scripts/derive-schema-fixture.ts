/**
 * Derives `test/fixtures/inference-experiment.schema.json` from the CloudFormation registry schema of
 * AWS::SageMaker::InferenceExperiment, keeping only what validates a template's `Properties`:
 * validation keywords, and no read-only property (CloudFormation rejects those in a template).
 *
 *   npx ts-node --project scripts/tsconfig.json scripts/derive-schema-fixture.ts <registry-schema.json>
 */
import * as fs from 'fs';
import * as path from 'path';

const VALIDATION_KEYWORDS = new Set([
  '$ref', 'type', 'properties', 'additionalProperties', 'required', 'items', 'enum',
  'pattern', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minimum', 'maximum', 'definitions',
]);
/** Keywords whose value is a map from names to schemas, not a schema. */
const SCHEMA_MAPS = new Set(['properties', 'definitions']);

function keepValidation(schema: unknown): unknown {
  if (Array.isArray(schema) || schema === null || typeof schema !== 'object') {
    return schema;
  }
  const kept: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (!VALIDATION_KEYWORDS.has(keyword)) {
      continue;
    }
    kept[keyword] = SCHEMA_MAPS.has(keyword)
      ? Object.fromEntries(Object.entries(value as object).map(([name, sub]) => [name, keepValidation(sub)]))
      : keepValidation(value);
  }
  return kept;
}

function derive(registrySchema: any): unknown {
  const readOnly = new Set<string>(registrySchema.readOnlyProperties.map((p: string) => p.replace('/properties/', '')));
  const fixture = keepValidation(registrySchema) as any;
  for (const name of readOnly) {
    delete fixture.properties[name];
  }
  return {
    $comment: `Validation keywords of the CloudFormation registry schema of ${registrySchema.typeName}, without its ` +
      'read-only properties. Derived by scripts/derive-schema-fixture.ts.',
    // A resource's Properties are an object; the registry leaves that implicit.
    type: 'object',
    ...fixture,
  };
}

const [source] = process.argv.slice(2);
if (!source) {
  console.error('usage: derive-schema-fixture.ts <registry-schema.json>');
  process.exit(2);
}
const output = path.join(__dirname, '..', 'test', 'fixtures', 'inference-experiment.schema.json');
fs.mkdirSync(path.dirname(output), { recursive: true });
fs.writeFileSync(output, `${JSON.stringify(derive(JSON.parse(fs.readFileSync(source, 'utf-8'))), null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), output)}`);
