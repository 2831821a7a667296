import * as tf from '@tensorflow/tfjs';
import type { Examples } from '../data/examples.js';
import type { RowBatch } from '../data/passes.js';
import { createMetricsAccumulator, padColumns, withMetrics, type RetainedRows } from './metrics-accumulator.js';
import { addPairedCounts, SliceTally, sliceMetrics, type PairedCounts, type SliceMetrics } from './slices.js';

export interface AccuracyMetrics {
  accuracy: number;
  correct: number;
  count: number;
  /** Accuracy on examples from inherited shards (old data) and from this version's shards (new data). */
  oldAccuracy: number | null;
  newAccuracy: number | null;
  oldCount: number;
  newCount: number;
}

/** Predicted class per example, in batches to bound memory; `onProbabilities` sees each batch's model output (rows x width). */
export function predictClasses(model: tf.LayersModel, data: Examples, batchSize = 512, onProbabilities?: (probabilities: Float32Array, start: number, end: number, width: number) => void): Int32Array {
  const predictions = new Int32Array(data.count);
  for (let start = 0; start < data.count; start += batchSize) {
    const end = Math.min(data.count, start + batchSize);
    const output = tf.tidy(() => model.predict(tf.tensor2d(data.x.subarray(start * data.featureSize, end * data.featureSize), [end - start, data.featureSize])) as tf.Tensor);
    const batch = tf.tidy(() => output.argMax(-1));
    predictions.set(batch.dataSync() as Int32Array, start);
    if (onProbabilities) onProbabilities(output.dataSync() as Float32Array, start, end, output.shape[1] ?? 1);
    batch.dispose();
    output.dispose();
  }
  return predictions;
}

/** Combined, old and new accuracy: the slices the training curve tracks (without per-class ones). */
export function accuracyFromPredictions(predictions: Int32Array, data: Examples): AccuracyMetrics {
  const { combined, old, new: fresh } = sliceMetrics(predictions, data, [], { perClass: false });
  return {
    accuracy: combined?.accuracy ?? 0,
    correct: combined?.correct ?? 0,
    count: data.count,
    oldAccuracy: old ? old.accuracy : null,
    newAccuracy: fresh ? fresh.accuracy : null,
    oldCount: old?.count ?? 0,
    newCount: fresh?.count ?? 0,
  };
}

export function evaluateAccuracy(model: tf.LayersModel, data: Examples): AccuracyMetrics {
  return accuracyFromPredictions(predictClasses(model, data), data);
}

/**
 * Predictions and per-slice metrics (combined, old, new, per class) of examples in memory: accuracy,
 * plus log-loss, AUC, F1 (src/evaluation/metrics.ts); `rows` feeds the paired bootstrap. The activity
 * streams instead (evaluatePair); both give the same numbers on the same rows.
 */
export function evaluateSlices(model: tf.LayersModel, data: Examples, classes: readonly string[]): { predictions: Int32Array; slices: SliceMetrics; rows: RetainedRows } {
  const metrics = createMetricsAccumulator({ classes });
  const predictions = predictClasses(model, data, 512, (probabilities, start, end, width) =>
    metrics.add({ probabilities: padColumns(probabilities, width, classes.length), labels: data.y.subarray(start, end), groups: data.isNew.subarray(start, end) }),
  );
  return { predictions, slices: withMetrics(sliceMetrics(predictions, data, classes), metrics.result()), rows: metrics.rows() };
}

export interface ModelEvaluation {
  slices: SliceMetrics;
  /** What the paired bootstrap needs (src/evaluation/bootstrap.ts). */
  rows: RetainedRows;
}

export interface PairEvaluation {
  count: number;
  candidate: ModelEvaluation;
  production: ModelEvaluation | null;
  /** Discordant pairs on the combined test rows (McNemar); null without production. */
  paired: PairedCounts | null;
}

/**
 * Evaluates candidate and (optional) production model on the same streamed rows in one pass: slice
 * tallies, the metrics accumulator and the paired counts are fed batch by batch, so memory holds one
 * batch of rows (and what the accumulator keeps per row), never the split. The batches are cut as
 * predictClasses cuts the split loaded whole, so the numbers are the same as evaluateSlices gives.
 */
export async function evaluatePair(batches: AsyncIterable<RowBatch>, candidate: tf.LayersModel, production: tf.LayersModel | null, classes: readonly string[], options: { onBatch?: () => void } = {}): Promise<PairEvaluation> {
  const models = production ? [candidate, production] : [candidate];
  const tallies = models.map(() => new SliceTally(classes));
  const accumulators = models.map(() => createMetricsAccumulator({ classes }));
  const paired: PairedCounts = { candidateOnly: 0, baselineOnly: 0, count: 0 };
  let count = 0;
  for await (const batch of batches) {
    const n = batch.count;
    const labels = batch.y.subarray(0, n);
    const isNew = batch.isNew.subarray(0, n);
    const predicted = models.map((model, m) => {
      const output = tf.tidy(() => model.predict(tf.tensor2d(batch.x.subarray(0, n * batch.featureSize), [n, batch.featureSize])) as tf.Tensor);
      const guesses = tf.tidy(() => output.argMax(-1));
      const classesOut = guesses.dataSync() as Int32Array;
      accumulators[m]!.add({ probabilities: padColumns(output.dataSync() as Float32Array, output.shape[1] ?? 1, classes.length), labels, groups: isNew });
      guesses.dispose();
      output.dispose();
      tallies[m]!.addBatch(classesOut, labels, isNew, n);
      return classesOut;
    });
    if (production) addPairedCounts(paired, predicted[0]!, predicted[1]!, labels, n);
    count += n;
    options.onBatch?.();
  }
  const result = (m: number): ModelEvaluation => ({ slices: withMetrics(tallies[m]!.metrics(), accumulators[m]!.result()), rows: accumulators[m]!.rows() });
  return { count, candidate: result(0), production: production ? result(1) : null, paired: production ? paired : null };
}
