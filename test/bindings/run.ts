/*
 * The bindings test: the Python, Java and Go apps of this folder build the shadow test of reference/app.ts with the
 * packages that `npx projen package-all` built into dist/, and each app's template must be the TypeScript reference
 * app's, byte for byte, synthesized with the same aws-cdk-lib version. Each app also checks, in its own language,
 * that the library's errors reach it as that language's exceptions (see the apps), and prints a line per check.
 *
 *   npx projen test:bindings                    (after npx projen compile && npx projen package-all)
 *   npx projen test:bindings python go          (some languages only)
 *
 * A language whose toolchain is missing is skipped with a line saying so; with BINDINGS_REQUIRED=1 (as in .ci/run)
 * a skip is a failure. The results are written to test-reports/junit-bindings.xml, which .ci/run counts.
 *
 * Everything the apps install comes from files of this folder: the Python app's virtual environment (.venv/bindings)
 * from the hashed python/requirements.txt, kept while it is unchanged; the Java app's dependencies from the versions
 * pinned in java/pom.xml, through the local Maven repository; the Go app's modules from go/go.mod and go/go.sum,
 * through the Go module cache.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const HERE = path.join(ROOT, 'test', 'bindings');
/** Build outputs and cloud assemblies (ignored by git). */
const WORK = path.join(HERE, '.work');
const REPORT = path.join(ROOT, 'test-reports', 'junit-bindings.xml');
const REQUIRED = process.env.BINDINGS_REQUIRED === '1';
/** No app may hang the gate. */
const TIMEOUT_MS = 20 * 60 * 1000;

const LIBRARY = 'cdk-sagemaker-inference-experiment';

/** The aws-cdk-lib versions that the reference app can be synthesized with, from this repository's node_modules. */
const CDK_INSTALLS: Record<string, string> = {
  '2.236.0': ROOT,
  '2.276.0': path.join(ROOT, 'test', 'newest-cdk'),
};

/** The checks that each app prints, in order ("ok N - ..." or "not ok N - ..."). */
const APP_CHECKS = [
  'a sampling percentage of 101 is refused with the library\'s error naming shadowMode.samplingPercentage',
  'an invalid variant name is refused with the library\'s error naming shadowMode.shadow.variantName',
  'an iam.CfnRole as role is refused with the library\'s error: role must be able to receive grants',
  'a latency percentile of 100 is refused with the library\'s error naming percentile',
];

interface Outcome {
  readonly name: string;
  /** Undefined when the test passed. */
  readonly failure?: string;
  readonly skipped?: string;
  readonly seconds: number;
}

interface Language {
  readonly name: 'python' | 'java' | 'go';
  /** The aws-cdk-lib version that the app uses, and that the reference app is synthesized with. */
  readonly cdkVersion: string;
  /**
   * The README's complete example in this language, when the README has one: the name of its file, and how to run
   * that file so that it writes its cloud assembly to `outdir`.
   */
  readonly readmeExample?: { readonly fileName: string; run(file: string, outdir: string): SpawnSyncReturns<string> };
  /** Why the language cannot be tested here, if it cannot. */
  missing(): string | undefined;
  /** Builds the app and whatever it needs; throws on failure. */
  build(): void;
  /** Runs the app, which writes its cloud assembly to `outdir`. */
  run(outdir: string): SpawnSyncReturns<string>;
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    encoding: 'utf-8',
    timeout: TIMEOUT_MS,
    maxBuffer: 256 * 1024 * 1024,
  });
}

function output(result: SpawnSyncReturns<string>): string {
  return `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? `\n${result.error.message}` : ''}`.trim();
}

/** Runs a build step, printing what it prints; throws with its output when it fails. */
function step(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): void {
  const result = run(command, args, options);
  if (result.status !== 0) {
    throw new Error(`${[command, ...args].join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${output(result)}`);
  }
}

function succeeds(command: string, args: string[]): boolean {
  return run(command, args).status === 0;
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function only(dir: string, suffix: string): string {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(suffix)) : [];
  if (files.length !== 1) {
    throw new Error(`expected one *${suffix} in ${path.relative(ROOT, dir)}, found ${files.length}: run npx projen package-all first`);
  }
  return path.join(dir, files[0]);
}

