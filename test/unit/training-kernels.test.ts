import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/training/backend.js';
import { buildModel } from '../../src/training/model-spec.js';
import { trainModel } from '../../src/training/trainer.js';
import { evaluateAccuracy } from '../../src/evaluation/evaluate.js';
import { stripes } from './training-fixtures.js';

// Selected before collection: whether the wasm suite runs depends on it.
const backend = await selectBackend();
afterAll(async () => {
  await tf.setBackend(backend.name);
});

/** The filter gradient of sum(conv(x, w)^2), computed on one backend from fixed seeded inputs. */
async function filterGradient(name: string, stride: number, pad: 'same' | 'valid', size: number, kernel: number): Promise<Float32Array> {
  await tf.setBackend(name);
  return tf.tidy(() => {
    const x = tf.randomNormal([3, size, size, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([kernel, kernel, 2, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
    return tf.grad((f: tf.Tensor) => tf.conv2d(x, f as tf.Tensor4D, stride, pad).square().sum())(w).dataSync() as Float32Array;
  });
}

describe.runIf(backend.name === 'wasm')('wasm training kernels', () => {
  it.each([
    [1, 'same', 12, 3],
    [2, 'same', 12, 3],
    [2, 'valid', 11, 3],
    [1, 'valid', 9, 5],
    [3, 'same', 10, 3],
  ] as const)('Conv2DBackpropFilter matches the cpu backend (stride %i, %s, %ix%i input, %ix%i kernel)', async (stride, pad, size, kernel) => {
    const wasm = await filterGradient('wasm', stride, pad, size, kernel);
    const cpu = await filterGradient('cpu', stride, pad, size, kernel);
    expect(wasm.length).toBe(kernel * kernel * 2 * 4);
    for (let i = 0; i < cpu.length; i++) expect(Math.abs(wasm[i]! - cpu[i]!)).toBeLessThan(1e-3 * (1 + Math.abs(cpu[i]!)));
  });

  it('trains a small CNN on wasm without leaking tensors', async () => {
    await tf.setBackend('wasm');
    const model = buildModel({ kind: 'cnn', filters: [4], kernelSize: 3, dense: [] }, [8, 8, 1], 4, 1);
    const data = stripes(256, 1);
    await trainModel(model, data, { steps: 2, batchSize: 32, learningRate: 0.01, warmupSteps: 0, seed: 1 });
    const before = tf.memory().numTensors;
    await trainModel(model, data, { steps: 60, batchSize: 32, learningRate: 0.01, warmupSteps: 0, seed: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(evaluateAccuracy(model, stripes(200, 9)).accuracy).toBeGreaterThan(0.9);
  });
});
