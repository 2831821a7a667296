import { describe, expect, it } from 'vitest';
import { createMetricsAccumulator } from '../../src/evaluation/metrics-accumulator.js';
import { classificationMetrics, exampleLogLoss, fromLogits, ledgerMetrics, LOG_LOSS_EPSILON, multiClassAuc, priorLogLoss, rocAuc } from '../../src/evaluation/metrics.js';

/** Rows of one-hot-ish probabilities: `p` on the predicted class, the rest spread evenly. */
function rows(predicted: number[], classes: number, p = 0.9): Float32Array {
  const out = new Float32Array(predicted.length * classes).fill((1 - p) / (classes - 1));
  predicted.forEach((k, r) => (out[r * classes + k] = p));
  return out;
}

describe('ROC AUC', () => {
  it('counts ties as one half (average rank)', () => {
    // Positives score 0.4 and 0.8, negatives 0.1 and 0.4: pairs 1 + 1/2 + 1 + 1 of 4.
    expect(rocAuc([0.1, 0.4, 0.4, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.875, 12);
    // A constant score ranks nothing: exactly 1/2, whatever the class shares.
    expect(rocAuc([0.3, 0.3, 0.3, 0.3, 0.3], [0, 0, 0, 0, 1])).toBe(0.5);
    expect(rocAuc([0.9, 0.1], [0, 1])).toBe(0);
  });

  it('weights the pairs by example weight', () => {
    // Negative at 0.4 weighs 2: positive 0.4 beats 1 + 2/2 of 3, positive 0.8 beats all 3: 5 / 6.
    expect(rocAuc([0.1, 0.4, 0.4, 0.8], [0, 0, 1, 1], [1, 2, 1, 1])).toBeCloseTo(5 / 6, 12);
  });

  it('is undefined without both classes', () => {
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNull();
  });

  it('binary uses class 1; more classes take the one-vs-rest macro mean over classes with positives and negatives', () => {
    // Binary: the score is p(class 1).
    expect(multiClassAuc([0.9, 0.1, 0.4, 0.6, 0.2, 0.8], [0, 1, 0], 2)).toBeCloseTo(0.5, 12);
    // Three classes, one row each. Column 0: 0.6 (pos) over 0.3, 0.1 -> 1. Column 1: 0.4 (pos) beats
    // 0.2 and ties 0.4 -> (1 + 1/2) / 2 = 0.75. Column 2: 0.5 (pos) over 0.2, 0.3 -> 1.
    const probabilities = [0.6, 0.2, 0.2, 0.3, 0.4, 0.3, 0.1, 0.4, 0.5];
    expect(multiClassAuc(probabilities, [0, 1, 2], 3)).toBeCloseTo((1 + 0.75 + 1) / 3, 12);
  });
});

describe('log-loss', () => {
  it('clips the true class probability to [eps, 1 - eps]', () => {
    expect(exampleLogLoss(0)).toBeCloseTo(-Math.log(LOG_LOSS_EPSILON), 9);
    expect(exampleLogLoss(0)).toBeCloseTo(16.11809565, 6);
    expect(exampleLogLoss(1)).toBeCloseTo(-Math.log(1 - LOG_LOSS_EPSILON), 15);
    expect(exampleLogLoss(0.5)).toBeCloseTo(Math.LN2, 12);
    // Rows with the true class at probability 1, 0 and 1/2: a confident mistake costs 16.1, not infinity.
    const metrics = classificationMetrics([0, 1, 1, 0, 0.5, 0.5], [1, 1, 0], 2);
    expect(metrics.logLoss).toBeCloseTo((-Math.log(1 - LOG_LOSS_EPSILON) - Math.log(LOG_LOSS_EPSILON) + Math.LN2) / 3, 9);
  });

  it('skill is 0 for the base-rate forecast and 1 - logLoss / prior otherwise', () => {
    // 80/20 labels, every row forecast at the base rates: exactly the prior's log-loss.
    const labels = [0, 0, 0, 0, 1];
    const prior = priorLogLoss([4, 1])!;
    expect(prior).toBeCloseTo(-(0.8 * Math.log(0.8) + 0.2 * Math.log(0.2)), 12);
    const baseRate = classificationMetrics(labels.flatMap(() => [0.8, 0.2]), labels, 2);
    expect(baseRate.logLossSkill).toBeCloseTo(0, 6);
    expect(baseRate.accuracy).toBe(0.8);
    expect(baseRate.auc).toBe(0.5);
    // A majority-class model that is sure of itself: accuracy 0.8, negative skill.
    const sure = classificationMetrics(labels.flatMap(() => [0.999, 0.001]), labels, 2);
    expect(sure.accuracy).toBe(0.8);
    expect(sure.logLossSkill!).toBeLessThan(0);
  });

  it('logits give the same metrics as their softmax', () => {
    const logits = [2, 0, -1, 0, 1, 3];
    const probabilities = fromLogits(logits, 3);
    expect(probabilities[0]! + probabilities[1]! + probabilities[2]!).toBeCloseTo(1, 6);
    expect(probabilities[0]).toBeCloseTo(Math.exp(2) / (Math.exp(2) + 1 + Math.exp(-1)), 6);
  });
});

describe('precision, recall, F1', () => {
  it('a class absent from labels and predictions is null and left out of macro-F1', () => {
    // Labels 0,0,1,1; predictions 0,1,1,1; class 2 never occurs nor is predicted.
    const metrics = classificationMetrics(rows([0, 1, 1, 1], 3), [0, 0, 1, 1], 3);
    expect(metrics.perClass[0]).toMatchObject({ precision: 1, recall: 0.5, support: 2, predicted: 1 });
    expect(metrics.perClass[0]!.f1).toBeCloseTo(2 / 3, 12);
    expect(metrics.perClass[1]!.precision).toBeCloseTo(2 / 3, 12);
    expect(metrics.perClass[1]!.recall).toBe(1);
    expect(metrics.perClass[1]!.f1).toBeCloseTo(0.8, 12);
    expect(metrics.perClass[2]).toEqual({ precision: null, recall: null, f1: null, support: 0, predicted: 0 });
    expect(metrics.macroF1).toBeCloseTo((2 / 3 + 0.8) / 2, 12);
  });

  it('a class predicted but absent from the labels has F1 0 and counts in macro-F1', () => {
    const metrics = classificationMetrics(rows([0, 2, 1], 3), [0, 0, 1], 3);
    expect(metrics.perClass[2]).toEqual({ precision: 0, recall: null, f1: 0, support: 0, predicted: 1 });
    // Class 0: TP 1 of 2, predicted 1 -> F1 2/3; class 1: F1 1; class 2: 0.
    expect(metrics.macroF1).toBeCloseTo((2 / 3 + 1 + 0) / 3, 12);
  });

  it('a class that occurs but is never predicted has recall 0, precision null and F1 0', () => {
    const metrics = classificationMetrics(rows([0, 0, 0], 2), [0, 0, 1], 2);
    expect(metrics.perClass[1]).toEqual({ precision: null, recall: 0, f1: 0, support: 1, predicted: 0 });
  });
});

describe('metrics accumulator', () => {
  const classes = ['a', 'b', 'c'];
  const labels = [0, 1, 2, 0, 1, 2, 0, 0];
  const predicted = [0, 1, 1, 0, 2, 2, 1, 0];
  const groups = [0, 0, 0, 1, 1, 1, 1, 0];
  const probabilities = rows(predicted, 3, 0.7);
  // Make the scores differ between rows so AUC is not all ties.
  probabilities[0] = 0.8;
  probabilities[1] = 0.1;

  it('fed batch by batch equals the one-shot metrics, per slice', () => {
    const accumulator = createMetricsAccumulator({ classes });
    accumulator.add({ probabilities: probabilities.subarray(0, 9), labels: labels.slice(0, 3), groups: groups.slice(0, 3) });
    accumulator.add({ probabilities: probabilities.subarray(9), labels: labels.slice(3), groups: groups.slice(3) });
    const result = accumulator.result();
    expect(Object.keys(result)).toEqual(['class:a', 'class:b', 'class:c', 'combined', 'new', 'old']);
    const all = classificationMetrics(probabilities, labels, 3);
    expect(result.combined).toMatchObject({ count: 8, correct: 5, accuracy: 5 / 8 });
    expect(result.combined!.logLoss).toBeCloseTo(all.logLoss!, 6);
    expect(result.combined!.auc).toBeCloseTo(all.auc!, 6);
    expect(result.combined!.macroF1).toBeCloseTo(all.macroF1!, 12);
    expect(result.combined!.logLossSkill).toBeCloseTo(all.logLossSkill!, 6);
    const oldRows = [0, 1, 2, 7];
    const old = classificationMetrics(
      oldRows.flatMap((r) => Array.from(probabilities.subarray(r * 3, r * 3 + 3))),
      oldRows.map((r) => labels[r]!),
      3,
    );
    expect(result.old).toMatchObject({ count: 4, correct: 3 });
    expect(result.old!.auc).toBeCloseTo(old.auc!, 6);
    expect(result.old!.macroF1).toBeCloseTo(old.macroF1!, 12);
    // Per class: accuracy is the class's recall (as today); precision and F1 are one-vs-rest on combined.
    expect(result['class:a']).toMatchObject({ count: 4, correct: 3, accuracy: 0.75, recall: 0.75, precision: 1 });
    expect(result['class:a']!.f1).toBeCloseTo(all.perClass[0]!.f1!, 12);
    expect(result['class:b']).toMatchObject({ count: 2, correct: 1, precision: 1 / 3 });
  });

  it('keeps one score column for a binary task and refuses a malformed batch', () => {
    const binary = createMetricsAccumulator({ classes: ['no', 'yes'] });
    binary.add({ probabilities: [0.9, 0.1, 0.2, 0.8], labels: [0, 1] });
    expect(binary.rows().scores).toHaveLength(1);
    expect(binary.result().combined!.auc).toBe(1);
    expect(() => binary.add({ probabilities: [0.5, 0.5], labels: [0, 1] })).toThrow(/2 probabilities for 2 rows of 2 classes/);
    expect(() => binary.add({ probabilities: [0.5, 0.5], labels: [3] })).toThrow(/label 3 outside 0..1/);
  });
});

describe('what the ledger keeps', () => {
  it('four metrics beside accuracy and count, only those computed', () => {
    expect(ledgerMetrics({ logLoss: 0.3, auc: null, macroF1: 0.7, precision: 1 })).toEqual({ logLoss: 0.3, auc: null, macroF1: 0.7 });
    expect(ledgerMetrics({})).toEqual({});
  });
});
