import { awscdk, javascript, JsonFile } from 'projen';

/**
 * The oldest aws-cdk-lib this library supports, and the version it is developed and tested against.
 *
 * `aws_sagemaker.IEndpoint` first ships in 2.235.0; the generated `IInferenceExperimentRef`, `IEndpointRef`,
 * `IModelRef`, `iam.IRoleRef`, `kms.IKeyRef` and `s3.IBucketRef` are older. 2.236.0 is the first release for which
 * `@aws-cdk/integ-tests-alpha` is published, so it is the oldest version the whole test suite can run against.
 */
const CDK_FLOOR = '2.236.0';

/**
 * The newest aws-cdk-lib, against which the whole test suite runs too (with cdk-nag 3, which needs 2.257 or later):
 * bumped on purpose, with the snapshots it records (`npx projen test:newest-cdk:update`).
 */
const CDK_NEWEST = '2.278.0';
const CDK_NAG_NEWEST = '3.0.2';

/**
 * Loaded before every test file by both test runs: a test fails if it prints an error or a warning that it does not
 * expect, so that a real warning is never lost among expected ones.
 */
const QUIET_LOG = '<rootDir>/test/helpers/quiet-log.ts';

/**
 * The version of every build that is not a release: projen's placeholder would be 0.0.0, but the bindings test finds
 * the packages it installs by this version. A release build (RELEASE=true, set by `npx projen release`) keeps the
 * version that `bump` wrote, and the first release is this one.
 */
const UNRELEASED_VERSION = '0.1.0';

/**
 * Jest's workers: by default one fewer than the cores, which leaves one of 2 cores to jest's own process, idle while
 * the suites run. Two workers halve the gate's test time on 2 cores.
 */
const TEST_WORKERS = 2;

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-sagemaker-inference-experiment',
  description:
    'AWS CDK constructs for Amazon SageMaker shadow tests (AWS::SageMaker::InferenceExperiment): typed variants, ' +
    'synth-time validation, least-privilege IAM, lifecycle and comparison metrics.',
  author: 'cdk-sagemaker-inference-experiment contributors',
  authorAddress: 'maintainers@example.com',
  repositoryUrl: 'https://github.com/cdk-sagemaker-inference-experiment/cdk-sagemaker-inference-experiment.git',
  keywords: ['aws-cdk', 'cdk', 'sagemaker', 'shadow-test', 'inference-experiment', 'mlops'],
  license: 'Apache-2.0',
  stability: 'experimental',

  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  cdkVersion: CDK_FLOOR,
  jsiiVersion: '~6.0.0',

  // GitHub: the build workflow runs `npx projen build` on every pull request; the release workflow, on every push to
  // main, computes the next version from the conventional commits since the last tag (0.x while the API can change),
  // writes the changelog, builds, tags, makes a GitHub release and publishes to npm, PyPI, Maven Central, NuGet and
  // the Go module's repository; the upgrade workflow opens a pull request with the newest dependencies.
  github: true,
  buildWorkflow: true,
  release: true,
  releaseToNpm: true,
  majorVersion: 0,
  // The first release is 0.1.0, the version of every build that is not a release (see UNRELEASED_VERSION below);
  // after it, the commits since the latest tag decide.
  nextVersionCommand: `git rev-parse --verify --quiet "refs/tags/$LATEST_TAG" > /dev/null || echo ${UNRELEASED_VERSION}`,
  // projen's default, commit-and-tag-version 13, brings conventional-changelog packages that need Node.js 22; 12 runs
  // on Node.js 18 and later, as this project does.
  bumpPackage: 'commit-and-tag-version@^12',
  depsUpgrade: true,
  // Pull requests are merged by a maintainer (no Mergify); their titles must be conventional commits, as the
  // squashed commit's message becomes the title (projen's pull-request-lint workflow checks it).
  githubOptions: { mergify: false },
  pullRequestTemplate: false,

  publishToPypi: {
    distName: 'cdk-sagemaker-inference-experiment',
    module: 'cdk_sagemaker_inference_experiment',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdksagemakerinferenceexperiment',
    mavenGroupId: 'io.github.cdk-sagemaker-inference-experiment',
    mavenArtifactId: 'cdk-sagemaker-inference-experiment',
    // Maven Central through the Central Portal (its OSSRH staging API, which publib-maven uses with this server id);
    // no endpoint may be given with it.
    mavenServerId: 'central-ossrh',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkSageMakerInferenceExperiment',
    packageId: 'CdkSageMakerInferenceExperiment',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-sagemaker-inference-experiment/cdk-sagemaker-inference-experiment-go',
    packageName: 'inferenceexperiment',
  },

  devDeps: [
    'ajv@^8',
    'fast-check@^4',
    // cdk-nag 3 needs aws-cdk-lib 2.257 or later; 2 works with the floor.
    'cdk-nag@^2',
    // The integration test constructs are published for each aws-cdk-lib release: this one matches the floor.
    `@aws-cdk/integ-tests-alpha@${CDK_FLOOR}-alpha.0`,
    '@aws-cdk/integ-runner@^2',
    // The CDK CLI, so that `npx cdk synth`, `cdk diff` and `cdk deploy` work from a clone.
    'aws-cdk@^2',
    // The shadow test guard's state machine: validated as Amazon States Language, and run by a local interpreter.
    'asl-validator@^4',
    'aws-local-stepfunctions@^3',
    // The snake case that jsii-pacmak gives Python and Java names, for the per-language names in API.md.
    'codemaker@^1',
    // Mutation testing (`npx projen mutation`, outside the gate): Stryker 9, since 10 needs Node.js 22.
    '@stryker-mutator/core@^9',
    '@stryker-mutator/jest-runner@^9',
  ],

  jestOptions: {
    // A snapshot test must be able to fail: `test` never rewrites snapshots; `test:update` does it on purpose.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      maxWorkers: TEST_WORKERS,
      // The snapshots of the run against the newest aws-cdk-lib are that run's own.
      modulePathIgnorePatterns: ['<rootDir>/test/newest-cdk/', '<rootDir>/.stryker-tmp/'],
      setupFilesAfterEnv: [QUIET_LOG],
    },
  },

  gitignore: ['/cdk.out/', '*.d.ts.map'],
});

