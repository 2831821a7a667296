import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadExamples, selectExamples, type Examples } from '../../src/data/examples.js';
import { publishFiles } from '../../src/data/publish-files.js';
import { loadManifest } from '../../src/data/versions.js';
import { featureColumns, type TabularColumn } from '../../src/data/vocabulary.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import { selectBackend } from '../../src/training/backend.js';
import { buildModel } from '../../src/training/build-model.js';
import { estimateFlops } from '../../src/training/flops.js';
import { initializeModel, InitializationError } from '../../src/training/init.js';
import { resolveLevers } from '../../src/training/levers.js';
import { loadModel, saveModel } from '../../src/training/model-io.js';
import { runTraining } from '../../src/training/run-training.js';
import { tabularInputOf } from '../../src/training/tabular-input.js';
import { NEW_ORIGINS, TABULAR_PUBLISH, writeTabularFile } from '../helpers/tabular-data.js';

const spec = { kind: 'mlp' as const, hidden: [16], embeddingDim: 4 };
const numeric = (name: string): TabularColumn => ({ name, kind: 'numeric' });
const categorical = (name: string, vocabulary: string[]): TabularColumn => ({ name, kind: 'categorical', vocabulary });
const embedding = (model: tf.LayersModel, k = 0) => tabularInputOf(model)!.getWeights()[k]!.arraySync() as number[][];
const predict = (model: tf.LayersModel, rows: number[][]) => tf.tidy(() => (model.predict(tf.tensor2d(rows)) as tf.Tensor).arraySync() as number[][]);

beforeAll(async () => {
  await selectBackend();
});

describe('tabular model: embeddings per categorical column, concatenated with the numeric ones', () => {
  const columns = [categorical('color', ['blue', 'red']), numeric('size'), categorical('shop', ['a', 'b', 'c'])];
  // tfjs rewrites config strings (snake_case / camelCase): none of these may change on the way.
  const awkward = [categorical('Origin_Airport', ['JFK', 'camelCase', '_private', 'snake_case', '', 'Zürich 東京', '42']), numeric('Distance')];

  it('builds, survives save and load with its vocabularies, and reads an index beyond its vocabulary as OOV', async () => {
    const model = buildModel(spec, [3], 2, 1, columns);
    expect(model.layers[0]!.getClassName()).toBe('TabularInput');
    expect(model.layers[1]!.getWeights()[0]!.shape).toEqual([1 + 2 * 4, 16]);
    expect(embedding(model, 0)).toHaveLength(3);
    expect(embedding(model, 1)).toHaveLength(4);
    const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-tabular-model-')));
    await saveModel(store, 'm', model);
    const loaded = await loadModel(store, 'm');
    expect(tabularInputOf(loaded)!.columns).toEqual(columns);
    const rows = [[1, 0.5, 3], [2, -1, 0], [9, 0.5, 3], [0, 0.5, 3]];
    const [a, b, beyond, oov] = predict(loaded, rows);
    expect(predict(model, rows)[0]![0]).toBeCloseTo(a![0]!, 6);
    expect(a).not.toEqual(b);
    expect(beyond).toEqual(oov);
    await saveModel(store, 'awkward', buildModel(spec, [2], 2, 1, awkward));
    expect(tabularInputOf(await loadModel(store, 'awkward'))!.columns).toEqual(awkward);
    // Embedding lookups are data movement; their backward adds a gradient row per column.
    expect(estimateFlops(model).layers[0]).toMatchObject({ className: 'TabularInput', forward: 0, backward: 8 });
  });

  it('warm start keeps every old row (matched by value), gives new values the fresh init, and masks only the old rows for l2-to-old', () => {
    const previous = buildModel(spec, [3], 2, 1, columns);
    const grown = [categorical('color', ['blue', 'red', 'green']), numeric('size'), categorical('shop', ['a', 'b', 'c'])];
    const { model, anchor, grownVocabulary } = initializeModel({ spec, inputShape: [3], classes: ['x', 'y'], seed: 9, init: { kind: 'warm' }, previous: { model: previous, classes: ['x', 'y'] }, columns: grown });
    expect(grownVocabulary).toEqual([{ column: 'color', added: 1 }]);
    const [old, now, fresh] = [embedding(previous), embedding(model), embedding(buildModel(spec, [3], 2, 9, grown))];
    expect(now.slice(0, 3)).toEqual(old);
    expect(now[3]).toEqual(fresh[3]);
    expect(embedding(model, 1)).toEqual(embedding(previous, 1));
    expect((anchor!.masks[0]!.arraySync() as number[][]).map((row) => row[0])).toEqual([1, 1, 1, 0]);
    expect(model.layers[1]!.getWeights()[0]!.arraySync()).toEqual(previous.layers[1]!.getWeights()[0]!.arraySync());
  });

  it('refuses to warm-start across different input columns, naming the setting', () => {
    const previous = buildModel(spec, [3], 2, 1, columns);
    const other = [categorical('color', ['blue']), categorical('size', ['s']), categorical('shop', ['a'])];
    expect(() => initializeModel({ spec, inputShape: [3], classes: ['x', 'y'], seed: 9, init: { kind: 'warm' }, previous: { model: previous, classes: ['x', 'y'] }, columns: other })).toThrow(InitializationError);
  });
});

