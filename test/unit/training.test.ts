import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateAccuracy } from '../../src/evaluation/evaluate.js';
import { selectBackend } from '../../src/training/backend.js';
import { denseLayerForwardFlops, estimateFlops } from '../../src/training/flops.js';
import { loadModel, saveModel } from '../../src/training/model-io.js';
import { buildModel, registerModelBuilder } from '../../src/training/build-model.js';
import { trainModel } from '../helpers/train-model.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import { blobs } from './training-fixtures.js';

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

  it('keeps the number of live tensors flat across hundreds of steps (no leak)', async () => {
    const model = buildModel(spec, 8, 3, 1);
    const data = blobs(200, 3);
    await trainModel(model, data, { ...options, steps: 10 });
    const before = tf.memory().numTensors;
    await trainModel(model, data, { ...options, steps: 300 });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('FLOP estimate', () => {
  it('matches a hand count for the MLP 8-16(relu)-3', () => {
    const model = buildModel(spec, 8, 3, 1);
    // forward: 2*8*16 products + 16 bias + 16 relu; 2*16*3 + 3 bias
    const forward = 256 + 16 + 16 + (96 + 3);
    // backward: first layer dW 256 + db 16 + relu 16 (no input gradient); head dW 96 + dX 96 + db 3
    const backward = 256 + 16 + 16 + (96 + 96 + 3);
    expect(denseLayerForwardFlops(8, 16)).toBe(272);
    const estimate = estimateFlops(model);
    expect(estimate).toMatchObject({ forwardPerExample: forward, backwardPerExample: backward, trainPerExample: forward + backward });
    expect(estimate.layers.map((l) => l.className)).toEqual(['Dense', 'Dense']);
  });

  it('matches a hand count for a small CNN: 8x8x1 -> conv3x3x4 -> pool -> dense 5', () => {
    const model = buildModel({ kind: 'cnn', filters: [4], kernelSize: 3, dense: [] }, [8, 8, 1], 5, 1);
    const estimate = estimateFlops(model);
    const convProducts = 2 * 3 * 3 * 1 * (8 * 8 * 4); // 4608
    const conv = { forward: convProducts + 256 + 256, backward: convProducts + 256 + 256 }; // first weighted layer: no dX
    const pool = { forward: 4 * 4 * 4 * 4, backward: 8 * 8 * 4 };
    const dense = { forward: 2 * 64 * 5 + 5, backward: 2 * (2 * 64 * 5) + 5 };
    expect(estimate.layers.map((l) => [l.className, l.forward, l.backward])).toEqual([
      ['Reshape', 0, 0],
      ['Conv2D', conv.forward, conv.backward],
      ['MaxPooling2D', pool.forward, pool.backward],
      ['Flatten', 0, 0],
      ['Dense', dense.forward, dense.backward],
    ]);
    expect(estimate.trainPerExample).toBe(conv.forward + conv.backward + pool.forward + pool.backward + dense.forward + dense.backward);
  });
});

describe('model specs', () => {
  it('builds a CNN from the feature shape and refuses a flat shape', () => {
    const model = buildModel({ kind: 'cnn', filters: [4, 8], kernelSize: 3, dense: [16] }, [8, 8, 1], 4, 2);
    expect(model.inputs[0]!.shape).toEqual([null, 64]);
    expect(model.outputs[0]!.shape).toEqual([null, 4]);
    expect(() => buildModel({ kind: 'cnn', filters: [4], kernelSize: 3, dense: [] }, [64], 4, 2)).toThrow(/feature shape is \[64\]/);
  });

  it('builds a user-registered model and names the missing builder otherwise', () => {
    registerModelBuilder('tiny-linear', ({ featureSize, numClasses, options }) =>
      tf.sequential({ layers: [tf.layers.dense({ inputShape: [featureSize], units: Number(options.units ?? 4), activation: 'relu' }), tf.layers.dense({ units: numClasses })] }),
    );
    const model = buildModel({ kind: 'custom', name: 'tiny-linear', options: { units: 6 } }, [8], 3, 1);
    expect(model.getWeights()[0]!.shape).toEqual([8, 6]);
    expect(() => buildModel({ kind: 'custom', name: 'nope' }, [8], 3, 1)).toThrow(/no model builder registered as "nope"/);
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
