/**
 * npm run bench:scale-data: a dataset many shards large, through every data step of a warm refresh,
 * on the local S3 server (infra/services.sh start). For each variant (numeric rows, image-shaped rows)
 * it publishes one shard per version (vK holds K shards, the last one new), then runs each step in a
 * fresh process (its peak RSS its own) on vK's first shard alone and on all of vK:
 *   publish   one more shard (the publish of v1, and of vK)
 *   validate  context validation: one verified read and decode of every shard, the identity record written
 *   score     the data-selection scoring pass (loss of a production model on every old train row)
 *   train     a warm run on the streamed train split (window shuffle, selection weights applied)
 *   feed      the data path alone: streamed batches, no model
 *   evaluate  candidate and production on the streamed test split (slices, metrics, McNemar counts)
 *   memory    today's in-memory path on v1 (loadExamples + trainLoop): steps/s to compare with train
 * Reads are counted per shard (bytes read / shard bytes). Prints a table and one JSON line.
 * Sizes: BENCH_SHARDS (default 20), BENCH_NUMERIC_ROWS per shard (50,000), BENCH_IMAGE_ROWS (2,500).
 * Then publish of ONE input file (CSV and Parquet, 16 numeric columns) split into at least 20 shards,
 * beside the publish of a file of one shard's rows (bench/publish-file.ts, each in a fresh process).
 * The shard bound is BENCH_PUBLISH_SHARD_MB (default 2, so that 20x fits the machine; the product's
 * default is 64 MiB: memory depends on the bound, not on the file). BENCH_ONLY=publish-file runs that alone.
 * Speed is measured here, never asserted in tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadExamples } from '../src/data/examples.js';
import { rowBatches } from '../src/data/passes.js';
import { publishVersion, type PublishRequest } from '../src/data/publish.js';
import { openVersionSource } from '../src/data/source.js';
import { StreamFeed } from '../src/data/stream-feed.js';
import { validateVersion } from '../src/data/summary.js';
import { readVerified, writeVerified } from '../src/data/verified.js';
import { loadManifest } from '../src/data/versions.js';
import { evaluatePair } from '../src/evaluation/evaluate.js';
import type { ObjectStore } from '../src/storage/object-store.js';
import { selectBackend } from '../src/training/backend.js';
import { buildModel } from '../src/training/build-model.js';
import { resolveLevers } from '../src/training/levers.js';
import { runTraining } from '../src/training/run-training.js';
import { scoreSource } from '../src/training/selection.js';
import { trainLoop } from '../src/training/train-loop.js';
import { repoRoot, testS3, uniqueName } from '../test/helpers/services.js';
import { writeCsv, writeParquetInput, type PublishFileMeasure } from './publish-file.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const SHARDS = Number(process.env.BENCH_SHARDS ?? 20);
const TRAIN_STEPS = Number(process.env.BENCH_TRAIN_STEPS ?? 300);
const BATCH = 256;

interface Variant {
  name: string;
  rowsPerShard: number;
  shape: number[];
  hidden: number[];
}

const VARIANTS: Variant[] = [
  { name: 'numeric', rowsPerShard: Number(process.env.BENCH_NUMERIC_ROWS ?? 50_000), shape: [16], hidden: [64] },
  { name: 'image', rowsPerShard: Number(process.env.BENCH_IMAGE_ROWS ?? 2_500), shape: [28, 28, 1], hidden: [64] },
];

interface Measure {
  step: string;
  version: number;
  seconds: number;
  peakRssMB: number;
  rows?: number;
  /** Bytes read from shards / bytes of all shards of the version. */
  shardReads?: number;
  stepsPerSecond?: number;
  /** Steps over the whole step's time, loading included (what an activity spends). */
  endToEndStepsPerSecond?: number;
  batchesPerSecond?: number;
  /** Train rows drawn / train rows: how many epochs the shard reads cover. */
  epochs?: number;
}

/** Ten classes, features a noisy function of the class (learnable, not trivial). */
function shardRows(variant: Variant, shard: number): PublishRequest['rows'] {
  const size = variant.shape.reduce((a, b) => a * b, 1);
  let state = (shard + 1) * 2654435761;
  const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24);
  return Array.from({ length: variant.rowsPerShard }, (_, r) => {
    const id = shard * variant.rowsPerShard + r;
    const label = id % 10;
    return { id, label, features: Uint8Array.from({ length: size }, (_, j) => ((j % 10 === label ? 160 : 40) + next()) & 0xff) };
  });
}

function request(variant: Variant, dataset: string, shard: number): PublishRequest {
  return {
    dataset,
    rows: shardRows(variant, shard),
    columns: { id: 'id', label: 'label', features: 'x' },
    features: { encoding: 'uint8-binary', shape: variant.shape, scale: 1 / 255 },
    classes: Array.from({ length: 10 }, (_, i) => `c${i}`),
    split: { kind: 'hash', testFraction: 0.2, validationFraction: 0.05 },
    rowsPerShard: variant.rowsPerShard,
  };
}

