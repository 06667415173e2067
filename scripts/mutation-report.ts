/*
 * Writes docs/mutation-report.md from Stryker's JSON report(s): the score of each mutated file, and the mutants that
 * survived, each with the reason from docs/mutation-equivalents.json when it is an equivalent mutant (one that no
 * test can tell from the original code).
 *
 *   ts-node scripts/mutation-report.ts [report.json ...]
 *
 * By default, the reports of reports/mutation/ (one per area of stryker.config.mjs, written by scripts/mutation.sh),
 * merged from the oldest to the newest, a file's later report replacing its earlier one. An entry of
 * docs/mutation-equivalents.json names its mutant by file, mutator, original code and replacement, which stay the same
 * when lines move; `line` is needed only when the same mutant occurs on several lines.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The part of a mutation-testing-report-schema report that is read here. */
interface Position {
  readonly line: number;
  readonly column: number;
}
interface Mutant {
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly location: { readonly start: Position; readonly end: Position };
  readonly status: string;
}
interface FileReport {
  readonly source: string;
  readonly mutants: Mutant[];
}
interface Report {
  readonly files: Record<string, FileReport>;
}

/** An entry of docs/mutation-equivalents.json. */
interface Equivalent {
  readonly file: string;
  readonly line?: number;
  readonly mutator: string;
  readonly original: string;
  readonly replacement: string;
  readonly reason: string;
}

const UNDETECTED = ['Survived', 'NoCoverage'];
const DETECTED = ['Killed', 'Timeout'];

/** The code that a mutant replaces. */
function originalOf(source: string, { start, end }: Mutant['location']): string {
  const lines = source.split('\n');
  if (start.line === end.line) {
    return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  }
  return [
    lines[start.line - 1].slice(start.column - 1),
    ...lines.slice(start.line, end.line - 1),
    lines[end.line - 1].slice(0, end.column - 1),
  ].join('\n');
}

/** Code for a table cell: on one line, shortened, its pipes escaped. */
function cell(code: string, max = 80): string {
  const oneLine = code.replace(/\s+/g, ' ').trim();
  const shown = oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
  return `\`${shown.replace(/\|/g, '\\|').replace(/`/g, "'")}\``;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? 'n/a' : `${(Math.floor((1000 * part) / whole) / 10).toFixed(1)}%`;
}

function main(reportFiles: string[], equivalentsFile: string, output: string): void {
  const files: Record<string, FileReport> = {};
  for (const reportFile of reportFiles) {
    Object.assign(files, (JSON.parse(fs.readFileSync(reportFile, 'utf8')) as Report).files);
  }
  const equivalents: Equivalent[] = fs.existsSync(equivalentsFile) ? JSON.parse(fs.readFileSync(equivalentsFile, 'utf8')) : [];
  const used = new Set<Equivalent>();

  const rows: string[] = [];
  const survivors: string[] = [];
  for (const file of Object.keys(files).sort()) {
    const { source, mutants } = files[file];
    const count = (...statuses: string[]) => mutants.filter((m) => statuses.includes(m.status)).length;
    const detected = count(...DETECTED);
    const valid = detected + count(...UNDETECTED);
    let explained = 0;
    const left = mutants.filter((m) => UNDETECTED.includes(m.status))
      .sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column);
    for (const mutant of left) {
      const original = originalOf(source, mutant.location);
      const equivalent = equivalents.find((e) => e.file === file && e.mutator === mutant.mutatorName
        && e.original === original && e.replacement === (mutant.replacement ?? '')
        && (e.line === undefined || e.line === mutant.location.start.line));
      if (equivalent) {
        used.add(equivalent);
        explained++;
      }
      survivors.push(`| ${file}:${mutant.location.start.line}:${mutant.location.start.column} | ${mutant.status} | ` +
        `${mutant.mutatorName} | ${cell(original)} | ${cell(mutant.replacement ?? '')} | ` +
        `${equivalent ? equivalent.reason.replace(/\|/g, '\\|') : '**not explained: needs a test**'} |`);
    }
    rows.push(`| ${file} | ${count('Killed')} | ${count('Survived')} | ${count('Timeout')} | ${count('NoCoverage')} | ` +
      `${count('CompileError', 'RuntimeError')} | ${mutants.length} | ${percent(detected, valid)} | ` +
      `${percent(detected, valid - explained)} |`);
  }
  const unused = equivalents.filter((e) => !used.has(e));

  const markdown = [
    '# Mutation testing report',
    '',
    `Written by scripts/mutation-report.ts from ${reportFiles.join(', ')}: do not edit by hand. ` +
      '`npx projen mutation` runs Stryker area by area (stryker.config.mjs), then writes it.',
    '',
    'Score: (killed + timeout) / (killed + timeout + survived + no coverage). The last column leaves out the ' +
      'survivors that docs/mutation-equivalents.json explains as equivalent mutants.',
    '',
    '| File | Killed | Survived | Timeout | No coverage | Errors | Total | Score | Score without equivalents |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    '## Surviving mutants',
    '',
    ...(survivors.length === 0 ? ['None.'] : [
      '| Where | Status | Mutator | Original | Replacement | Why it survives |',
      '| --- | --- | --- | --- | --- | --- |',
      ...survivors,
    ]),
    '',
    ...(unused.length === 0 ? [] : [
      '## Explanations that match no survivor',
      '',
      'These entries of docs/mutation-equivalents.json match no surviving mutant any more (a test kills it, or the code ' +
        'changed): remove or update them.',
      '',
      ...unused.map((e) => `- ${e.file}${e.line === undefined ? '' : `:${e.line}`} ${e.mutator}: ${cell(e.original)} → ${cell(e.replacement)}`),
      '',
    ]),
  ].join('\n');
  fs.mkdirSync(path.dirname(output), { recursive: true });
  fs.writeFileSync(output, markdown);
}

/** The reports of reports/mutation/, oldest first (the incremental files beside them are Stryker's own). */
function reportsSoFar(directory: string): string[] {
  if (!fs.existsSync(directory)) {
    throw new Error(`No mutation report in ${directory}: run \`npx projen mutation\` first.`);
  }
  return fs.readdirSync(directory)
    .filter((name) => name.endsWith('.json') && !name.startsWith('incremental-'))
    .map((name) => path.join(directory, name))
    .sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs);
}

const args = process.argv.slice(2);
main(args.length > 0 ? args : reportsSoFar('reports/mutation'), 'docs/mutation-equivalents.json', 'docs/mutation-report.md');
