/**
 * npm run bench:stream-train: training steps/s of the same plain loop (trainLoop, 300 steps of 256) on
 * one shard's train split, loaded whole (loadExamples, today's in-memory path) or streamed
 * (openVersionSource pinned to the verified record), on the local S3 server (infra/services.sh start).
 * The machine is shared, so the two are alternated within one run (ABBA per round, each in a fresh
 * process) and reported as min / median over rounds, with the median of each round's own ratio;
 * also per CPU second (less moved by other jobs) and from the first batch on (the streamed loop reads
 * its first window inside the loop, the in-memory one loaded everything before it).
 * Variants: numeric rows (16 uint8 features) and image-shaped rows (28x28x1), as bench:scale-data.
 * Flags: --rounds N (default 5), --steps N (300), --variants numeric,image.
 * Prints a table and one JSON line. Speed is measured here, never asserted in tests.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadExamples } from '../src/data/examples.js';
import { publishVersion, type PublishRequest } from '../src/data/publish.js';
import { openVersionSource } from '../src/data/source.js';
import { validateVersion } from '../src/data/summary.js';
import { readVerified, writeVerified } from '../src/data/verified.js';
import { loadManifest } from '../src/data/versions.js';
import { selectBackend } from '../src/training/backend.js';
import { buildModel } from '../src/training/build-model.js';
import { trainLoop } from '../src/training/train-loop.js';
import { repoRoot, testS3, uniqueName } from '../test/helpers/services.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const BATCH = 256;

interface Variant {
  name: string;
  rows: number;
  shape: number[];
}

const VARIANTS: Variant[] = [
  { name: 'numeric', rows: 50_000, shape: [16] },
  { name: 'image', rows: 2_500, shape: [28, 28, 1] },
];

interface Run {
  mode: 'memory' | 'streamed';
  backend: string;
  stepsPerSecond: number;
  /** Steps over the child's whole time from opening the data, loading included. */
  endToEndStepsPerSecond: number;
  loadSeconds: number;
  /** Seconds from the loop's start to its first batch (a streamed loop reads its first window then). */
  firstBatchSeconds: number;
  /** Steps per second from the first batch on: the loop's rate once data flows. */
  afterFirstBatchStepsPerSecond: number;
  /** Steps per second of the process's CPU time (all its threads) over the loop: less moved by other jobs than wall time. */
  stepsPerCpuSecond: number;
}

/** Ten classes, features a noisy function of the class (the same recipe as bench:scale-data). */
function shardRows(variant: Variant): PublishRequest['rows'] {
  const size = variant.shape.reduce((a, b) => a * b, 1);
  let state = 2654435761;
  const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24);
  return Array.from({ length: variant.rows }, (_, id) => {
    const label = id % 10;
    return { id, label, features: Uint8Array.from({ length: size }, (_, j) => ((j % 10 === label ? 160 : 40) + next()) & 0xff) };
  });
}

async function child(mode: Run['mode'], prefix: string, variantName: string, steps: number): Promise<Run> {
  const variant = VARIANTS.find((v) => v.name === variantName)!;
  const { store } = testS3(prefix);
  const backend = await selectBackend();
  const dataset = `stream-train-${variant.name}`;
  const manifest = await loadManifest(store, dataset, 1);
  const started = performance.now();
  let data;
  if (mode === 'memory') data = await loadExamples(store, manifest, ['train']);
  else {
    const verified = await readVerified(store, manifest);
    if (!verified) throw new Error(`no verified record for ${dataset} v1`);
    data = await openVersionSource(store, manifest, { splits: ['train'], verified });
  }
  const loadSeconds = (performance.now() - started) / 1000;
  const net = buildModel({ kind: 'mlp', hidden: [64] }, variant.shape, 10, 4);
  const cpu = process.cpuUsage();
  const loopStart = performance.now();
  let firstBatch = 0;
  // The loop asks for step 0's learning rate once the first batch is filled.
  const learningRateAt = (step: number) => {
    if (step === 0) firstBatch = performance.now();
    return 1e-3;
  };
  const stats = await trainLoop(net, data, { steps, batchSize: BATCH, seed: 1, learningRateAt });
  const loopEnd = performance.now();
  const { user, system } = process.cpuUsage(cpu);
  const run: Run = { mode, backend: backend.name, stepsPerSecond: stats.steps / stats.wallSeconds, endToEndStepsPerSecond: stats.steps / ((performance.now() - started) / 1000), loadSeconds, firstBatchSeconds: (firstBatch - loopStart) / 1000, afterFirstBatchStepsPerSecond: stats.steps / ((loopEnd - firstBatch) / 1000), stepsPerCpuSecond: stats.steps / ((user + system) / 1e6) };
  tf.disposeVariables();
  store.destroy();
  return run;
}

