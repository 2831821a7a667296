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

export function accuracyFromPredictions(predictions: Int32Array, data: Examples): AccuracyMetrics {
  let correct = 0;
  let oldCorrect = 0;
  let oldCount = 0;
  let newCorrect = 0;
  let newCount = 0;
  for (let i = 0; i < data.count; i++) {
    const hit = predictions[i] === data.y[i] ? 1 : 0;
    correct += hit;
    if (data.isNew[i]) {
      newCount++;
      newCorrect += hit;
    } else {
      oldCount++;
      oldCorrect += hit;
    }
  }
  return {
    accuracy: data.count > 0 ? correct / data.count : 0,
    correct,
    count: data.count,
    oldAccuracy: oldCount > 0 ? oldCorrect / oldCount : null,
    newAccuracy: newCount > 0 ? newCorrect / newCount : null,
    oldCount,
    newCount,
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
