import * as tf from '@tensorflow/tfjs';
import type { Examples } from '../data/examples.js';
import { sliceMetrics, type SliceMetrics } from './slices.js';

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

/** Predicted class per example, in batches to bound memory. */
export function predictClasses(model: tf.LayersModel, data: Examples, batchSize = 512): Int32Array {
  const predictions = new Int32Array(data.count);
  for (let start = 0; start < data.count; start += batchSize) {
    const end = Math.min(data.count, start + batchSize);
    const batch = tf.tidy(() => {
      const xs = tf.tensor2d(data.x.subarray(start * data.featureSize, end * data.featureSize), [end - start, data.featureSize]);
      return (model.predict(xs) as tf.Tensor).argMax(-1);
    });
    predictions.set(batch.dataSync() as Int32Array, start);
    batch.dispose();
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

/** Predictions and per-slice accuracy (combined, old, new, per class) in one pass. */
export function evaluateSlices(model: tf.LayersModel, data: Examples, classes: readonly string[]): { predictions: Int32Array; slices: SliceMetrics } {
  const predictions = predictClasses(model, data);
  return { predictions, slices: sliceMetrics(predictions, data, classes) };
}