function runChild(args: string[]): Run {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bench/stream-train.ts'), '--child', ...args], { encoding: 'utf8', cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Run;
}

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? process.argv[at + 1] : undefined;
  if (at >= 0 && (value === undefined || value.startsWith('--'))) {
    console.error(`--${name} needs a value; for example --${name} ${fallback}`);
    process.exit(2);
  }
  return value ?? fallback;
}

function positive(name: string, fallback: number): number {
  const value = Number(flag(name, String(fallback)));
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be a positive integer; for example --${name} ${fallback}`);
    process.exit(2);
  }
  return value;
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const pad = (text: string | number, width: number) => String(text).padEnd(width);

async function main(): Promise<void> {
  const rounds = positive('rounds', 5);
  const steps = positive('steps', 300);
  const names = flag('variants', 'numeric,image').split(',');
  const unknown = names.filter((n) => !VARIANTS.some((v) => v.name === n));
  if (unknown.length > 0) {
    console.error(`unknown variant ${unknown.join(', ')}; --variants takes ${VARIANTS.map((v) => v.name).join(',')}`);
    process.exit(2);
  }
  const prefix = uniqueName('bench-stream-train');
  const { store } = testS3(prefix);
  const loadBefore = loadavg();
  const results: Record<string, unknown>[] = [];
  const lines = [`${pad('variant', 8)} ${pad('mode', 9)} ${pad('steps/s min', 11)} ${pad('median', 7)} ${pad('max', 7)} ${pad('with loading', 12)} ${pad('after 1st batch', 15)} ${pad('1st batch (s)', 13)} ${pad('per CPU-s', 9)} runs (steps/s)`];
  for (const variant of VARIANTS.filter((v) => names.includes(v.name))) {
    const dataset = `stream-train-${variant.name}`;
    await publishVersion(store, {
      dataset,
      rows: shardRows(variant),
      columns: { id: 'id', label: 'label', features: 'x' },
      features: { encoding: 'uint8-binary', shape: variant.shape, scale: 1 / 255 },
      classes: Array.from({ length: 10 }, (_, i) => `c${i}`),
      split: { kind: 'hash', testFraction: 0.2, validationFraction: 0.05 },
      rowsPerShard: variant.rows,
    });
    const manifest = await loadManifest(store, dataset, 1);
    await writeVerified(store, (await validateVersion(store, manifest)).verified);
    const runs: Run[] = [];
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    const afterRatios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // ABBA: neither mode always runs first on a machine whose load drifts.
      const order: Run['mode'][] = round % 2 === 0 ? ['memory', 'streamed'] : ['streamed', 'memory'];
      const pair = order.map((mode) => runChild([mode, prefix, variant.name, String(steps)]));
      runs.push(...pair);
      const [memory, streamed] = order[0] === 'memory' ? pair : [pair[1]!, pair[0]!];
      ratios.push(streamed!.stepsPerSecond / memory!.stepsPerSecond);
      cpuRatios.push(streamed!.stepsPerCpuSecond / memory!.stepsPerCpuSecond);
      afterRatios.push(streamed!.afterFirstBatchStepsPerSecond / memory!.afterFirstBatchStepsPerSecond);
      console.error(`${variant.name} round ${round + 1}/${rounds}: in memory ${memory!.stepsPerSecond.toFixed(1)}, streamed ${streamed!.stepsPerSecond.toFixed(1)} steps/s (${(ratios.at(-1)! * 100).toFixed(0)}%; after the first batch ${(afterRatios.at(-1)! * 100).toFixed(0)}%; per CPU second ${(cpuRatios.at(-1)! * 100).toFixed(0)}%)`);
    }
    const summary = (mode: Run['mode']) => {
      const rates = runs.filter((r) => r.mode === mode).map((r) => r.stepsPerSecond);
      const ends = runs.filter((r) => r.mode === mode).map((r) => r.endToEndStepsPerSecond);
      const perCpu = runs.filter((r) => r.mode === mode).map((r) => r.stepsPerCpuSecond);
      const after = runs.filter((r) => r.mode === mode).map((r) => r.afterFirstBatchStepsPerSecond);
      const firstBatch = runs.filter((r) => r.mode === mode).map((r) => r.firstBatchSeconds);
      return { min: Math.min(...rates), median: median(rates), max: Math.max(...rates), endToEndMedian: median(ends), perCpuSecondMedian: median(perCpu), afterFirstBatchMedian: median(after), firstBatchSecondsMedian: median(firstBatch), rates, perCpu, after };
    };
    const memory = summary('memory');
    const streamed = summary('streamed');
    for (const [mode, s] of [['memory', memory], ['streamed', streamed]] as const) {
      lines.push(`${pad(variant.name, 8)} ${pad(mode, 9)} ${pad(s.min.toFixed(1), 11)} ${pad(s.median.toFixed(1), 7)} ${pad(s.max.toFixed(1), 7)} ${pad(s.endToEndMedian.toFixed(1), 12)} ${pad(s.afterFirstBatchMedian.toFixed(1), 15)} ${pad(s.firstBatchSecondsMedian.toFixed(3), 13)} ${pad(s.perCpuSecondMedian.toFixed(1), 9)} ${s.rates.map((r) => r.toFixed(1)).join(' ')}`);
    }
    const paired = median(ratios);
    const pct = (value: number) => `${(value * 100).toFixed(0)}%`;
    lines.push(`${pad(variant.name, 8)} streamed / in memory, steps/s: median of rounds ${pct(paired)} (min ${pct(Math.min(...ratios))}, max ${pct(Math.max(...ratios))}); of medians ${pct(streamed.median / memory.median)}; with loading ${pct(streamed.endToEndMedian / memory.endToEndMedian)}; after the first batch, median of rounds ${pct(median(afterRatios))} (min ${pct(Math.min(...afterRatios))}, max ${pct(Math.max(...afterRatios))}); per CPU second, median of rounds ${pct(median(cpuRatios))} (min ${pct(Math.min(...cpuRatios))}, max ${pct(Math.max(...cpuRatios))})`);
    results.push({ variant: variant.name, rows: variant.rows, featureShape: variant.shape, backend: runs[0]!.backend, memory, streamed, ratios, medianRatio: paired, ratioOfMedians: streamed.median / memory.median, endToEndRatio: streamed.endToEndMedian / memory.endToEndMedian, cpuRatios, medianCpuRatio: median(cpuRatios), afterFirstBatchRatios: afterRatios, medianAfterFirstBatchRatio: median(afterRatios) });
  }
  store.destroy();
  const loadAfter = loadavg();
  lines.push(`load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`);
  console.log(lines.join('\n'));
  console.log(JSON.stringify({ bench: 'stream-train', prefix, steps, batchSize: BATCH, rounds, loadBefore, loadAfter, results }));
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  const [, mode, prefix, variant, steps] = args;
  console.log(JSON.stringify(await child(mode as Run['mode'], prefix!, variant!, Number(steps))));
} else {
  await main();
}
