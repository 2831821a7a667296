import * as tf from '@tensorflow/tfjs';
import type { Examples } from '../data/examples.js';
import { createMetricsAccumulator, probabilitiesFromLogits } from './metrics-accumulator.js';
import type { MetricName } from './metrics.js';

/** The metrics beyond accuracy a training curve can carry per evaluation (small: four numbers). */
export type CurveMetrics = Partial<Record<Exclude<MetricName, 'accuracy' | 'precision' | 'recall' | 'f1'>, number | null>>;

/**
 * Log-loss, its skill, AUC and macro-F1 of a model on examples held in memory (the benchmark's
 * evaluation split), in batches to bound memory. The refresh's evaluation streams instead.
 */
export function curveMetrics(model: tf.LayersModel, data: Examples, classes: number, batchSize = 512): CurveMetrics {
  const accumulator = createMetricsAccumulator({ classes: Array.from({ length: classes }, (_, k) => String(k)) });
  for (let start = 0; start < data.count; start += batchSize) {
    const end = Math.min(data.count, start + batchSize);
    const output = tf.tidy(() => model.predict(tf.tensor2d(data.x.subarray(start * data.featureSize, end * data.featureSize), [end - start, data.featureSize])) as tf.Tensor);
    accumulator.add({ probabilities: probabilitiesFromLogits(output.dataSync() as Float32Array, output.shape[1] ?? 1, classes), labels: data.y.subarray(start, end), groups: data.isNew.subarray(start, end) });
    output.dispose();
  }
  const combined = accumulator.result().combined;
  return { logLoss: combined?.logLoss ?? null, logLossSkill: combined?.logLossSkill ?? null, auc: combined?.auc ?? null, macroF1: combined?.macroF1 ?? null };
}
