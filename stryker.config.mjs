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
 * `bail` off, and bails itself. With perTest coverage and findRelatedTests, each mutant runs only the tests of its
 * area that execute its code.
 *
 * Reports (git-ignored): reports/mutation/<area>.json, from which scripts/mutation-report.ts writes
 * docs/mutation-report.md, with the reasons of docs/mutation-equivalents.json for the survivors that are equivalent
 * mutants. Incremental: a rerun of an area tests only the mutants whose code or tests changed
 * (reports/mutation/incremental-<area>.json; `npx stryker run --force` with MUTATION_AREA tests all).
 */

/**
 * The areas of a run: each mutates its files with the test files that exercise them, and only those. Related-test
 * discovery alone would run most of the suite for every "static" mutant (code that runs when a module is loaded, about
 * half of them), which puts a run of all the files at about 9 hours on 2 cores; per area, the same mutants take a
 * fraction of it. `scripts/mutation.sh` runs the areas one after the other (all of them, or those it is given), each
 * with a report and an incremental file of its own; `scripts/mutation-report.ts` merges the reports.
 *
 * An area's score counts only its own tests' kills: a test elsewhere in the suite may kill more. When a test is written
 * for an area's survivors, add its file to the area.
 *
 * The eight areas run by default are the logic that the library holds to a score of at least 90%, in about an hour on
 * 2 cores. The `optional` areas mutate the other files of src/private/ that carry logic, run only when named: their
 * suites are slow for mutation testing (the verdict's runs its state machine locally, 1000 times in its differential
 * test; the helpers are exercised by most suites), and Stryker estimated about 55 minutes for `verdict` and 2 hours
 * for `helpers`.
 */
export const AREAS = {
  validation: {
    mutate: ['src/private/validation.ts'],
    tests: ['validation', 'mutation-validation', 'untyped-callers'],
  },
  rules: {
    mutate: ['src/private/rules.ts'],
    tests: ['validation', 'mutation-validation', 'untyped-callers'],
  },
  names: {
    mutate: ['src/private/generated-name.ts'],
    tests: ['mutation-generated-name', 'second-deployment'],
  },
  roles: {
    mutate: ['src/private/roles.ts'],
    tests: ['mutation-roles', 'execution-role'],
  },
  policies: {
    mutate: ['src/private/own-policy.ts', 'src/private/execution-role.ts'],
    tests: ['execution-role', 'inference-experiment-grants', 'data-capture', 'deploys-everywhere', 'mutation-roles', 'mutation-policies'],
  },
  outcomes: {
    mutate: ['src/private/outcomes.ts'],
    tests: ['mutation-outcomes', 'lifecycle'],
  },
  endpoints: {
    mutate: ['src/private/endpoint-checks.ts'],
    tests: ['endpoint-checks', 'existing-endpoint', 'existing-model', 'warnings', 'mutation-endpoint-checks'],
  },
  stop: {
    mutate: ['src/private/stop-workflow.ts'],
    tests: ['shadow-test-guard'],
  },
  verdict: {
    optional: true,
    mutate: ['src/private/verdict-queries.ts', 'src/private/verdict-workflow.ts'],
    tests: ['verdict-synth', 'shadow-test-verdict', 'metric-math'],
  },
  helpers: {
    optional: true,
    mutate: [
      'src/private/kinds.ts',
      'src/private/arns.ts',
      'src/private/placement.ts',
      'src/private/policy-size.ts',
      'src/private/resource-names.ts',
      'src/private/rendered.ts',
      'src/private/rendered-resources.ts',
    ],
    tests: [
      'inference-experiment', 'untyped-callers', 'deploys-everywhere', 'second-deployment', 'inference-experiment-grants',
      'execution-role', 'endpoint-checks', 'existing-endpoint', 'existing-model', 'warnings', 'shadow-test-guard',
    ],
  },
};

/**
 * The area of this run (MUTATION_AREA, one of AREAS); without it, every file with related-test discovery over the
 * whole suite (the slow way: hours on 2 cores).
 */
const areaName = process.env.MUTATION_AREA;
const area = areaName === undefined ? undefined : AREAS[areaName];
if (areaName !== undefined && area === undefined) {
  throw new Error(`MUTATION_AREA=${areaName} is not an area of stryker.config.mjs: use one of ${Object.keys(AREAS).join(', ')}`);
}
const reportName = areaName ?? 'all';

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
      ...(area ? { testMatch: area.tests.map((name) => `<rootDir>/test/${name}.test.ts`) } : {}),
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
  mutate: area?.mutate ?? Object.values(AREAS).flatMap((each) => each.mutate),
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
  incrementalFile: `reports/mutation/incremental-${reportName}.json`,
  reporters: ['clear-text', 'json', 'progress'],
  jsonReporter: { fileName: `reports/mutation/${reportName}.json` },
  clearTextReporter: { allowColor: false, logTests: false },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};

export default config;
