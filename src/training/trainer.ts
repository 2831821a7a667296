import * as tf from '@tensorflow/tfjs';
import type { Examples } from '../data/examples.js';
import { SeededRandom } from './random.js';
import { learningRateAt } from './schedule.js';

export interface TrainOptions {
  steps: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  seed: number;
  /** Called every `progressEvery` steps; awaited, so it can heartbeat or stop the run by throwing. */
  onProgress?: (progress: { step: number; steps: number; loss: number }) => void | Promise<void>;
  progressEvery?: number;
}

export interface TrainStats {
  steps: number;
  examples: number;
  finalLoss: number;
  wallSeconds: number;
}

/**
 * A custom loop (rather than model.fit) so the schedule, the data order and progress reporting are ours:
 * a seeded epoch-wise shuffle, Adam with a per-step learning rate, softmax cross-entropy on logits.
 */
export async function trainModel(model: tf.LayersModel, data: Examples, options: TrainOptions): Promise<TrainStats> {
  if (data.count === 0) throw new Error('no training examples: the train split is empty');
  const started = performance.now();
  const optimizer = tf.train.adam(options.learningRate);
  const random = new SeededRandom(options.seed);
  const numClasses = model.outputs[0]!.shape[1] as number;
  const batchSize = Math.min(options.batchSize, data.count);
  const batchX = new Float32Array(batchSize * data.featureSize);
  const batchY = new Int32Array(batchSize);
  let order = random.permutation(data.count);
  let cursor = 0;
  let lastLoss = Number.NaN;
  const every = options.progressEvery ?? 25;

  for (let step = 0; step < options.steps; step++) {
    for (let i = 0; i < batchSize; i++) {
      if (cursor === order.length) {
        order = random.permutation(data.count);
        cursor = 0;
      }
      const row = order[cursor++]!;
      batchX.set(data.x.subarray(row * data.featureSize, (row + 1) * data.featureSize), i * data.featureSize);
      batchY[i] = data.y[row]!;
    }
    // Adam reads its learning rate on every update; setting it gives a per-step schedule.
    (optimizer as unknown as { learningRate: number }).learningRate = learningRateAt(step, {
      peak: options.learningRate,
      totalSteps: options.steps,
      warmupSteps: options.warmupSteps,
    });
    const loss = tf.tidy(() => {
      const xs = tf.tensor2d(batchX, [batchSize, data.featureSize]);
      const ys = tf.oneHot(tf.tensor1d(batchY, 'int32'), numClasses);
      return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs) as tf.Tensor) as tf.Scalar, true)!;
    });
    if ((step + 1) % every === 0 || step + 1 === options.steps) {
      lastLoss = (await loss.data())[0]!;
      await options.onProgress?.({ step: step + 1, steps: options.steps, loss: lastLoss });
      // Give the event loop a turn so heartbeats and cancellation get through.
      await new Promise((resolve) => setImmediate(resolve));
    }
    loss.dispose();
  }
  optimizer.dispose();
  return { steps: options.steps, examples: options.steps * batchSize, finalLoss: lastLoss, wallSeconds: (performance.now() - started) / 1000 };
}
