import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Examples } from '../../src/data/examples.js';
import { evaluateAccuracy } from '../../src/evaluation/evaluate.js';
import { selectBackend } from '../../src/training/backend.js';
import { denseLayerForwardFlops, estimateFlops } from '../../src/training/flops.js';
import { loadModel, saveModel } from '../../src/training/model-io.js';
import { buildModel } from '../../src/training/model-spec.js';
import { SeededRandom } from '../../src/training/random.js';
import { trainModel } from '../../src/training/trainer.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';

/** Two Gaussian blobs per class in 8 dimensions: learnable, but not by a constant guess. */
function blobs(count: number, seed: number): Examples {
  const random = new SeededRandom(seed);
  const featureSize = 8;
  const x = new Float32Array(count * featureSize);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 3;
    y[i] = label;
    for (let j = 0; j < featureSize; j++) x[i * featureSize + j] = (j % 3 === label ? 1.5 : 0) + (random.next() - 0.5);
  }
  return { count, featureSize, x, y, isNew: new Uint8Array(count).map((_, i) => (i % 4 === 0 ? 1 : 0)), ids: Array.from({ length: count }, (_, i) => i) };
}

const spec = { kind: 'mlp' as const, hidden: [16] };
const options = { steps: 120, batchSize: 32, learningRate: 0.01, warmupSteps: 5, seed: 3 };

beforeAll(async () => {
  const backend = await selectBackend();
  expect(['wasm', 'cpu', 'tensorflow']).toContain(backend.name);
});

describe('trainer', () => {
  it('learns a separable problem far above chance and reports its work', async () => {
    const model = buildModel(spec, 8, 3, 1);
    const before = evaluateAccuracy(model, blobs(300, 99)).accuracy;
    const progress: number[] = [];
    const stats = await trainModel(model, blobs(600, 1), { ...options, progressEvery: 40, onProgress: ({ step }) => void progress.push(step) });
    const after = evaluateAccuracy(model, blobs(300, 99));
    expect(after.accuracy).toBeGreaterThan(0.9);
    expect(after.accuracy).toBeGreaterThan(before);
    expect(after.oldCount + after.newCount).toBe(300);
    expect(stats).toMatchObject({ steps: 120, examples: 120 * 32 });
    expect(progress).toEqual([40, 80, 120]);
  });

  it('is deterministic for a seed: same data order, same initial and final weights', async () => {
    const run = async () => {
      const model = buildModel(spec, 8, 3, 5);
      await trainModel(model, blobs(200, 2), { ...options, steps: 30 });
      return Array.from(model.getWeights()[0]!.dataSync());
    };
    expect(await run()).toEqual(await run());
  });

  it('stops when a progress callback throws (cancellation)', async () => {
    const model = buildModel(spec, 8, 3, 1);
    await expect(
      trainModel(model, blobs(100, 1), { ...options, progressEvery: 10, onProgress: ({ step }) => {
        if (step === 20) throw new Error('cancelled');
      } }),
    ).rejects.toThrow('cancelled');
  });
});

describe('FLOP estimate', () => {
  it('matches a hand count for 8-16-3: forward 2*8*16+16 + 2*16*3+3, training 3x forward', () => {
    const model = buildModel(spec, 8, 3, 1);
    const forward = 2 * 8 * 16 + 16 + (2 * 16 * 3 + 3);
    expect(denseLayerForwardFlops(8, 16)).toBe(272);
    expect(estimateFlops(model)).toEqual({ forwardPerExample: forward, trainPerExample: 3 * forward });
  });
});

describe('model storage', () => {
  it('saves in the tfjs Layers format and loads back with identical predictions', async () => {
    const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-model-')));
    const model = buildModel(spec, 8, 3, 4);
    const saved = await saveModel(store, 'models/m/candidates/c1', model);
    expect(saved.bytes).toBe((8 * 16 + 16 + 16 * 3 + 3) * 4);
    const modelJson = JSON.parse(new TextDecoder().decode((await store.get(saved.modelKey))!.body));
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);

    const loaded = await loadModel(store, 'models/m/candidates/c1');
    const input = tf.tensor2d(blobs(10, 7).x, [10, 8]);
    expect(Array.from((loaded.predict(input) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(input) as tf.Tensor).dataSync()));
  });
});
