import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { selectBackend, type BackendInfo } from '../../src/training/backend.js';
import { buildModel } from '../../src/training/build-model.js';
import { trainLoop, type LoopSnapshot } from '../../src/training/train-loop.js';
import { trainModel } from '../helpers/train-model.js';
import { stripes, weightsOf } from './training-fixtures.js';

// The native backend is optional (infra/tensorflow.sh install builds it): without it this suite is
// skipped, and its title says why.
const native: BackendInfo | undefined = await selectBackend('tensorflow').catch((error: Error) => {
  console.warn(`native TensorFlow backend tests skipped: ${error.message}`);
  return undefined;
});
const skipReason = native ? '' : ' (skipped: not installed; infra/tensorflow.sh install builds it)';

/**
 * Native kernels sum in another order than the cpu backend (blocked, multi-threaded, oneDNN), so
 * results agree to float32 rounding, not bitwise: |native - cpu| <= 1e-4 * (1 + |cpu|).
 */
const TOLERANCE = 1e-4;

function maxExcess(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  return worst;
}

/** Runs `compute` on the cpu backend and on native, from the same seeded inputs. */
async function onBoth(compute: () => Float32Array): Promise<[Float32Array, Float32Array]> {
  await tf.setBackend('cpu');
  const cpu = compute();
  await tf.setBackend('tensorflow');
  return [compute(), cpu];
}

const randomNormal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

const spec = { kind: 'cnn' as const, filters: [4, 8], kernelSize: 3, dense: [16] };
const loopOptions = { batchSize: 32, seed: 5, learningRateAt: () => 0.01 };
describe.skipIf(!native)(`native TensorFlow backend${skipReason}`, () => {
  it('names the library and the device it runs on', () => {
    expect(native!.name).toBe('tensorflow');
    expect(native!.device).toMatch(/^(CPU|GPU) .+ \(.*libtensorflow \d+\.\d+\.\d+/);
  });

  it.each([
    [1, 'same'],
    [2, 'same'],
    [1, 'valid'],
  ] as const)('Conv2D, its input and filter gradients match the cpu backend (stride %i, %s)', async (stride, pad) => {
    const results = await onBoth(() =>
      tf.tidy(() => {
        const x = randomNormal([3, 9, 9, 2], 1) as tf.Tensor4D;
        const w = randomNormal([3, 3, 2, 5], 2) as tf.Tensor4D;
        const mask = tf.randomUniform(tf.conv2d(x, w, stride, pad).shape, 0, 1, 'float32', 3);
        const loss = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.conv2d(a, b, stride, pad).square().mul(mask).sum();
        const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a as tf.Tensor4D, b as tf.Tensor4D))([x, w]);
        return tf.concat([tf.conv2d(x, w, stride, pad).flatten(), dx!.flatten(), dw!.flatten()]).dataSync() as Float32Array;
      }),
    );
    expect(maxExcess(...results)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('MaxPool and its gradient match the cpu backend, with ties from a ReLU', async () => {
    const results = await onBoth(() =>
      tf.tidy(() => {
        const x = randomNormal([2, 8, 8, 3], 4).relu() as tf.Tensor4D;
        const dx = tf.grad((a: tf.Tensor) => {
          const y = tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid');
          return y.mul(tf.randomUniform(y.shape, 0, 1, 'float32', 5)).sum();
        })(x);
        return tf.concat([tf.maxPool(x, 2, 2, 'valid').flatten(), dx.flatten()]).dataSync() as Float32Array;
      }),
    );
    expect(maxExcess(...results)).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
  ] as const)('MatMul matches the cpu backend (transposeA %s, transposeB %s)', async (ta, tb) => {
    const results = await onBoth(() =>
      tf.tidy(() => {
        const a = randomNormal(ta ? [70, 50] : [50, 70], 6) as tf.Tensor2D;
        const b = randomNormal(tb ? [30, 70] : [70, 30], 7) as tf.Tensor2D;
        return tf.matMul(a, b, ta, tb).dataSync() as Float32Array;
      }),
    );
    expect(maxExcess(...results)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('a whole training step of a CNN (softmax cross-entropy, every weight gradient) matches the cpu backend', async () => {
    const data = stripes(32, 1);
    const results = await onBoth(() => {
      const model = buildModel(spec, [8, 8, 1], 4, 1);
      const out = tf.tidy(() => {
        const xs = tf.tensor2d(data.x, [data.count, data.featureSize]);
        const ys = tf.oneHot(tf.tensor1d(data.y, 'int32'), 4);
        const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs) as tf.Tensor) as tf.Scalar, variables);
        return tf.concat([value.reshape([1]), ...variables.map((v) => grads[v.name]!.flatten())]).dataSync() as Float32Array;
      });
      model.dispose();
      return out;
    });
    expect(maxExcess(...results)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('is reproducible for a seed: two runs end with bitwise equal weights', async () => {
    await tf.setBackend('tensorflow');
    const run = async () => {
      const model = buildModel(spec, [8, 8, 1], 4, 1);
      await trainModel(model, stripes(256, 2), { steps: 30, batchSize: 32, learningRate: 0.01, warmupSteps: 3, seed: 4 });
      const weights = weightsOf(model);
      model.dispose();
      return weights;
    };
    expect(await run()).toEqual(await run());
  });

  it('a run resumed from a checkpoint ends with bitwise the weights of an uninterrupted one', async () => {
    await tf.setBackend('tensorflow');
    const data = stripes(256, 3);
    const straight = buildModel(spec, [8, 8, 1], 4, 1);
    await trainLoop(straight, data, { ...loopOptions, steps: 40 });

    // Interrupted right after the checkpoint of step 20: weights and loop state as a checkpoint keeps them.
    const interrupted = buildModel(spec, [8, 8, 1], 4, 1);
    let saved: { snapshot: LoopSnapshot; weights: tf.Tensor[] } | undefined;
    const stop = trainLoop(interrupted, data, {
      ...loopOptions,
      steps: 40,
      checkpointEvery: 20,
      onCheckpoint: async (snapshot) => {
        const optimizer = { ...snapshot.optimizer, m: snapshot.optimizer.m.map((t) => t.clone()), v: snapshot.optimizer.v.map((t) => t.clone()) };
        saved = { snapshot: { ...snapshot, optimizer }, weights: interrupted.getWeights().map((w) => w.clone()) };
        throw new Error('worker lost');
      },
    });
    await expect(stop).rejects.toThrow('worker lost');

    const resumed = buildModel(spec, [8, 8, 1], 4, 7);
    resumed.setWeights(saved!.weights);
    const stats = await trainLoop(resumed, data, { ...loopOptions, steps: 40, resume: saved!.snapshot });
    expect(stats.steps).toBe(20);
    expect(weightsOf(resumed)).toEqual(weightsOf(straight));
    for (const t of [...saved!.weights, ...saved!.snapshot.optimizer.m, ...saved!.snapshot.optimizer.v]) t.dispose();
    for (const m of [straight, interrupted, resumed]) m.dispose();
  });
});
