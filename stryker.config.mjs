// @ts-check
/*
 * Mutation testing of the logic of src/private/ with Stryker Mutator 9 (`npx projen mutation`). Hand-written.
 *
 * Stryker 9, not 10: Stryker 10 needs Node.js 22.
 *
 * The jest configuration is projen's (the `jest` key of package.json): the runner reads it, and `jest.config` below is
 * merged over it (key by key). It only leaves out the suites that are slow for what they would kill, or that test
 * something else than these files:
 * - test/judges.test.ts: runs cfn-lint and checkov on templates (about 66 s for 9 tests);
 * - test/property-based.test.ts: about 8 s for 2 tests;
 * - test/readme-snippets.test.ts and test/api-docs.test.ts: the documentation;
 * - test/newest-cdk/ and test/bindings/: separate projects, with their own dependencies.
 *
 * Stryker stops testing a mutant at its first failing test (disableBail: false): the jest runner forces jest's own
 * `bail` off, and bails itself. With perTest coverage and findRelatedTests, each mutant runs only the tests that
 * execute its code.
 *
 * Reports: the clear-text table, and reports/mutation/mutation.json (git-ignored), from which
 * `npx ts-node --project scripts/tsconfig.json scripts/mutation-report.ts` writes docs/mutation-report.md, with the
 * reasons of docs/mutation-equivalents.json for the survivors that are equivalent mutants. Incremental: a rerun tests
 * only the mutants whose code or tests changed (reports/mutation/stryker-incremental.json; `--force` tests all).
 */

/**
 * A quicker loop while writing tests for one area: MUTATION_TESTS, a comma-separated list of test files, runs those
 * only (with `--mutate <file>` and an `--incrementalFile` of the batch's own), for example
 *   MUTATION_TESTS=test/validation.test.ts,test/untyped-callers.test.ts npx stryker run --mutate src/private/validation.ts
 * The scores of such a run count only those tests' kills.
 */
const only = process.env.MUTATION_TESTS?.split(',').map((file) => `<rootDir>/${file.trim()}`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  packageManager: 'npm',
  testRunner: 'jest',
  coverageAnalysis: 'perTest',
  disableBail: false,
  concurrency: 2,
  // A mutant's tests get this much time on top of their time in the initial run: a synth can take seconds on a busy machine.
  timeoutMS: 30_000,
  jest: {
    projectType: 'custom',
    enableFindRelatedTests: true,
    config: {
      ...(only ? { testMatch: only } : {}),
      testPathIgnorePatterns: [
        '/node_modules/',
        '<rootDir>/test/judges\\.test\\.ts$',
        '<rootDir>/test/property-based\\.test\\.ts$',
        '<rootDir>/test/readme-snippets\\.test\\.ts$',
        '<rootDir>/test/api-docs\\.test\\.ts$',
        '<rootDir>/test/newest-cdk/',
        '<rootDir>/test/bindings/',
      ],
    },
  },
  mutate: [
    // The files of src/private/ that carry logic.
    'src/private/validation.ts',
    'src/private/rules.ts',
    'src/private/generated-name.ts',
    'src/private/roles.ts',
    'src/private/own-policy.ts',
    'src/private/outcomes.ts',
    'src/private/endpoint-checks.ts',
    'src/private/execution-role.ts',
    'src/private/stop-workflow.ts',
    'src/private/verdict-queries.ts',
    'src/private/verdict-workflow.ts',
    'src/private/kinds.ts',
    'src/private/arns.ts',
    'src/private/placement.ts',
    'src/private/policy-size.ts',
    'src/private/resource-names.ts',
    'src/private/rendered.ts',
    'src/private/rendered-resources.ts',
  ],
  // Not copied into the sandbox: build output, reports, the Python tools' virtual environment, the separate projects.
  ignorePatterns: [
    '/.venv',
    '/cdk.out',
    '/coverage',
    '/dist',
    '/lib',
    '/test-reports',
    '/reports',
    '/.jsii',
    '/.jsii.tabl.json',
    '/test/newest-cdk',
    '/test/bindings',
  ],
  // Stryker marks the files it instruments `// @ts-nocheck` (a mutant need not type-check); by default it marks every file
  // of src/, which a test that compares a generated source file with its generator's output sees.
  disableTypeChecks: 'src/private/**/*.ts',
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'json', 'progress'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};

export default config;