const PYTHON = process.env.PYTHON ?? 'python3';
const VENV = path.join(ROOT, '.venv', 'bindings');

const python: Language = {
  name: 'python',
  cdkVersion: '2.236.0',
  missing: () => succeeds(PYTHON, ['-c', 'import sys, venv; sys.exit(sys.version_info < (3, 9))'])
    ? undefined : `no Python 3.9 or later with venv (${PYTHON}; set PYTHON to its path)`,
  build() {
    const wheel = only(path.join(ROOT, 'dist', 'python'), '.whl');
    // The environment is made again only when the lock file changes, and the library's wheel reinstalled only when
    // it changes, as the judges' environments are (test/judges/install.sh).
    const lock = path.join(HERE, 'python', 'requirements.txt');
    const stamp = path.join(VENV, '.installed-from');
    const wanted = `${sha256(lock)} ${sha256(wheel)}`;
    const installed = fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf-8').trim().split(' ') : [];
    const pip = [path.join(VENV, 'bin', 'python'), '-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps'];
    if (installed[0] !== sha256(lock)) {
      console.log(`bindings: python: installing ${path.relative(ROOT, lock)} into ${path.relative(ROOT, VENV)}`);
      fs.rmSync(VENV, { recursive: true, force: true });
      step(PYTHON, ['-m', 'venv', VENV]);
      step(pip[0], [...pip.slice(1), '--require-hashes', '-r', lock]);
    }
    if (installed[1] !== sha256(wheel) || installed[0] !== sha256(lock)) {
      step(pip[0], [...pip.slice(1), '--force-reinstall', wheel]);
      step(pip[0], ['-m', 'pip', 'check', '--disable-pip-version-check']);
      fs.writeFileSync(stamp, `${wanted}\n`);
    }
  },
  run: (outdir) => run(path.join(VENV, 'bin', 'python'), [path.join(HERE, 'python', 'app.py')], { env: { CDK_OUTDIR: outdir } }),
  readmeExample: {
    fileName: 'readme_example.py',
    run: (file, outdir) => run(path.join(VENV, 'bin', 'python'), [file], { env: { CDK_OUTDIR: outdir } }),
  },
};

// The version of the packages just built: 0.1.0 outside a release, the bumped one in a release build.
const VERSION: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8')).version;
const MAVEN = ['--batch-mode', '--quiet', '-Dstyle.color=never', `-Dlibrary.version=${VERSION}`, '--file', path.join(HERE, 'java', 'pom.xml')];

const java: Language = {
  name: 'java',
  cdkVersion: '2.236.0',
  missing: () => {
    if (!succeeds('java', ['-version'])) {
      return 'no java on the PATH';
    }
    return succeeds('mvn', ['--version']) ? undefined : 'no mvn (Maven) on the PATH';
  },
  build() {
    only(path.join(ROOT, 'dist', 'java', 'io', 'github', LIBRARY, LIBRARY, VERSION), `${VERSION}.jar`);
    // Compiled here, run by run(): install-file puts the jar just built into the local repository first.
    step('mvn', [...MAVEN, 'compile']);
  },
  run: (outdir) => run('mvn', [...MAVEN, 'exec:java'], {
    env: { CDK_OUTDIR: outdir },
  }),
  // A class in one source file, launched by java itself on the app's class path, as its reader would compile it.
  readmeExample: {
    fileName: 'ShadowTestApp.java',
    run: (file, outdir) => run('mvn', [...MAVEN, 'exec:exec', '-Dexec.executable=java', `-Dexec.args=-cp %classpath ${file}`], {
      env: { CDK_OUTDIR: outdir },
    }),
  },
};

const GO_APP = path.join(WORK, 'go', 'shadow-test-app');

const go: Language = {
  name: 'go',
  // The Go module proxy serves no aws-cdk-go at 2.236.0: the newest release that the repository also tests with.
  cdkVersion: '2.276.0',
  missing: () => succeeds('go', ['version']) ? undefined : 'no go on the PATH',
  build() {
    only(path.join(ROOT, 'dist', 'go', 'inferenceexperiment'), 'go.mod');
    // go.mod replaces the library's module by dist/go/inferenceexperiment; go.sum pins the others.
    step('go', ['build', '-mod=readonly', '-o', GO_APP, '.'], { cwd: path.join(HERE, 'go') });
  },
  run: (outdir) => run(GO_APP, [], { env: { CDK_OUTDIR: outdir } }),
};

