import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/training/backend.js';
import { buildModel } from '../../src/training/build-model.js';
import { trainModel } from '../helpers/train-model.js';
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

/** The input gradient of sum(conv(x, w)^2 * m) (m a fixed random mask, so dy is not symmetric). */
async function inputGradient(name: string, stride: number, pad: 'same' | 'valid', size: number, kernel: number): Promise<Float32Array> {
  await tf.setBackend(name);
  return tf.tidy(() => {
    const x = tf.randomNormal([2, size, size, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const w = tf.randomNormal([kernel, kernel, 3, 5], 0, 1, 'float32', 4) as tf.Tensor4D;
    return tf.grad((input: tf.Tensor) => {
      const y = tf.conv2d(input as tf.Tensor4D, w, stride, pad);
      return y.square().mul(tf.randomUniform(y.shape, 0, 1, 'float32', 5)).sum();
    })(x).dataSync() as Float32Array;
  });
}

/** The input gradient of a max-pool, with ties (plateaus of zeros, as after a ReLU) in half the windows. */
async function poolGradient(name: string, size: number, pool: number, stride: number, pad: 'same' | 'valid'): Promise<Float32Array> {
  await tf.setBackend(name);
  return tf.tidy(() => {
    const x = tf.randomNormal([2, size, size, 3], 0, 1, 'float32', 6).relu() as tf.Tensor4D;
    return tf.grad((input: tf.Tensor) => {
      const y = tf.maxPool(input as tf.Tensor4D, pool, stride, pad);
      return y.mul(tf.randomUniform(y.shape, 0, 1, 'float32', 7)).sum();
    })(x).dataSync() as Float32Array;
  });
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThan(1e-3 * (1 + Math.abs(expected[i]!)));
}

describe.runIf(backend.name === 'wasm')('wasm training kernels', () => {
  it.each([
    [1, 'same', 9, 3],
    [1, 'valid', 9, 3],
    [1, 'same', 8, 5],
    [1, 'same', 8, 4],
    [2, 'same', 9, 3],
  ] as const)('Conv2DBackpropInput matches the cpu backend (stride %i, %s, input side %i, kernel %i)', async (stride, pad, size, kernel) => {
    expectClose(await inputGradient('wasm', stride, pad, size, kernel), await inputGradient('cpu', stride, pad, size, kernel));
  });

  it.each([
    [8, 2, 2, 'valid'],
    [9, 2, 2, 'same'],
    [9, 3, 2, 'valid'],
    [7, 3, 1, 'same'],
  ] as const)('MaxPoolGrad matches the cpu backend (input side %i, pool %i, stride %i, %s)', async (size, pool, stride, pad) => {
    expectClose(await poolGradient('wasm', size, pool, stride, pad), await poolGradient('cpu', size, pool, stride, pad));
  });

  it.each([
    [1, 'same', 12, 3],
    [2, 'same', 12, 3],
    [2, 'valid', 11, 3],
    [1, 'valid', 9, 5],
    [3, 'same', 10, 3],
  ] as const)('Conv2DBackpropFilter matches the cpu backend (stride %i, %s, input side %i, kernel %i)', async (stride, pad, size, kernel) => {
    const wasm = await filterGradient('wasm', stride, pad, size, kernel);
    expect(wasm.length).toBe(kernel * kernel * 2 * 4);
    expectClose(wasm, await filterGradient('cpu', stride, pad, size, kernel));
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const)('BatchMatMul matches the cpu backend (transposeA %s, transposeB %s), batched too', async (ta, tb) => {
    const product = async (name: string) => {
      await tf.setBackend(name);
      return tf.tidy(() => {
        const a = tf.randomNormal(ta ? [2, 7, 5] : [2, 5, 7], 0, 1, 'float32', 8) as tf.Tensor3D;
        const b = tf.randomNormal(tb ? [2, 3, 7] : [2, 7, 3], 0, 1, 'float32', 9) as tf.Tensor3D;
        return tf.matMul(a, b, ta, tb).dataSync() as Float32Array;
      });
    };
    expectClose(await product('wasm'), await product('cpu'));
  });

  it.each([
    [[0, 1, 2], false],
    [[0], true],
    [[1, 0], false],
    [[-1], false],
    [[0, 2], false],
  ] as const)('Sum over axes %j (keepDims %s) matches the cpu backend', async (axes, keepDims) => {
    const total = async (name: string) => {
      await tf.setBackend(name);
      return tf.tidy(() => {
        const result = tf.randomNormal([3, 4, 5, 6], 0, 1, 'float32', 10).sum([...axes], keepDims);
        return { shape: result.shape, values: result.dataSync() as Float32Array };
      });
    };
    const [wasm, cpu] = [await total('wasm'), await total('cpu')];
    expect(wasm.shape).toEqual(cpu.shape);
    expectClose(wasm.values, cpu.values);
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
