import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { pairedBootstrap } from '../../src/evaluation/bootstrap.js';
import { gateCandidate } from '../../src/evaluation/gate.js';
import { createMetricsAccumulator, probabilitiesFromLogits, withMetrics } from '../../src/evaluation/metrics-accumulator.js';
import { classificationMetrics } from '../../src/evaluation/metrics.js';
import { pairedCounts, sliceMetrics } from '../../src/evaluation/slices.js';
import { DEFAULT_GATE } from '../../src/refresh/settings.js';
import { blobs } from './training-fixtures.js';

/** A linear layer reading the first `classes` features, outputting logits as warmstart's models do. */
function fixedModel(featureSize: number, classes: number, scale: number): tf.LayersModel {
  const kernel = tf.tidy(() => tf.eye(featureSize, classes).mul(scale));
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [featureSize], units: classes, useBias: false, weights: [kernel] })] });
  kernel.dispose();
  return model;
}

const data = blobs(120, 4, { classes: 3, featureSize: 6 });
const classes = ['a', 'b', 'c'];

/** What the evaluation does per batch (two batches here): logits -> probabilities -> accumulator, beside the accuracy slices. */
function evaluate(model: tf.LayersModel) {
  const accumulator = createMetricsAccumulator({ classes });
  const predictions = new Int32Array(data.count);
  for (const [start, end] of [[0, 50], [50, data.count]] as const) {
    const output = tf.tidy(() => model.predict(tf.tensor2d(data.x.subarray(start * 6, end * 6), [end - start, 6])) as tf.Tensor);
    const guesses = tf.tidy(() => output.argMax(-1));
    predictions.set(guesses.dataSync() as Int32Array, start);
    accumulator.add({ probabilities: probabilitiesFromLogits(output.dataSync() as Float32Array, output.shape[1]!, classes.length), labels: data.y.subarray(start, end), groups: data.isNew.subarray(start, end) });
    output.dispose();
    guesses.dispose();
  }
  return { predictions, slices: withMetrics(sliceMetrics(predictions, data, classes), accumulator.result()), rows: accumulator.rows() };
}

describe('the metrics of a model, fed its logits batch by batch', () => {
  it('every slice carries log-loss, AUC and F1 of the softmax, next to the unchanged accuracy fields', () => {
    const model = fixedModel(6, 3, 2);
    const { slices, predictions } = evaluate(model);
    const probabilities = tf.tidy(() => tf.softmax(model.predict(tf.tensor2d(data.x, [data.count, 6])) as tf.Tensor).dataSync());
    const expected = classificationMetrics(probabilities, data.y, 3);
    expect(Object.keys(slices)).toEqual(['class:a', 'class:b', 'class:c', 'combined', 'new', 'old']);
    expect(slices.combined!.correct).toBe(predictions.filter((p, i) => p === data.y[i]).length);
    expect(slices.combined!.accuracy).toBe(slices.combined!.correct / data.count);
    expect(slices.combined!.logLoss).toBeCloseTo(expected.logLoss!, 5);
    expect(slices.combined!.auc).toBeCloseTo(expected.auc!, 6);
    expect(slices.combined!.macroF1).toBeCloseTo(expected.macroF1!, 9);
    expect(slices['class:b']!.f1).toBeCloseTo(expected.perClass[1]!.f1!, 9);
    model.dispose();
  });

  it('a production model that knows fewer classes gets probability 0 for the new one, and is compared paired', () => {
    const candidate = fixedModel(6, 3, 2);
    const production = fixedModel(6, 2, 2);
    const c = evaluate(candidate);
    const p = evaluate(production);
    // Production never predicts class c: recall 0 there, and its log-loss on those rows is the clip's.
    expect(p.slices['class:c']).toMatchObject({ correct: 0, recall: 0, precision: null });
    expect(p.slices['class:c']!.logLoss).toBeCloseTo(16.118, 3);
    const paired = { ...pairedCounts(c.predictions, p.predictions, data.y), comparisons: pairedBootstrap(c.rows, p.rows) };
    expect(paired.comparisons.find((x) => x.metric === 'auc' && x.slice === 'combined')!.difference).toBeGreaterThan(0);
    // The gate reads the bootstrap comparisons from `paired`, as the workflow passes the evaluation through.
    const result = gateCandidate({ candidate: c.slices, baseline: p.slices, paired }, { ...DEFAULT_GATE, thresholds: [{ metric: 'auc', slice: 'combined', absoluteChange: -0.01, direction: 'higher-is-better' }] });
    expect(result.reasons.join('\n')).toMatch(/pass: auc\[combined\]: candidate significantly better than production \(paired bootstrap/);
    expect(() => probabilitiesFromLogits(new Float32Array(4), 4, 3)).toThrow(/model outputs 4 classes, the version has 3/);
    candidate.dispose();
    production.dispose();
  });
});