/** Counts bytes read per shard key (whole reads and ranges). */
function counting(inner: ObjectStore): { store: ObjectStore; bytes: () => number } {
  let read = 0;
  const isShard = (key: string) => key.endsWith('.parquet');
  const store = Object.assign(Object.create(inner) as ObjectStore, {
    get: async (...args: Parameters<ObjectStore['get']>) => {
      const out = await inner.get(...args);
      if (out && isShard(args[0])) read += out.body.byteLength;
      return out;
    },
    getRange: async (key: string, start: number, end: number, options?: Parameters<NonNullable<ObjectStore['getRange']>>[3]) => {
      const out = await inner.getRange!(key, start, end, options);
      if (isShard(key)) read += out.byteLength;
      return out;
    },
  });
  return { store, bytes: () => read };
}

/** `one`: the version's first shard alone (the single-shard baseline of the same step). */
async function child(step: string, prefix: string, variantName: string, dataset: string, version: number, one: boolean): Promise<Measure> {
  const variant = VARIANTS.find((v) => v.name === variantName)!;
  const { store: s3 } = testS3(prefix);
  const { store, bytes } = counting(s3);
  await selectBackend();
  const started = performance.now();
  const out: Measure = { step, version, seconds: 0, peakRssMB: 0 };
  const full = step === 'publish' ? undefined : await loadManifest(store, dataset, version);
  const manifest = full && one ? { ...full, shards: full.shards.slice(0, 1) } : full;
  const total = manifest ? manifest.shards.reduce((n, s) => n + s.bytes, 0) : 1;
  const size = variant.shape.reduce((a, b) => a * b, 1);
  const model = (seed: number) => buildModel({ kind: 'mlp', hidden: variant.hidden }, variant.shape, 10, seed);
  if (step === 'publish') {
    await publishVersion(store, request(variant, dataset, version - 1));
    out.rows = variant.rowsPerShard;
  } else if (step === 'validate') {
    const { summary, verified } = await validateVersion(store, manifest!);
    if (!one) await writeVerified(store, verified);
    out.rows = summary.train + summary.validation + summary.test;
  } else {
    const recorded = await readVerified(store, full!);
    if (!recorded) throw new Error(`no verified record for ${dataset} v${version}: run validate first`);
    const verified = one ? { ...recorded, shards: recorded.shards.slice(0, 1) } : recorded;
    if (step === 'score') {
      const train = await openVersionSource(store, manifest!, { splits: ['train'], verified });
      const { rows } = await scoreSource(model(1), train, 'loss');
      out.rows = rows.length;
    } else if (step === 'train') {
      const train = await openVersionSource(store, manifest!, { splits: ['train'], verified });
      const levers = resolveLevers({ init: { kind: 'warm' }, selection: { kind: 'easy-hard', score: 'loss', dropEasiest: 0.2, dropHardest: 0.02, mode: 'drop', newFraction: 0.3 }, schedule: { stepsFraction: 1, peakLearningRate: 3e-3 } });
      const previous = model(1);
      const run = await runTraining({ spec: { kind: 'mlp', hidden: variant.hidden }, inputShape: variant.shape, classes: manifest!.classes, train, previous: { model: previous, classes: manifest!.classes }, levers, scratchSteps: TRAIN_STEPS, batchSize: BATCH, seed: 1 });
      out.stepsPerSecond = run.compute.steps / run.compute.wallSeconds;
      out.rows = run.compute.examples;
      out.epochs = run.compute.examples / train.count!;
    } else if (step === 'feed') {
      const train = await openVersionSource(store, manifest!, { splits: ['train'], verified });
      const feed = new StreamFeed(train, { seed: 1, newFraction: 0.3 });
      const batch = { x: new Float32Array(BATCH * size), y: new Int32Array(BATCH), w: new Float32Array(BATCH) };
      const t0 = performance.now();
      const batches = TRAIN_STEPS * 2;
      for (let b = 0; b < batches; b++) await feed.next(batch, BATCH);
      out.batchesPerSecond = batches / ((performance.now() - t0) / 1000);
      out.rows = batches * BATCH;
      out.epochs = out.rows / train.count!;
    } else if (step === 'evaluate') {
      const test = await openVersionSource(store, manifest!, { splits: ['test'], verified, cacheBytes: 0 });
      const result = await evaluatePair(rowBatches(test), model(2), model(3), manifest!.classes);
      out.rows = result.count;
    } else if (step === 'memory' || step === 'streamed') {
      // The same plain loop on the same split: loaded whole, or streamed.
      const data = step === 'memory' ? await loadExamples(store, manifest!, ['train']) : await openVersionSource(store, manifest!, { splits: ['train'], verified });
      const net = model(4);
      const stats = await trainLoop(net, data, { steps: TRAIN_STEPS, batchSize: BATCH, seed: 1, learningRateAt: () => 1e-3 });
      out.stepsPerSecond = stats.steps / stats.wallSeconds;
      out.endToEndStepsPerSecond = stats.steps / ((performance.now() - started) / 1000);
      out.rows = stats.examples;
    } else throw new Error(`unknown step ${step}`);
  }
  out.seconds = (performance.now() - started) / 1000;
  out.shardReads = bytes() / total;
  out.peakRssMB = process.resourceUsage().maxRSS / 1024;
  tf.disposeVariables();
  s3.destroy();
  return out;
}