// jsii warns at length on every run under Node.js 20, which it still supports.
project.tasks.addEnvironment('JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION', '20');

// The example app and the scripts are type-checked and linted like the tests, each folder with a config of its
// own (the linter takes the nearest tsconfig.json of each file).
for (const folder of ['examples', 'scripts']) {
  const config = new javascript.TypescriptConfig(project, {
    fileName: `${folder}/tsconfig.json`,
    include: ['**/*.ts'],
    exclude: ['node_modules'],
    compilerOptions: { noEmit: true, rootDir: '..' },
  });
  config.addExtends(project.tsconfig!);
  project.eslint?.addLintPattern(folder);
  project.eslint?.allowDevDeps(`${folder}/**`);
}

// 0.x: the API can still change between minor versions. `npx projen release` bumps the version, builds, then resets
// it (projen's `unbump` writes 0.0.0) and fails if a committed file changed: the reset puts this version back.
// (The test of projen's NodePackage.isReleaseBuild, which is private.)
if (['', '0', 'false', 'null', 'undefined'].includes((process.env.RELEASE ?? '').toLowerCase())) {
  project.package.addVersion(UNRELEASED_VERSION);
}
const unbump = project.tasks.tryFind('unbump')!;
unbump.description = `Restores the version to ${UNRELEASED_VERSION}`;
unbump.exec(`npm pkg set version=${UNRELEASED_VERSION}`);

// The example app as a CDK app: `npx cdk synth` (or diff, deploy) runs it from a clone.
new JsonFile(project, 'cdk.json', {
  obj: { app: 'npx ts-node --project examples/tsconfig.json examples/shadow-test-app.ts' },
});

// The main job: synthesize the example shadow test into cdk.out and print its template.
project.addTask('synth:example', {
  description: 'Synthesize the example shadow-test stack and print its CloudFormation template',
  exec: 'ts-node --project examples/tsconfig.json examples/shadow-test-app.ts',
});

// The instance-type constants are generated from data files kept in the repository.
const generateInstanceTypes = project.addTask('generate:instance-types', {
  description: 'Regenerate src/instance-type.ts and src/private/instance-regions.ts from data/instance-types.txt and data/hosting-instance-types-by-region.json',
  exec: 'ts-node --project scripts/tsconfig.json scripts/generate-instance-types.ts',
});
project.preCompileTask.spawn(generateInstanceTypes);

// The synthesis benchmark: a script that prints figures, run on demand (it takes minutes).
const bench = project.addTask('bench', {
  description: 'Benchmark synthesis with this library against the same resources written by hand',
});
bench.spawn(project.compileTask);
bench.exec('ts-node --project scripts/tsconfig.json --transpile-only scripts/bench/run.ts');

// The integration test's snapshot is verified offline by every test run; deploying it needs an AWS account.
const integ = project.addTask('integ', {
  description: 'Verify the integration test snapshots (no AWS account needed)',
  exec: 'integ-runner --language typescript --directory test',
});
project.testTask.spawn(integ);
project.addTask('integ:update', {
  description: 'Record the integration test snapshots from a synthesis, without deploying',
  exec: 'integ-runner --language typescript --directory test --dry-run --update-on-failed',
});

