/**
 * The plain run used by tests: every example, warmup + cosine from `learningRate`. The product always
 * trains through runTraining (src/training/run-training.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Examples } from '../../src/data/examples.js';
import { learningRateAt } from '../../src/training/schedule.js';
import { trainLoop, type LoopOptions } from '../../src/training/train-loop.js';

export interface TrainOptions {
  steps: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  seed: number;
  onProgress?: LoopOptions['onProgress'];
  progressEvery?: number;
}

export interface TrainStats {
  steps: number;
  examples: number;
  finalLoss: number;
  wallSeconds: number;
}

export async function trainModel(model: tf.LayersModel, data: Examples, options: TrainOptions): Promise<TrainStats> {
  const { steps, examples, finalLoss, wallSeconds } = await trainLoop(model, data, {
    steps: options.steps,
    batchSize: options.batchSize,
    seed: options.seed,
    learningRateAt: (step) => learningRateAt(step, { peak: options.learningRate, totalSteps: options.steps, warmupSteps: options.warmupSteps }),
    onProgress: options.onProgress,
    progressEvery: options.progressEvery,
  });
  return { steps, examples, finalLoss, wallSeconds };
}
