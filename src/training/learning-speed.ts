import type * as tf from '@tensorflow/tfjs';
import { selectExamples, type Examples } from '../data/examples.js';
import { predictClasses } from '../evaluation/evaluate.js';
import { trainLoop } from './train-loop.js';

/**
 * Learning speed (the fraction of evaluations in which an example is classified correctly while a
 * model learns it): measured by a probe run, a fresh model trained on the old examples for a few
 * steps and classifying them `evaluations` times. It is real compute, reported as scoring cost.
 * Returned as difficulty (1 - speed), higher = harder.
 */
export async function learningSpeedDifficulty(options: {
  probe: tf.LayersModel;
  data: Examples;
  rows: Int32Array;
  steps: number;
  evaluations: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** Called as the probe trains and evaluates (the caller heartbeats). */
  onBusy?: () => void;
}): Promise<{ difficulty: Float32Array; trainExamples: number; evaluatedExamples: number; steps: number }> {
  const { probe, data, rows, evaluations } = options;
  const subset = selectExamples(data, rows);
  const correct = new Float32Array(rows.length);
  const steps = Math.max(evaluations, options.steps);
  const every = Math.max(1, Math.floor(steps / evaluations));
  let evaluated = 0;
  const stats = await trainLoop(probe, subset, {
    steps: every * evaluations,
    batchSize: options.batchSize,
    seed: options.seed,
    learningRateAt: () => options.learningRate,
    evaluateEvery: every,
    onProgress: () => options.onBusy?.(),
    onEvaluate: () => {
      options.onBusy?.();
      const predicted = predictClasses(probe, subset);
      for (let i = 0; i < rows.length; i++) if (predicted[i] === subset.y[i]) correct[i]!++;
      evaluated += rows.length;
      return false;
    },
  });
  const difficulty = correct.map((c) => 1 - c / evaluations);
  return { difficulty, trainExamples: stats.examples, evaluatedExamples: evaluated, steps: stats.steps };
}
