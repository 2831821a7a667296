import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { publishVersion, type PublishRequest } from '../../src/data/publish.js';
import { openVersionSource, type ExampleSource, type UnitRows } from '../../src/data/source.js';
import { StreamFeed, type StreamFeedOptions } from '../../src/data/stream-feed.js';
import { loadManifest } from '../../src/data/versions.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import { selectBackend } from '../../src/training/backend.js';
import { buildModel } from '../../src/training/build-model.js';
import { epochWindows, windowRowOrder } from '../../src/training/sampler.js';
import { trainLoop } from '../../src/training/train-loop.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
/** Bytes 0-1 spell the id, so a batch row says which example it is. */
const request = (ids: number[], size: number): PublishRequest => ({
  dataset: 'order',
  rows: ids.map((id) => ({ id, label: id % 3, features: Uint8Array.from({ length: size }, (_, j) => (j === 0 ? id % 256 : j === 1 ? id >> 8 : (id * 7 + j) % 256)) })),
  columns: { id: 'id', label: 'label', features: 'x' },
  features: { encoding: 'uint8-binary', shape: [size], scale: 1 },
  classes: ['a', 'b', 'c'],
  split: { kind: 'hash', testFraction: 0.2, validationFraction: 0 },
  rowsPerShard: 120,
  rowGroupSize: 40,
});

async function published(size: number): Promise<ExampleSource> {
  const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-feed-order-')));
  await publishVersion(store, request(range(0, 600), size));
  await publishVersion(store, request(range(600, 840), size));
  return openVersionSource(store, await loadManifest(store, 'order', 2), { splits: ['train'] });
}

interface Drawn {
  id: number;
  y: number;
  w: number;
}

/** The draw order the feed promises, row by row: pools' units in windows of a seeded epoch order, each window's kept rows in a seeded order. */
async function referenceDraws(source: ExampleSource, options: StreamFeedOptions, batches: number, batchSize: number): Promise<Drawn[][]> {
  const windowUnits = options.windowUnits ?? 4;
  const all = source.units.map((_, i) => i).filter((i) => source.units[i]!.wanted !== 0);
  const members = options.newFraction === undefined ? [all] : [all.filter((i) => !source.units[i]!.isNew), all.filter((i) => source.units[i]!.isNew)];
  const cursors = members.map((units, p) => {
    let epoch = 0;
    let window = 0;
    let rows: Drawn[] = [];
    let pos = 0;
    return async (): Promise<Drawn> => {
      while (pos >= rows.length) {
        const windows = epochWindows(units, options.seed, p, epoch, windowUnits);
        const read: UnitRows[] = await Promise.all(windows[window]!.map((u) => source.readUnit(u)));
        const kept: Drawn[] = [];
        for (const unit of read) {
          for (let r = 0; r < unit.count; r++) {
            const w = unit.weights[r]! * (options.exampleWeights ? options.exampleWeights[unit.index[r]!]! : 1);
            if (w > 0) kept.push({ id: unit.x[r * source.featureSize]! + 256 * unit.x[r * source.featureSize + 1]!, y: unit.y[r]!, w });
          }
        }
        rows = Array.from(windowRowOrder(kept.length, options.seed, p, epoch, window), (i) => kept[i]!);
        pos = 0;
        if (++window === windows.length) {
          window = 0;
          epoch++;
        }
      }
      return rows[pos++]!;
    };
  });
  const out: Drawn[][] = [];
  for (let b = 0; b < batches; b++) {
    const fromNew = options.newFraction === undefined ? 0 : Math.round(options.newFraction * batchSize);
    const batch: Drawn[] = [];
    for (let i = 0; i < batchSize; i++) batch.push(await cursors[i < batchSize - fromNew ? 0 : 1]!());
    out.push(batch);
  }
  return out;
}

