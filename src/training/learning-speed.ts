import * as tf from '@tensorflow/tfjs';
import { selectExamples, type Examples } from '../data/examples.js';
import { rowBatches } from '../data/passes.js';
import { restrictSource, type ExampleSource } from '../data/source.js';
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

/**
 * Learning speed on a streamed source: the probe trains on the old units' rows (streamed, without the
 * dataset's weights, as in memory) and each evaluation is one pass over them in natural order. Keeps a
 * count and an index per old row, never the rows. `rows` are the rows' indices in the version.
 */
export async function learningSpeedOfSource(options: {
  probe: tf.LayersModel;
  source: ExampleSource;
  steps: number;
  evaluations: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  onBusy?: () => void;
}): Promise<{ rows: Int32Array; difficulty: Float32Array; trainExamples: number; evaluatedExamples: number; steps: number }> {
  const { probe, evaluations } = options;
  const old = restrictSource(options.source, (unit) => !unit.isNew);
  let rows: Int32Array | undefined;
  let correct: Float32Array | undefined;
  const steps = Math.max(evaluations, options.steps);
  const every = Math.max(1, Math.floor(steps / evaluations));
  let evaluated = 0;
  const evaluate = async (): Promise<boolean> => {
    const seen: number[] = [];
    const hits: number[] = [];
    for await (const batch of rowBatches(old)) {
      options.onBusy?.();
      const predicted = tf.tidy(() => (probe.predict(tf.tensor2d(batch.x.subarray(0, batch.count * batch.featureSize), [batch.count, batch.featureSize])) as tf.Tensor).argMax(-1));
      const values = predicted.dataSync();
      predicted.dispose();
      for (let i = 0; i < batch.count; i++) {
        if (!rows) seen.push(batch.index[i]!);
        hits.push(values[i] === batch.y[i] ? 1 : 0);
      }
    }
    rows ??= Int32Array.from(seen);
    correct ??= new Float32Array(rows.length);
    hits.forEach((hit, i) => (correct![i]! += hit));
    evaluated += rows.length;
    return false;
  };
  const stats = await trainLoop(probe, old, { steps: every * evaluations, batchSize: options.batchSize, seed: options.seed, learningRateAt: () => options.learningRate, datasetWeights: false, evaluateEvery: every, onProgress: () => options.onBusy?.(), onEvaluate: evaluate });
  const difficulty = (correct ?? new Float32Array(0)).map((c) => 1 - c / evaluations);
  return { rows: rows ?? new Int32Array(0), difficulty, trainExamples: stats.examples, evaluatedExamples: evaluated, steps: stats.steps };
}