/**
 * Synthesizes the reference app with aws-cdk-lib `version`, from a folder whose node_modules holds the npm tarball
 * just built and links to that aws-cdk-lib and its constructs: the library loads the same aws-cdk-lib as the app.
 * The app is type-checked against them first. Returns the template's path.
 */
function synthesizeReference(version: string): string {
  const install = CDK_INSTALLS[version];
  const installed = (dir: string) => {
    const manifest = path.join(dir, 'node_modules', 'aws-cdk-lib', 'package.json');
    return fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf-8')).version === version;
  };
  if (!installed(install)) {
    if (install === ROOT) {
      throw new Error(`node_modules holds no aws-cdk-lib ${version}: run npm ci`);
    }
    step('npm', ['ci', '--prefix', install, '--no-audit', '--no-fund', '--loglevel=error']);
  }

  const dir = path.join(WORK, `reference-${version}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(path.join(modules, LIBRARY), { recursive: true });
  for (const module of ['aws-cdk-lib', 'constructs']) {
    fs.symlinkSync(path.join(install, 'node_modules', module), path.join(modules, module), 'dir');
  }
  step('tar', ['-xzf', only(path.join(ROOT, 'dist', 'js'), '.jsii.tgz'), '-C', path.join(modules, LIBRARY), '--strip-components=1']);

  const source = path.join(dir, 'app.ts');
  fs.copyFileSync(path.join(HERE, 'reference', 'app.ts'), source);
  const program = ts.createProgram([source], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    lib: ['lib.es2022.d.ts'],
    types: [],
    skipLibCheck: true,
    esModuleInterop: true,
    outDir: dir,
  });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics];
  if (diagnostics.length > 0) {
    throw new Error(`the reference app does not compile against aws-cdk-lib ${version}:\n` + ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => '\n',
    }));
  }
  const outdir = path.join(dir, 'cdk.out');
  step(process.execPath, [path.join(dir, 'app.js')], { cwd: dir, env: { CDK_OUTDIR: outdir } });
  return path.join(outdir, 'ShadowTest.template.json');
}

/** Where two JSON values differ, as paths with both values, at most `limit` of them. */
function differences(expected: unknown, actual: unknown, at = '$', found: string[] = [], limit = 10): string[] {
  if (found.length >= limit || isDeepStrictEqual(expected, actual)) {
    return found;
  }
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (isObject(expected) && isObject(actual) && Array.isArray(expected) === Array.isArray(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
    for (const key of keys) {
      differences(expected[key], actual[key], Array.isArray(expected) ? `${at}[${key}]` : `${at}.${key}`, found, limit);
    }
    return found;
  }
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v).slice(0, 300));
  found.push(`${at}: the reference has ${show(expected)}, the app ${show(actual)}`);
  return found;
}

/** Undefined when the app's template has the reference's bytes; otherwise how they differ. */
function compareTemplates(referenceTemplate: string, appTemplate: string): string | undefined {
  if (!fs.existsSync(appTemplate)) {
    return `the app wrote no template (${path.relative(ROOT, appTemplate)})`;
  }
  const expected = fs.readFileSync(referenceTemplate);
  const actual = fs.readFileSync(appTemplate);
  if (expected.equals(actual)) {
    return undefined;
  }
  const found = differences(JSON.parse(expected.toString('utf-8')), JSON.parse(actual.toString('utf-8')));
  return found.length === 0
    ? 'the templates hold the same JSON, written differently'
    : `the templates differ:\n${found.join('\n')}`;
}

/** The app's check lines: "ok N - name" or "not ok N - name", each followed by its "# " lines. */
function appChecks(stdout: string): Map<number, string | undefined> {
  const checks = new Map<number, string | undefined>();
  let current: number | undefined;
  // eslint-disable-next-line no-control-regex
  for (const line of stdout.replace(/\u001b\[[0-9;]*m/g, '').split('\n')) {
    const result = /^(not )?ok (\d+) - /.exec(line);
    if (result) {
      current = Number(result[2]);
      checks.set(current, result[1] ? '' : undefined);
    } else if (line.startsWith('# ') && current !== undefined && checks.get(current) !== undefined) {
      checks.set(current, `${checks.get(current)}${line.slice(2)}\n`);
    }
  }
  return checks;
}

function testNames(language: Language): string[] {
  return [
    `the template is the TypeScript reference app's, byte for byte (aws-cdk-lib ${language.cdkVersion})`,
    ...APP_CHECKS,
    ...(language.readmeExample ? [`the README's complete example in ${language.name} runs as written`] : []),
  ];
}