// The independent judges of the templates (cfn-lint with an IAM database, and checkov) are installed by the test
// task itself, into project-local virtual environments, from the hashed lock files in test/judges/.
const judgesInstall = project.addTask('judges:install', {
  description: 'Install cfn-lint, policy_sentry and checkov into .venv/ from test/judges/*.txt (kept while the lock files are unchanged)',
  exec: 'bash test/judges/install.sh',
});
project.testTask.prependSpawn(judgesInstall);
project.gitignore.exclude('/.venv/');

// Where SageMaker's price list offers each instance type for real-time inference, read from the data of the cfn-lint
// that test/judges/cfn-lint.txt pins; test/instance-regions.test.ts fails when the committed data differs from it.
const generateInstanceRegions = project.addTask('generate:instance-regions', {
  description: "Read the pinned cfn-lint's SageMaker hosting price list into data/hosting-instance-types-by-region.json, and regenerate src/instance-type.ts and src/private/instance-regions.ts",
});
generateInstanceRegions.spawn(judgesInstall);
generateInstanceRegions.exec('ts-node --project scripts/tsconfig.json scripts/generate-instance-regions.ts');
project.addTask('check:instance-regions', {
  description: 'Fail, saying what differs, when the committed price list or the modules built from it are not what the pinned cfn-lint gives',
  exec: 'ts-node --project scripts/tsconfig.json scripts/generate-instance-regions.ts --check',
});

// API.md documents the assembly against node_modules/ only (jsii-docgen's command line reads every assembly under the
// project, test/newest-cdk/ included); the InstanceType constants would take half of it: they become one table at its end.
const docgen = project.tasks.tryFind('docgen')!;
docgen.reset('ts-node --project scripts/tsconfig.json scripts/api-docs.ts API.md');
docgen.exec('ts-node --project scripts/tsconfig.json scripts/compact-api-docs.ts API.md');

// The whole test suite against the newest aws-cdk-lib, installed from its own lock file into test/newest-cdk/: the
// modules that the library and the tests load are mapped there, and snapshots are kept per version.
new JsonFile(project, 'test/newest-cdk/package.json', {
  obj: {
    name: 'newest-cdk',
    private: true,
    description: 'The newest aws-cdk-lib and cdk-nag, for the test run against them',
    dependencies: { 'aws-cdk-lib': CDK_NEWEST, 'cdk-nag': CDK_NAG_NEWEST, 'constructs': '10.5.1' },
  },
});
const newest = (module: string) => `<rootDir>/test/newest-cdk/node_modules/${module}`;
new JsonFile(project, 'test/newest-cdk/jest.config.json', {
  obj: {
    rootDir: '../..',
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    testPathIgnorePatterns: ['/node_modules/'],
    moduleNameMapper: {
      '^aws-cdk-lib$': newest('aws-cdk-lib'),
      '^aws-cdk-lib/(.*)$': newest('aws-cdk-lib/$1'),
      '^constructs$': newest('constructs'),
      '^cdk-nag$': newest('cdk-nag'),
      '^cdk-nag/(.*)$': newest('cdk-nag/$1'),
    },
    snapshotResolver: '<rootDir>/test/newest-cdk/snapshot-resolver.js',
    maxWorkers: TEST_WORKERS,
    // The floor's snapshots are the floor run's own.
    modulePathIgnorePatterns: ['<rootDir>/test/__snapshots__/'],
    setupFilesAfterEnv: [QUIET_LOG],
    transform: { '^.+\\.[t]sx?$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }] },
    reporters: ['default', ['jest-junit', { outputDirectory: 'test-reports', outputName: 'junit-newest-cdk.xml' }]],
  },
});
const newestCdk = project.addTask('test:newest-cdk', {
  description: `Run the test suite against aws-cdk-lib ${CDK_NEWEST} and cdk-nag ${CDK_NAG_NEWEST}`,
});
newestCdk.exec('npm ci --prefix test/newest-cdk --no-audit --no-fund --loglevel=error');
newestCdk.exec('jest --ci --config test/newest-cdk/jest.config.json', { receiveArgs: true });
project.testTask.spawn(newestCdk);
project.addTask('test:newest-cdk:update', {
  description: 'Record the snapshots of the run against the newest aws-cdk-lib',
  steps: [
    { exec: 'npm ci --prefix test/newest-cdk --no-audit --no-fund --loglevel=error' },
    { exec: 'jest --ci --config test/newest-cdk/jest.config.json --updateSnapshot' },
  ],
});
project.gitignore.exclude('/test/newest-cdk/node_modules/');

// README examples must compile: rosetta fails the build on any error in a TypeScript block.
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile every TypeScript example in the README with jsii-rosetta',
  exec: 'jsii-rosetta extract --strict',
});
project.postCompileTask.spawn(rosetta);
project.gitignore.exclude('.jsii.tabl.json', '/rosetta/**/*.ts-fixture.js');