function runChild(args: string[]): Measure {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bench/scale-data.ts'), '--child', ...args], { encoding: 'utf8', cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measure;
}

const pad = (text: string | number, width: number) => String(text).padEnd(width);
const PUBLISH_SHARD_BYTES = Number(process.env.BENCH_PUBLISH_SHARD_MB ?? 2) * 1024 * 1024;
/** Bytes per row of the converted or written Parquet (16 doubles, 4 decimals; measured), to size the large file. */
const PARQUET_BYTES_PER_ROW = { csv: 42, parquet: 74 };

function runPublishFile(prefix: string, dataset: string, file: string): PublishFileMeasure {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bench/publish-file.ts'), prefix, dataset, file, String(PUBLISH_SHARD_BYTES)], { encoding: 'utf8', cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as PublishFileMeasure;
}

/**
 * Publish of one large file (at least 20 shards' rows) beside one of a file of one shard's rows, per
 * format; the small file gets 90% of a large file's shard's rows, so it is one shard.
 */
async function publishFileSteps(prefix: string): Promise<{ lines: string[]; results: Record<string, unknown>[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-publish-file-'));
  const lines = [`${pad('format', 8)} ${pad('input MB 1', 10)} ${pad('input MB N', 10)} ${pad('rows 1', 8)} ${pad('rows N', 9)} ${pad('shards N', 8)} ${pad('RSS 1 (MB)', 10)} ${pad('RSS N (MB)', 10)} ${pad('RSS ratio', 9)} ${pad('seconds 1', 9)} seconds N`];
  const results: Record<string, unknown>[] = [];
  try {
    for (const format of ['csv', 'parquet'] as const) {
      const write = format === 'csv' ? writeCsv : writeParquetInput;
      const bigRows = Math.ceil((22 * PUBLISH_SHARD_BYTES) / PARQUET_BYTES_PER_ROW[format]);
      const bigFile = path.join(dir, `big.${format}`);
      await write(bigFile, bigRows);
      const large = runPublishFile(prefix, `publish-file-${format}-large`, bigFile);
      rmSync(bigFile);
      const smallFile = path.join(dir, `small.${format}`);
      await write(smallFile, Math.floor((0.9 * large.rows) / large.shards));
      const one = runPublishFile(prefix, `publish-file-${format}-one`, smallFile);
      const ratio = large.peakRssMB / one.peakRssMB;
      lines.push(`${pad(format, 8)} ${pad(fixed(one.inputMB), 10)} ${pad(fixed(large.inputMB), 10)} ${pad(one.rows, 8)} ${pad(large.rows, 9)} ${pad(large.shards, 8)} ${pad(fixed(one.peakRssMB, 0), 10)} ${pad(fixed(large.peakRssMB, 0), 10)} ${pad(fixed(ratio, 2), 9)} ${pad(fixed(one.seconds), 9)} ${fixed(large.seconds)}`);
      results.push({ format, shardBound: PUBLISH_SHARD_BYTES, one, large, rssRatio: ratio, rowsOverShard: large.rows / one.rows });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { lines, results };
}
const fixed = (value: number | undefined, digits = 1) => (value === undefined ? '-' : value.toFixed(digits));

async function main(): Promise<void> {
  const prefix = uniqueName('bench-scale');
  const { store } = testS3(prefix);
  const results: Record<string, unknown>[] = [];
  const lines: string[] = [];
  lines.push(`${pad('variant', 8)} ${pad('step', 9)} ${pad('rows 1 shard', 12)} ${pad(`rows ${SHARDS} shards`, 14)} ${pad('RSS 1 (MB)', 10)} ${pad(`RSS ${SHARDS} (MB)`, 11)} ${pad('RSS ratio', 9)} ${pad('reads/shard', 11)} ${pad('epochs', 6)} ${pad('seconds', 8)} rate`);
  for (const variant of process.env.BENCH_ONLY === 'publish-file' ? [] : VARIANTS) {
    const dataset = `scale-${variant.name}`;
    const steps: Record<string, { one: Measure; all: Measure }> = {};
    const K = String(SHARDS);
    const publishOne = runChild(['publish', prefix, variant.name, dataset, '1', 'all']);
    for (let v = 2; v < SHARDS; v++) await publishVersion(store, request(variant, dataset, v - 1));
    const publishAll = runChild(['publish', prefix, variant.name, dataset, K, 'all']);
    steps.publish = { one: publishOne, all: publishAll };
    // Validation of vK first: it writes the identity record the later steps read pinned to.
    const validateAll = runChild(['validate', prefix, variant.name, dataset, K, 'all']);
    steps.validate = { one: runChild(['validate', prefix, variant.name, dataset, K, 'one']), all: validateAll };
    for (const step of ['score', 'train', 'feed', 'evaluate']) {
      steps[step] = { one: runChild([step, prefix, variant.name, dataset, K, 'one']), all: runChild([step, prefix, variant.name, dataset, K, 'all']) };
    }
    const memory = runChild(['memory', prefix, variant.name, dataset, K, 'one']);
    const streamed = runChild(['streamed', prefix, variant.name, dataset, K, 'one']);
    for (const [step, { one, all }] of Object.entries(steps)) {
      const rate = all.stepsPerSecond !== undefined ? `${fixed(all.stepsPerSecond)} steps/s` : all.batchesPerSecond !== undefined ? `${fixed(all.batchesPerSecond)} batches/s` : '';
      lines.push(`${pad(variant.name, 8)} ${pad(step, 9)} ${pad(one.rows ?? '-', 12)} ${pad(all.rows ?? '-', 14)} ${pad(fixed(one.peakRssMB, 0), 10)} ${pad(fixed(all.peakRssMB, 0), 11)} ${pad(fixed(all.peakRssMB / one.peakRssMB, 2), 9)} ${pad(step === 'publish' ? '-' : fixed(all.shardReads, 2), 11)} ${pad(fixed(all.epochs, 2), 6)} ${pad(fixed(all.seconds), 8)} ${rate}`);
    }
    const trainRate = steps.train!.all.stepsPerSecond!;
    const feedRate = steps.feed!.all.batchesPerSecond!;
    const percent = (a: number | undefined, b: number | undefined) => `${fixed((a! / b!) * 100, 0)}%`;
    lines.push(`${pad(variant.name, 8)} 1 shard, plain loop: in memory ${fixed(memory.stepsPerSecond)} steps/s, streamed ${fixed(streamed.stepsPerSecond)} (${percent(streamed.stepsPerSecond, memory.stepsPerSecond)}); with loading: ${fixed(memory.endToEndStepsPerSecond)} vs ${fixed(streamed.endToEndStepsPerSecond)} (${percent(streamed.endToEndStepsPerSecond, memory.endToEndStepsPerSecond)})`);
    lines.push(`${pad(variant.name, 8)} data path ${fixed(feedRate / trainRate, 1)}x the rate training consumes batches`);
    results.push({
      variant: variant.name,
      shards: SHARDS,
      rowsPerShard: variant.rowsPerShard,
      featureShape: variant.shape,
      rows: SHARDS * variant.rowsPerShard,
      steps: Object.fromEntries(Object.entries(steps).map(([step, { one, all }]) => [step, { one, all, rssRatio: all.peakRssMB / one.peakRssMB }])),
      maxRssRatio: Math.max(...Object.values(steps).map(({ one, all }) => all.peakRssMB / one.peakRssMB)),
      dataPathOverTraining: feedRate / trainRate,
      inMemoryStepsPerSecond: memory.stepsPerSecond,
      streamedStepsPerSecond: streamed.stepsPerSecond,
      streamedOverInMemory: streamed.stepsPerSecond! / memory.stepsPerSecond!,
      inMemoryEndToEndStepsPerSecond: memory.endToEndStepsPerSecond,
      streamedEndToEndStepsPerSecond: streamed.endToEndStepsPerSecond,
    });
  }
  store.destroy();
  const publishFile = await publishFileSteps(prefix);
  console.log(lines.join('\n'));
  console.log(`\npublish of one file (shard bound ${PUBLISH_SHARD_BYTES / 1024 / 1024} MiB; 1 = a file of one shard's rows, N = one file of at least 20 shards' rows):`);
  console.log(publishFile.lines.join('\n'));
  console.log(JSON.stringify({ bench: 'scale-data', prefix, trainSteps: TRAIN_STEPS, batchSize: BATCH, results, publishFile: publishFile.results }));
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  const [, step, prefix, variant, dataset, version, shards] = args;
  console.log(JSON.stringify(await child(step!, prefix!, variant!, dataset!, Number(version), shards === 'one')));
} else {
  await main();
}
