import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { publishVersion, type PublishRequest } from '../../src/data/publish.js';
import { openVersionSource, type ExampleSource } from '../../src/data/source.js';
import { StreamFeed } from '../../src/data/stream-feed.js';
import { loadManifest } from '../../src/data/versions.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import { selectBackend } from '../../src/training/backend.js';
import { buildModel } from '../../src/training/build-model.js';
import { loadCheckpoint, saveCheckpoint, type CheckpointRef } from '../../src/training/checkpoint.js';
import { resolveLevers } from '../../src/training/levers.js';
import { runTraining, type RunProgressState, type RunTrainingOptions } from '../../src/training/run-training.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
/** Three classes whose bytes sit in different places (learnable by a small MLP); bytes 0-1 spell the id. */
const request = (ids: number[]): PublishRequest => ({
  dataset: 'blobs',
  rows: ids.map((id) => ({ id, label: id % 3, features: Uint8Array.from({ length: 6 }, (_, j) => (j === 0 ? id % 256 : j === 1 ? id >> 8 : (j % 3 === id % 3 ? 200 : 40) + ((id * 7 + j * 13) % 50))) })),
  columns: { id: 'id', label: 'label', features: 'x' },
  features: { encoding: 'uint8-binary', shape: [6], scale: 1 / 255 },
  classes: ['a', 'b', 'c'],
  split: { kind: 'hash', testFraction: 0.2, validationFraction: 0 },
  rowsPerShard: 120,
  rowGroupSize: 40,
});

async function published(): Promise<{ store: LocalObjectStore; source: ExampleSource }> {
  const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-stream-train-')));
  await publishVersion(store, request(range(0, 600)));
  await publishVersion(store, request(range(600, 840)));
  const manifest = await loadManifest(store, 'blobs', 2);
  return { store, source: await openVersionSource(store, manifest, { splits: ['train'] }) };
}

async function drawBatches(feed: StreamFeed, batches: number, batchSize: number, size: number): Promise<number[][]> {
  const out: number[][] = [];
  const batch = { x: new Float32Array(batchSize * size), y: new Int32Array(batchSize), w: new Float32Array(batchSize) };
  for (let b = 0; b < batches; b++) {
    await feed.next(batch, batchSize);
    out.push(Array.from(batch.x.filter((_, i) => i % size === 0)));
  }
  return out;
}

describe('StreamFeed', () => {
  it('draws every train row once per epoch, and a resumed feed continues with the same batches', async () => {
    const { source } = await published();
    let train = 0;
    for (let u = 0; u < source.units.length; u++) train += (await source.readUnit(u)).count;
    expect(source.units.length).toBe(21); // 7 shards of 3 row groups
    const feed = new StreamFeed(source, { seed: 4, windowUnits: 3 });
    const rows = new Map<string, number>();
    const batch = { x: new Float32Array(train * 6), y: new Int32Array(train), w: new Float32Array(train) };
    await feed.next(batch, train);
    for (let i = 0; i < train; i++) rows.set(Array.from(batch.x.subarray(i * 6, i * 6 + 6)).join(), i);
    expect(rows.size).toBe(train);

    const a = new StreamFeed(source, { seed: 9, windowUnits: 2 });
    const first = await drawBatches(a, 7, 32, 6);
    const state = a.state();
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    const rest = await drawBatches(a, 30, 32, 6);
    const resumed = new StreamFeed(source, { seed: 9, windowUnits: 2 }, state);
    expect(await drawBatches(resumed, 30, 32, 6)).toEqual(rest);
    expect(first).not.toEqual(rest.slice(0, 7));
  });

  it('mixes old and new rows per batch as newFraction says, and leaves out rows weighted 0', async () => {
    const { source } = await published();
    expect(source.units.filter((u) => u.isNew).length).toBe(6);
    // Rows are indexed in manifest order, and ids were published in that order: index = id here.
    const weights = new Float32Array(source.indexSpace).fill(1);
    for (let id = 0; id < 600; id += 2) weights[id] = 0;
    const feed = new StreamFeed(source, { seed: 1, newFraction: 0.25, exampleWeights: weights });
    const batch = { x: new Float32Array(40 * 6), y: new Int32Array(40), w: new Float32Array(40) };
    for (let b = 0; b < 20; b++) {
      await feed.next(batch, 40);
      const ids = Array.from({ length: 40 }, (_, i) => Math.round(batch.x[i * 6]! * 255) + 256 * Math.round(batch.x[i * 6 + 1]! * 255));
      expect(ids.filter((id) => id >= 600).length).toBe(10);
      expect(ids.filter((id) => id < 600 && id % 2 === 0)).toEqual([]);
      expect(Array.from(batch.w).every((w) => w === 1)).toBe(true);
    }
  });
});

