/*
 * Synthesis benchmark: this library against the same resources written by hand with the L1 and iam.Role, for apps
 * of 1 to 1000 experiments (at most 100 per stack), and the cost of loading the library. Every figure is the median
 * of several runs, each in a fresh process. A run is timed twice: as a whole process, from its start to its exit
 * (loading included, as a user's `cdk synth` runs it), and from the app's creation to the end of its synthesis.
 *
 *   npx projen bench                 (BENCH_RUNS=7 by default)
 */
import { execFileSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SIZES = [1, 100, 500, 1000];
const WORKER = path.join(__dirname, 'worker.ts');

function measure(...args: string[]): any {
  const start = performance.now();
  const output = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', WORKER, ...args], {
    encoding: 'utf-8',
    env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.json') },
    maxBuffer: 64 * 1024 * 1024,
  });
  const processMs = performance.now() - start;
  return { ...JSON.parse(output.trim().split('\n').pop()!), processMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const pad = (value: string | number, width: number) => String(value).padStart(width);
const fixed = (value: number, digits = 0) => value.toFixed(digits);

console.log(`Synthesis: median of ${RUNS} runs, each in a fresh process (node ${process.version}, ${os.cpus().length} CPUs).`);
console.log('process: a whole process, from its start to its exit; synthesis: from the app\'s creation to the end of app.synth().');
console.log('ratio: the median of the library/by-hand ratios of runs made one after the other; ratios: their range.\n');
console.log(`${pad('', 5)} ${pad('whole process', 38)}   ${pad('synthesis only', 38)}`);
console.log(`${pad('N', 5)} ${pad('library ms', 11)} ${pad('by hand ms', 11)} ${pad('ratio', 6)} ${pad('ratios', 9)}   ` +
  `${pad('library ms', 11)} ${pad('by hand ms', 11)} ${pad('ratio', 6)} ${pad('ratios', 9)}   ${pad('library MiB', 12)} ${pad('by hand MiB', 12)}`);
const times: Record<string, Record<number, number>> = { library: {}, handwritten: {} };
let resourcesOfOneExperiment: Record<string, number> = {};
for (const size of SIZES) {
  const runs: Record<string, any[]> = { library: [], handwritten: [] };
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, so that a slower moment of the machine weighs on both alike.
    for (const implementation of ['library', 'handwritten']) {
      runs[implementation].push(measure('synth', implementation, String(size)));
    }
  }
  const [library, handwritten] = [runs.library, runs.handwritten];
  const canonical = (resources: Record<string, number>) => JSON.stringify(Object.entries(resources).sort());
  if (canonical(library[0].resources) !== canonical(handwritten[0].resources)) {
    throw new Error(`The two apps differ at N=${size}: ${JSON.stringify(library[0].resources)} / ${JSON.stringify(handwritten[0].resources)}`);
  }
  if (size === 1) {
    resourcesOfOneExperiment = library[0].resources;
  }
  const mib = (results: any[]) => median(results.map((r) => r.maxRssMiB));
  // Each library run is paired with the hand-written run made right after it: the median of the pairs' ratios
  // cancels most of what the machine's own variations add to single runs.
  const columns = (figure: string) => {
    const ms = (results: any[]) => median(results.map((r) => r[figure]));
    const ratios = library.map((result, run) => result[figure] / handwritten[run][figure]);
    return `${pad(fixed(ms(library)), 11)} ${pad(fixed(ms(handwritten)), 11)} ${pad(fixed(median(ratios), 2), 6)} ` +
      `${pad(`${fixed(Math.min(...ratios), 2)}-${fixed(Math.max(...ratios), 2)}`, 9)}`;
  };
  times.library[size] = median(library.map((r) => r.ms));
  times.handwritten[size] = median(handwritten.map((r) => r.ms));
  console.log(`${pad(size, 5)} ${columns('processMs')}   ${columns('ms')}   ${pad(fixed(mib(library)), 12)} ${pad(fixed(mib(handwritten)), 12)}`);
}
console.log(`\nResources per experiment, both ways: ${JSON.stringify(resourcesOfOneExperiment)}`);
console.log(`Growth of the synthesis from N=100 to N=1000: library ${fixed(times.library[1000] / times.library[100], 2)}x, ` +
  `by hand ${fixed(times.handwritten[1000] / times.handwritten[100], 2)}x (linear is 10x)`);

const load = (what: string) => median(Array.from({ length: RUNS }, () => measure('load', what).ms));
const libraryLoad = load('library');
const cdkLoad = load('aws-cdk-lib');
console.log(`\nLoading: the library with the aws-cdk-lib modules it uses ${fixed(libraryLoad)} ms, those modules alone ` +
  `${fixed(cdkLoad)} ms: the library adds ${fixed(libraryLoad - cdkLoad)} ms (ratio ${fixed(libraryLoad / cdkLoad, 2)})`);