/** The code of the README's complete example in `language`: its block of that language in "A complete example". */
function readmeExampleCode(language: string): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8');
  const start = readme.indexOf('\n## A complete example');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const block = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(section);
  if (start < 0 || !block) {
    throw new Error(`README.md has no ${language} block in its section "A complete example"`);
  }
  return block[1];
}

/** Runs the README's complete example of `language`; undefined when it synthesizes a shadow test, else what failed. */
function runReadmeExample(language: Language): string | undefined {
  const example = language.readmeExample!;
  const dir = path.join(WORK, language.name, 'readme');
  const outdir = path.join(dir, 'cdk.out');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, example.fileName);
  try {
    fs.writeFileSync(file, readmeExampleCode(language.name));
  } catch (error) {
    return (error as Error).message;
  }
  const result = example.run(file, outdir);
  if (result.status !== 0) {
    return `it failed (${result.error?.message ?? `exit ${result.status}`}):\n${output(result)}`;
  }
  const template = path.join(outdir, 'ShadowTest.template.json');
  const resources = fs.existsSync(template) ? Object.values<any>(JSON.parse(fs.readFileSync(template, 'utf-8')).Resources ?? {}) : [];
  return resources.some((resource) => resource.Type === 'AWS::SageMaker::InferenceExperiment')
    ? undefined : `it wrote no stack ShadowTest with an inference experiment into ${path.relative(ROOT, outdir)}`;
}

function testLanguage(language: Language, references: Map<string, string | Error>): Outcome[] {
  const names = testNames(language);
  const start = Date.now();
  const seconds = () => (Date.now() - start) / 1000;
  const missing = language.missing();
  if (missing !== undefined) {
    if (REQUIRED) {
      console.log(`bindings: ${language.name}: FAILED: ${missing}, and BINDINGS_REQUIRED=1`);
      return names.map((name) => ({ name, failure: `${missing}, and BINDINGS_REQUIRED=1`, seconds: 0 }));
    }
    console.log(`bindings: ${language.name}: SKIPPED: ${missing}`);
    return names.map((name) => ({ name, skipped: missing, seconds: 0 }));
  }

  const outdir = path.join(WORK, language.name, 'cdk.out');
  let reference: string;
  let result: SpawnSyncReturns<string>;
  try {
    console.log(`bindings: ${language.name}: building`);
    language.build();
    const built = seconds();
    if (!references.has(language.cdkVersion)) {
      console.log(`bindings: reference: synthesizing with aws-cdk-lib ${language.cdkVersion}`);
      try {
        references.set(language.cdkVersion, synthesizeReference(language.cdkVersion));
      } catch (error) {
        references.set(language.cdkVersion, error as Error);
      }
    }
    const synthesized = references.get(language.cdkVersion)!;
    if (synthesized instanceof Error) {
      throw synthesized;
    }
    reference = synthesized;
    fs.rmSync(outdir, { recursive: true, force: true });
    console.log(`bindings: ${language.name}: running the app (built in ${built.toFixed(1)} s)`);
    result = language.run(outdir);
  } catch (error) {
    const failure = (error as Error).message;
    console.log(`bindings: ${language.name}: FAILED: ${failure}`);
    return names.map((name, i) => ({ name, failure, seconds: i === 0 ? seconds() : 0 }));
  }
  // eslint-disable-next-line no-control-regex
  process.stdout.write((result.stdout ?? '').replace(/\u001b\[[0-9;]*m/g, ''));

  const crashed = result.status !== 0 && !/^(not )?ok \d+ - /m.test(result.stdout ?? '')
    ? `the app failed (${result.error?.message ?? `exit ${result.status}`}):\n${output(result)}` : undefined;
  const templateFailure = crashed ?? compareTemplates(reference, path.join(outdir, 'ShadowTest.template.json'));
  const checks = appChecks(result.stdout ?? '');
  const outcomes: Outcome[] = [{ name: names[0], failure: templateFailure, seconds: seconds() }];
  APP_CHECKS.forEach((name, i) => {
    const failure = crashed ?? (checks.has(i + 1) ? checks.get(i + 1) : `the app printed no result for check ${i + 1}:\n${output(result)}`);
    outcomes.push({ name, failure: failure === undefined ? undefined : failure.trim() || 'failed', seconds: 0 });
  });
  if (language.readmeExample) {
    const before = seconds();
    outcomes.push({ name: names[names.length - 1], failure: runReadmeExample(language), seconds: seconds() - before });
  }
  for (const outcome of outcomes) {
    console.log(`bindings: ${language.name}: ${outcome.failure === undefined ? 'ok' : 'FAILED'}: ${outcome.name}`);
    if (outcome.failure !== undefined) {
      console.log(outcome.failure.replace(/^/gm, '    '));
    }
  }
  console.log(`bindings: ${language.name}: ${seconds().toFixed(1)} s`);
  return outcomes;
}

function xml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)
    // Characters that XML 1.0 does not allow.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