describe('runTraining on streamed data', () => {
  let previous: tf.LayersModel;
  beforeAll(async () => {
    await selectBackend();
    previous = buildModel({ kind: 'mlp', hidden: [10] }, [6], 3, 3);
  });

  it('a run interrupted after a checkpoint and resumed ends with the same weights as one that was not', async () => {
    const { source } = await published();
    const levers = resolveLevers({ init: { kind: 'warm' }, regularization: { kind: 'l2-to-old', strength: 1e-3 }, selection: { kind: 'easy-hard', score: 'margin', dropEasiest: 0.2, dropHardest: 0.05, mode: 'down-weight', newFraction: 0.4 }, schedule: { stepsFraction: 0.6, peakLearningRate: 0.01 } });
    const options = (extra: Partial<RunTrainingOptions> = {}): RunTrainingOptions => ({ spec: { kind: 'mlp', hidden: [10] }, inputShape: [6], classes: ['a', 'b', 'c'], train: source, previous: { model: previous, classes: ['a', 'b', 'c'] }, levers, scratchSteps: 100, batchSize: 16, seed: 5, ...extra });
    const straight = await runTraining(options());
    const expected = straight.model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(straight.selection?.scored).toBeGreaterThan(0);

    const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-stream-ckpt-')));
    let latest: CheckpointRef | null = null;
    const interrupted = runTraining(
      options({
        checkpointEvery: 20,
        progressEvery: 5,
        onCheckpoint: async (model, snapshot, state, weights) => {
          latest = await saveCheckpoint(store, 'models/m/checkpoints/c1', model, snapshot, state, weights ? { selectionWeights: weights } : {});
        },
        onProgress: ({ step }) => {
          if (step === 45) throw new Error('worker lost');
        },
      }),
    );
    await expect(interrupted).rejects.toThrow('worker lost');
    const checkpoint = await loadCheckpoint(store, latest!);
    expect(checkpoint.snapshot.sampler).toMatchObject({ kind: 'stream' });
    const resumed = await runTraining(options({ resume: { model: checkpoint.model, snapshot: checkpoint.snapshot, state: checkpoint.extra as RunProgressState, selectionWeights: checkpoint.selectionWeights } }));
    expect(resumed.model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(expected);
    expect(resumed.compute.steps).toBe(straight.compute.steps);
    expect(resumed.selection).toEqual(straight.selection);
    for (const m of [straight.model, resumed.model, checkpoint.model]) m.dispose();
  });
});

describe('data selection on streamed data', () => {
  it('scores old rows in one pass (loss), or with a streamed learning-speed probe, counting the scoring compute', async () => {
    await selectBackend();
    const { source } = await published();
    let oldTrain = 0;
    for (const [u, unit] of source.units.entries()) if (!unit.isNew) oldTrain += (await source.readUnit(u)).count;
    const base = { spec: { kind: 'mlp' as const, hidden: [10] }, inputShape: [6], classes: ['a', 'b', 'c'], train: source, scratchSteps: 100, batchSize: 16, seed: 5 };
    const previous = buildModel({ kind: 'mlp', hidden: [10] }, [6], 3, 3);
    const byLoss = await runTraining({ ...base, previous: { model: previous, classes: ['a', 'b', 'c'] }, levers: resolveLevers({ init: { kind: 'warm' }, selection: { kind: 'easy-hard', score: 'loss', dropEasiest: 0.25, dropHardest: 0, mode: 'drop' }, schedule: { stepsFraction: 0.2 } }) });
    expect(byLoss.selection).toMatchObject({ scored: oldTrain, easiest: Math.floor(0.25 * oldTrain), affected: Math.floor(0.25 * oldTrain) });
    expect(byLoss.compute.scoringExamples).toBe(oldTrain);
    const bySpeed = await runTraining({ ...base, previous: null, levers: resolveLevers({ init: { kind: 'scratch' }, selection: { kind: 'easy-hard', score: 'learning-speed', dropEasiest: 0.2, dropHardest: 0, mode: 'down-weight', probeStepsFraction: 0.2, probeEvaluations: 4 }, schedule: { stepsFraction: 0.2 } }) });
    // 20 probe steps of 16, then 4 streamed evaluations of every old train row.
    expect(bySpeed.compute.scoringExamples).toBe(20 * 16 + 4 * oldTrain);
    expect(bySpeed.selection).toMatchObject({ scored: oldTrain, mode: 'down-weight', easiest: Math.floor(0.2 * oldTrain) });
    for (const m of [previous, byLoss.model, bySpeed.model]) m.dispose();
  });
});