// Every language's package is built by scripts/package/package.sh with jsii-pacmak, into an emptied dist/<language>:
// the npm tarball, the Python wheel and sdist, the Java jar (as a Maven repository), the Go module (its sources,
// compiled), and the .NET package (with the .NET SDK, as in the release workflow; its sources only without it). A
// language whose toolchain is missing is skipped with a line saying so, unless BINDINGS_REQUIRED=1, as in .ci/run.
for (const language of ['js', 'python', 'java', 'dotnet', 'go']) {
  project.tasks.tryFind(`package:${language}`)?.reset(`bash scripts/package/package.sh ${language}`);
}
// `package` builds them all in CI too (projen's default packages only the npm tarball there), then tests them.
project.packageTask.reset();
project.packageTask.spawn(project.tasks.tryFind('package-all')!);

// The bindings test: apps in Python, Java and Go build the same shadow test as a TypeScript reference app, with the
// packages just built, and their templates must equal the reference's (test/bindings/README.md). `package` runs it
// once the packages are built, so `npx projen build` does; its results go to test-reports/junit-bindings.xml.
const bindings = project.addTask('test:bindings', {
  description: 'Build the Python, Java and Go apps of test/bindings with the packages in dist/ and compare their templates with the TypeScript reference app\'s',
  exec: 'ts-node --project test/tsconfig.json test/bindings/run.ts',
  receiveArgs: true,
});
project.packageTask.spawn(bindings);
project.gitignore.exclude('/test/bindings/.work/', '/test/bindings/java/target/');
// The reference app imports the library by its package name, as an app does: the test runs it from a folder whose
// node_modules holds the npm tarball.
project.eslint?.addOverride({
  files: ['test/bindings/reference/*.ts'],
  rules: {
    'import/no-unresolved': ['error', { ignore: ['^cdk-sagemaker-inference-experiment$'] }],
    'import/no-extraneous-dependencies': 'off',
  },
});

// The GitHub workflows that projen writes are linted with actionlint, built at a pinned version into .tools/bin by the
// task itself (with Go; without it the task skips with a line saying so, unless ACTIONLINT_REQUIRED=1, as in
// .ci/run). The test task runs it, after eslint.
const lintWorkflows = project.addTask('lint:workflows', {
  description: 'Lint .github/workflows/*.yml with actionlint (installed pinned into .tools/bin with go install)',
  exec: 'bash scripts/lint-workflows.sh',
});
project.testTask.spawn(lintWorkflows);
project.gitignore.exclude('/.tools/');

// The release dry run: projen's bump, in a throwaway clone, prints the next version and the head of its changelog.
// Nothing is published and no tag is made. The package task runs it, after the bindings test.
const releaseDryRun = project.addTask('release:dry-run', {
  description: 'Compute the next release\'s version and changelog with projen\'s bump in a throwaway clone, and print them (publishes nothing)',
  exec: 'bash scripts/release-dry-run.sh',
});
project.packageTask.spawn(releaseDryRun);

// Mutation testing of the logic of src/private/, area by area (stryker.config.mjs says which files with which test
// files), outside the gate: a full run takes about an hour on 2 cores. The report of scores and survivors is written to
// docs/mutation-report.md.
project.addTask('mutation', {
  description: 'Mutation testing of src/private/ with Stryker, area by area (outside the gate; `<area> ...` for some), then docs/mutation-report.md',
  exec: 'bash scripts/mutation.sh',
  receiveArgs: true,
});
project.gitignore.exclude('/reports/', '/.stryker-tmp/');
project.npmignore?.exclude('/docs/', '/stryker.config.mjs');

// Integration snapshots are verified by their templates; the asset bundles that synthesis adds to them are
// aws-cdk-lib's own handler code, not this project's, and are rebuilt by every synthesis.
project.gitignore.addPatterns('test/*.snapshot/asset.*');

// The package holds the compiled library and its docs only.
project.npmignore?.exclude('/examples/', '/scripts/', '/data/', '/rosetta/', '/.ci/', '/test-reports/', '/.venv/', '/.tools/', '/CONTRIBUTING.md');

project.synth();
