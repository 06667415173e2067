/*
 * Every TypeScript example of the README runs as pasted, and its app synthesizes. jsii-rosetta compiles them at build
 * time (with rosetta/default.ts-fixture); here they run, with the fixture's declarations given real values, in a
 * stack of their own.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ts from 'typescript';
import * as library from '../src';
import { newStack, ShadowTestParts } from './helpers/fixtures';

const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf-8');

interface Snippet {
  readonly line: number;
  readonly code: string;
  /** `default` for rosetta/default.ts-fixture, `module` for rosetta/module.ts-fixture, `none` for a whole app. */
  readonly fixture: 'default' | 'module' | 'none';
}

function snippets(): Snippet[] {
  const found: Snippet[] = [];
  const fence = /^```ts(?: (nofixture|fixture=module))?\n([\s\S]*?)^```$/gm;
  for (let match = fence.exec(README); match; match = fence.exec(README)) {
    const fixture = match[1] === 'nofixture' ? 'none' : match[1] === 'fixture=module' ? 'module' : 'default';
    found.push({ line: README.slice(0, match.index).split('\n').length, code: match[2], fixture });
  }
  return found;
}

/** The names that rosetta/default.ts-fixture declares for every example. */
const FIXTURE_DECLARES = ['role', 'endpoint', 'productionModel', 'candidateModel', 'bucket', 'key', 'shadowMode', 'pipelineRole', 'operator'];

/** What an example may use without defining it: the fixture's declarations, and its own `declare const`s. */
function usableNames(code: string): string[] {
  return [...FIXTURE_DECLARES, ...[...code.matchAll(/^declare const (\w+)/gm)].map(([, name]) => name)];
}

/**
 * Values for every name that the fixture or an example declares, in a stack of their own beside `beside`, so that
 * their construct ids leave every id free for the example.
 */
function declaredValues(beside: cdk.Stack): Record<string, unknown> {
  const stack = new cdk.Stack(beside.node.root, 'Declared', { env: beside.environment === undefined ? undefined : { account: beside.account, region: beside.region } });
  const parts = new ShadowTestParts(stack);
  const shadowMode = parts.minimalProps().shadowMode;
  const experiment = new library.InferenceExperiment(stack, 'DeclaredExperiment', {
    endpoint: library.ExistingEndpoint.fromEndpointName(stack, 'DeclaredEndpoint', 'declared-endpoint'),
    shadowMode,
  });
  // The principals that examples grant to are in the example's stack, as a pipeline's or an operator's role would be
  // in an app: a grant writes into their policies.
  const role = (id: string) => new cdk.aws_iam.Role(beside, id, { assumedBy: new cdk.aws_iam.AccountRootPrincipal() });
  return {
    role: parts.role,
    endpoint: parts.endpoint,
    productionModel: parts.productionModel,
    candidateModel: parts.candidateModel,
    bucket: new cdk.aws_s3.Bucket(stack, 'DeclaredBucket'),
    key: new cdk.aws_kms.Key(stack, 'DeclaredKey'),
    shadowMode,
    pipelineRole: role('DeclaredPipelineRole'),
    operator: role('DeclaredOperator'),
    experiment,
    endpointConfig: parts.endpointConfig,
  };
}

/** What the fixture imports, by the names the snippets use. */
const IMPORTED = {
  ...library,
  App: cdk.App,
  Duration: cdk.Duration,
  PropertyInjectors: cdk.PropertyInjectors,
  Stack: cdk.Stack,
  Tags: cdk.Tags,
  iam: cdk.aws_iam,
  kms: cdk.aws_kms,
  s3: cdk.aws_s3,
  sagemaker: cdk.aws_sagemaker,
  sns: cdk.aws_sns,
};

function run(code: string, scope: unknown, values: Record<string, unknown>): Record<string, unknown> {
  const { outputText } = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } });
  const exports: Record<string, unknown> = {};
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the complete example imports its modules by name
  const requireFor = (name: string) => (name === 'cdk-sagemaker-inference-experiment' ? library : require(name));
  const names = Object.keys(values);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the README's examples are the code under test
  new Function('require', 'exports', ...names, outputText).call(scope, requireFor, exports, ...names.map((n) => values[n]));
  return exports;
}

describe('the README examples run as pasted', () => {
  const all = snippets();

  test('there are examples to run', () => {
    expect(all.length).toBeGreaterThanOrEqual(12);
  });

  test.each(all.filter((s) => s.fixture === 'default').map((s) => [s.line, s] as const))('the example at line %d', (_line, snippet) => {
    const stack = newStack('Snippet');
    const values = declaredValues(stack);
    const declared = Object.fromEntries(usableNames(snippet.code).map((name) => {
      expect(values).toHaveProperty(name);
      return [name, values[name]];
    }));
    run(snippet.code, stack, { ...IMPORTED, ...declared });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test.each(all.filter((s) => s.fixture === 'module').map((s) => [s.line, s] as const))('the module-level example at line %d', (_line, snippet) => {
    // rosetta/module.ts-fixture declares an app; what the example registers on it must apply to an experiment.
    const app = new cdk.App();
    run(snippet.code, undefined, { ...IMPORTED, app });
    const parts = new ShadowTestParts(new cdk.Stack(app, 'Module'));
    parts.experiment();
    expect(() => Template.fromStack(parts.stack)).not.toThrow();
  });

  test.each(all.filter((s) => s.fixture === 'none').map((s) => [s.line, s] as const))('the complete example at line %d', (_line, snippet) => {
    // A complete example makes its own app: it is run with an App that records the stacks it synthesizes.
    const apps: cdk.App[] = [];
    const RecordingApp = class extends cdk.App {
      constructor(props?: cdk.AppProps) {
        super(props);
        apps.push(this);
      }
    };
    run(snippet.code.replace(/\bnew App\(/g, 'new RecordingApp('), undefined, { RecordingApp });
    expect(apps).toHaveLength(1);
    const stacks = apps[0].node.children.filter(cdk.Stack.isStack);
    expect(stacks.length).toBeGreaterThan(0);
    for (const stack of stacks) {
      expect(Object.values(Template.fromStack(stack).findResources('AWS::SageMaker::InferenceExperiment'))).toHaveLength(1);
    }
  });
});