function writeReport(results: Map<string, Outcome[]>, seconds: number): { tests: number; failures: number; skipped: number } {
  const all = [...results.values()].flat();
  const totals = {
    tests: all.length,
    failures: all.filter((o) => o.failure !== undefined).length,
    skipped: all.filter((o) => o.skipped !== undefined).length,
  };
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="bindings" tests="${totals.tests}" failures="${totals.failures}" errors="0" skipped="${totals.skipped}" time="${seconds.toFixed(3)}">`,
  ];
  for (const [language, outcomes] of results) {
    const failures = outcomes.filter((o) => o.failure !== undefined).length;
    const skipped = outcomes.filter((o) => o.skipped !== undefined).length;
    const time = outcomes.reduce((sum, o) => sum + o.seconds, 0);
    lines.push(`  <testsuite name="bindings: ${language}" tests="${outcomes.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time.toFixed(3)}">`);
    for (const outcome of outcomes) {
      const open = `    <testcase classname="bindings.${language}" name="${xml(outcome.name)}" time="${outcome.seconds.toFixed(3)}"`;
      if (outcome.failure !== undefined) {
        lines.push(`${open}>`, `      <failure message="${xml(outcome.failure.split('\n')[0])}">${xml(outcome.failure)}</failure>`, '    </testcase>');
      } else if (outcome.skipped !== undefined) {
        lines.push(`${open}>`, `      <skipped message="${xml(outcome.skipped)}"/>`, '    </testcase>');
      } else {
        lines.push(`${open}/>`);
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  fs.mkdirSync(path.dirname(REPORT), { recursive: true });
  fs.writeFileSync(REPORT, lines.join('\n'));
  return totals;
}

function main(): number {
  const languages = [python, java, go];
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !languages.some((l) => l.name === name));
  if (unknown.length > 0) {
    console.error(`bindings: unknown language ${unknown.join(', ')}: python, java or go`);
    return 2;
  }
  const start = Date.now();
  fs.mkdirSync(WORK, { recursive: true });
  const references = new Map<string, string | Error>();
  const results = new Map<string, Outcome[]>();
  for (const language of languages.filter((l) => wanted.length === 0 || wanted.includes(l.name))) {
    results.set(language.name, testLanguage(language, references));
  }
  const seconds = (Date.now() - start) / 1000;
  const totals = writeReport(results, seconds);
  console.log(`bindings: ${totals.tests - totals.failures - totals.skipped} of ${totals.tests} tests passed, ` +
    `${totals.failures} failed, ${totals.skipped} skipped, in ${seconds.toFixed(1)} s (${path.relative(ROOT, REPORT)})`);
  return totals.failures > 0 ? 1 : 0;
}

process.exitCode = main();