/** Mean log-loss of the true class. */
function logLoss(model: tf.LayersModel, data: Examples): number {
  const probabilities = tf.tidy(() => tf.softmax(model.predict(tf.tensor2d(data.x, [data.count, data.featureSize])) as tf.Tensor).arraySync() as number[][]);
  return probabilities.reduce((sum, p, i) => sum - Math.log(Math.max(1e-7, p[data.y[i]!]!)), 0) / data.count;
}

describe('a vocabulary that grows in v2 is learnt by the warm start', () => {
  it('moves the new values\' rows away from their init, and predicts them better than the v1 model (which reads them as OOV)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-tabular-grow-'));
    const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-tabular-grow-store-')));
    await publishFiles(store, { dataset: 'flights', files: [writeTabularFile(dir, 'v1.parquet', { seed: 11, rows: 2000, firstId: 0 })], ...TABULAR_PUBLISH });
    await publishFiles(store, { dataset: 'flights', files: [writeTabularFile(dir, 'v2.parquet', { seed: 12, rows: 1000, firstId: 2000, origins: NEW_ORIGINS })], ...TABULAR_PUBLISH });
    const [v1, v2] = [await loadManifest(store, 'flights', 1), await loadManifest(store, 'flights', 2)];
    const base = { spec, inputShape: v1.features.shape, classes: v1.classes, batchSize: 64, scratchSteps: 400 };
    const first = await runTraining({ ...base, columns: featureColumns(v1.features), train: await loadExamples(store, v1, ['train']), levers: resolveLevers({ init: { kind: 'scratch' }, schedule: { peakLearningRate: 0.01 } }), seed: 3 });
    const columns = featureColumns(v2.features)!;
    const warm = await runTraining({
      ...base,
      columns,
      train: await loadExamples(store, v2, ['train']),
      previous: { model: first.model, classes: v1.classes },
      levers: resolveLevers({ init: { kind: 'warm' }, schedule: { peakLearningRate: 0.01, stepsFraction: 0.5 } }),
      seed: 4,
    });
    const origins = (columns[0] as Extract<TabularColumn, { kind: 'categorical' }>).vocabulary;
    const newRows = NEW_ORIGINS.map((o) => origins.indexOf(o) + 1);
    const init = embedding(buildModel(spec, v2.features.shape, v2.classes.length, 4, columns));
    const trained = embedding(warm.model);
    for (const row of newRows) {
      const moved = Math.sqrt(trained[row]!.reduce((s, v, j) => s + (v - init[row]![j]!) ** 2, 0));
      expect(moved).toBeGreaterThan(0.2);
    }
    const test = await loadExamples(store, v2, ['test']);
    const fresh = selectExamples(test, Array.from(test.isNew.keys()).filter((i) => test.isNew[i] === 1));
    expect(fresh.count).toBeGreaterThan(100);
    const [warmLoss, oovLoss] = [logLoss(warm.model, fresh), logLoss(first.model, fresh)];
    expect(warmLoss).toBeLessThan(oovLoss * 0.6);
  }, 120_000);
});