async function feedDraws(feed: StreamFeed, batches: number, batchSize: number, size: number): Promise<Drawn[][]> {
  const batch = { x: new Float32Array(batchSize * size), y: new Int32Array(batchSize), w: new Float32Array(batchSize) };
  const out: Drawn[][] = [];
  for (let b = 0; b < batches; b++) {
    await feed.next(batch, batchSize);
    out.push(Array.from({ length: batchSize }, (_, i) => ({ id: batch.x[i * size]! + 256 * batch.x[i * size + 1]!, y: batch.y[i]!, w: batch.w[i]! })));
  }
  return out;
}

describe('StreamFeed draw order', () => {
  // 16 features are copied by a loop, 80 by TypedArray.set: both paths are checked.
  for (const size of [16, 80]) {
    it(`fills batches with exactly the rows, labels and weights of the seeded window order, across window ends (${size} features)`, async () => {
      const source = await published(size);
      const weights = new Float32Array(source.indexSpace).fill(1);
      for (let id = 0; id < 840; id++) weights[id] = id % 5 === 0 ? 0 : id % 3 === 0 ? 0.5 : 1;
      const cases: [StreamFeedOptions, number][] = [
        [{ seed: 9, windowUnits: 2 }, 32],
        [{ seed: 1, newFraction: 0.25, exampleWeights: weights }, 40],
        [{ seed: 3, newFraction: 0.7, exampleWeights: weights, windowUnits: 1 }, 25],
      ];
      for (const [options, batchSize] of cases) {
        // 40 batches: more than an epoch of every pool, so windows and epochs turn over mid-batch.
        const expected = await referenceDraws(source, options, 40, batchSize);
        expect(await feedDraws(new StreamFeed(source, options), 40, batchSize, size)).toEqual(expected);
      }
    });
  }
});

describe('trainLoop on streamed data', () => {
  beforeAll(async () => {
    await selectBackend();
  });

  it('reads the first window during the step-0 evaluation, and lets a window read ahead finish while training runs, not only when the window in use runs out', async () => {
    const source = await published(16);
    let step = 0;
    let evaluating = false;
    const reads: { requested: number; resolved?: number; duringEvaluation?: boolean }[] = [];
    const rows = await Promise.all(source.units.map((_, u) => source.readUnit(u)));
    // Each read completes after exactly one turn of the event loop, as a network read needs turns to progress.
    const slow: ExampleSource = {
      ...source,
      count: source.count,
      readUnit: (u) => {
        const read: { requested: number; resolved?: number; duringEvaluation?: boolean } = { requested: step };
        reads.push(read);
        return new Promise<UnitRows>((resolve) => {
          setImmediate(() => {
            read.resolved = step;
            read.duringEvaluation = evaluating;
            resolve(rows[u]!);
          });
        });
      },
    };
    const model = buildModel({ kind: 'mlp', hidden: [4] }, [16], 3, 1);
    // Two units a window of ~64 train rows, 4 rows a batch: ~16 steps a window; no progress reports (they yield too).
    await trainLoop(model, slow, {
      steps: 60,
      batchSize: 4,
      seed: 2,
      windowUnits: 2,
      progressEvery: 1000,
      // The step-0 evaluation awaits (as a real one does): the first window is read meanwhile.
      evaluateAtStart: true,
      onEvaluate: async (s) => {
        evaluating = s === 0;
        for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
        evaluating = false;
        return false;
      },
      learningRateAt: (s) => {
        step = s;
        return 1e-3;
      },
    });
    model.dispose();
    expect(reads.slice(0, 2).map((r) => r.duringEvaluation)).toEqual([true, true]);
    const ahead = reads.filter((r) => r.requested > 0); // the first window is read before step 0; later ones are read ahead
    expect(ahead.length).toBeGreaterThan(4);
    // Waiting for the window's end instead would resolve them ~16 steps after they were asked for.
    for (const read of ahead.filter((r) => r.resolved !== undefined)) expect(read.resolved! - read.requested).toBeLessThanOrEqual(1);
  });
});
