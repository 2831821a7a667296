/**
 * Classification metrics fit for imbalanced classes: accuracy, log-loss, log-loss skill, ROC AUC,
 * precision / recall / F1 per class and macro-F1. Pure math, no I/O and no tfjs: workflows import the
 * names and directions, activities compute the values.
 *
 * Conventions (docs/metrics.md says why):
 * - probabilities are rows of `classes` numbers (softmax outputs); `fromLogits` turns logits into them;
 * - log-loss clips the probability of the true class to [LOG_LOSS_EPSILON, 1 - LOG_LOSS_EPSILON];
 * - AUC: binary = class index 1 is the positive class, scored by its probability; more classes =
 *   one-vs-rest macro mean over the classes that have both positives and negatives; ties count 1/2
 *   (the average-rank Mann-Whitney statistic); null when no class has both;
 * - a class absent from both labels and predictions has null precision, recall and F1 and is left out
 *   of macro-F1 (a slice that lacks a class, like "old" before the class was added, is not penalized);
 *   a class that is predicted but absent from the labels has F1 0 and counts; precision is null when
 *   the class is never predicted, recall is null when it never occurs;
 * - optional per-example weights weight every metric (a weight of 0 leaves the example out).
 */
export const METRIC_NAMES = ['accuracy', 'logLoss', 'logLossSkill', 'auc', 'macroF1', 'precision', 'recall', 'f1'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type Direction = 'higher-is-better' | 'lower-is-better';

/** The natural direction of each metric (a threshold states its own, this is the default and the check). */
export const METRIC_DIRECTION: Record<MetricName, Direction> = {
  accuracy: 'higher-is-better',
  logLoss: 'lower-is-better',
  logLossSkill: 'higher-is-better',
  auc: 'higher-is-better',
  macroF1: 'higher-is-better',
  precision: 'higher-is-better',
  recall: 'higher-is-better',
  f1: 'higher-is-better',
};

export const LOG_LOSS_EPSILON = 1e-7;

/** Metric values of one slice; null where the metric is undefined on it (AUC with one class, say). */
export interface MetricValues {
  accuracy: number | null;
  logLoss: number | null;
  /** 1 - logLoss / logLoss of predicting the slice's own class frequencies: 0 = no better than the base rates. */
  logLossSkill: number | null;
  auc: number | null;
  macroF1: number | null;
  /** Per-class slices only (one-vs-rest on the combined split): the class's precision, recall and F1. */
  precision?: number | null;
  recall?: number | null;
  f1?: number | null;
}

export interface ClassScores {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** Weight of examples with this label, and of examples predicted as this class. */
  support: number;
  predicted: number;
}

/** Softmax per row, in place into a new array (numerically stable). */
export function fromLogits(logits: ArrayLike<number>, classes: number): Float32Array {
  const rows = logits.length / classes;
  const out = new Float32Array(logits.length);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, logits[r * classes + k]!);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += out[r * classes + k] = Math.exp(logits[r * classes + k]! - max);
    for (let k = 0; k < classes; k++) out[r * classes + k]! /= sum;
  }
  return out;
}

/** -log of the true class's probability, clipped so a confident mistake costs a bounded amount. */
export function exampleLogLoss(probability: number, epsilon = LOG_LOSS_EPSILON): number {
  return -Math.log(Math.min(1 - epsilon, Math.max(epsilon, probability)));
}

/** Index of the largest probability (the first on ties, as tf.argMax). */
export function argMax(probabilities: ArrayLike<number>, row: number, classes: number): number {
  let best = 0;
  for (let k = 1; k < classes; k++) if (probabilities[row * classes + k]! > probabilities[row * classes + best]!) best = k;
  return best;
}

/**
 * Weighted Mann-Whitney AUC: P(score of a positive > score of a negative) + 1/2 P(equal). `order`
 * sorts the rows by score ascending (pass it to reuse one sort over many weightings, as the bootstrap
 * does). null without both a positive and a negative weight.
 */
export function aucFromSorted(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>, weights: ArrayLike<number> | null, order: ArrayLike<number>): number | null {
  let negativeBelow = 0;
  let positiveTotal = 0;
  let area = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    let groupPositive = 0;
    let groupNegative = 0;
    const score = scores[order[start]!]!;
    while (end < order.length && scores[order[end]!] === score) {
      const row = order[end]!;
      const w = weights ? weights[row]! : 1;
      if (positive[row]) groupPositive += w;
      else groupNegative += w;
      end++;
    }
    area += groupPositive * (negativeBelow + groupNegative / 2);
    negativeBelow += groupNegative;
    positiveTotal += groupPositive;
    start = end;
  }
  return positiveTotal > 0 && negativeBelow > 0 ? area / (positiveTotal * negativeBelow) : null;
}

/** Which half of a 64-bit word holds its low 32 bits on this machine. */
const LOW = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1 ? 0 : 1;

/**
 * Rows (all, or the given ones) in ascending score order, ties in row order. A comparator sort boxes
 * every element and calls back into JavaScript per comparison; for float32 scores (what models and the
 * metrics accumulator hold) each row is instead one 64-bit key, the score's order-preserving bits above
 * the row index, sorted natively in place: 8 bytes a row and no garbage. Equal scores have equal high
 * halves, so ties stay together in row order and AUC stays exact.
 */
export function sortedOrder(scores: ArrayLike<number>, rows: ArrayLike<number> | null = null): Uint32Array {
  const n = rows ? rows.length : scores.length;
  if (!(scores instanceof Float32Array)) {
    // Wider scores would lose their order in 32 bits: sort them as they are.
    const order = rows ? Uint32Array.from(rows) : Uint32Array.from({ length: n }, (_, i) => i);
    return order.sort((a, b) => scores[a]! - scores[b]!);
  }
  const keys = new BigUint64Array(n);
  const halves = new Uint32Array(keys.buffer);
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, scores.length);
  for (let i = 0; i < n; i++) {
    const row = rows ? rows[i]! : i;
    // -0 counts as 0, as the comparator has it.
    const b = bits[row] === 0x80000000 ? 0 : bits[row]!;
    halves[2 * i + LOW] = row;
    // IEEE order as unsigned order: negative numbers flip every bit, the others only the sign bit.
    halves[2 * i + 1 - LOW] = b & 0x80000000 ? ~b : b | 0x80000000;
  }
  keys.sort();
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = halves[2 * i + LOW]!;
  return order;
}

export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>, weights: ArrayLike<number> | null = null): number | null {
  return aucFromSorted(scores, positive, weights, sortedOrder(scores));
}

/** One-vs-rest score columns: binary uses class 1 only, otherwise every class. */
export function aucColumns(classes: number): number[] {
  return classes === 2 ? [1] : Array.from({ length: classes }, (_, k) => k);
}

/** Binary AUC, or the one-vs-rest macro mean over classes with both positives and negatives. */
export function multiClassAuc(probabilities: ArrayLike<number>, labels: ArrayLike<number>, classes: number, weights: ArrayLike<number> | null = null): number | null {
  const rows = labels.length;
  const values: number[] = [];
  for (const k of aucColumns(classes)) {
    const scores = Float64Array.from({ length: rows }, (_, r) => probabilities[r * classes + k]!);
    const auc = rocAuc(scores, Uint8Array.from({ length: rows }, (_, r) => (labels[r] === k ? 1 : 0)), weights);
    if (auc !== null) values.push(auc);
  }
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Precision, recall and F1 of one class from its weighted counts (see the conventions above). */
export function classScores(truePositive: number, support: number, predicted: number): ClassScores {
  const precision = predicted > 0 ? truePositive / predicted : null;
  const recall = support > 0 ? truePositive / support : null;
  const denominator = support + predicted; // = 2 TP + FP + FN
  return { precision, recall, f1: denominator > 0 ? (2 * truePositive) / denominator : null, support, predicted };
}

/** Mean F1 over the classes present in the labels or the predictions; null when there are none. */
export function macroF1(scores: readonly ClassScores[]): number | null {
  const present = scores.map((s) => s.f1).filter((f): f is number => f !== null);
  return present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length;
}

/** Log-loss of forecasting the class frequencies themselves: the no-skill reference of logLossSkill. */
export function priorLogLoss(classWeights: ArrayLike<number>, epsilon = LOG_LOSS_EPSILON): number | null {
  let total = 0;
  for (let k = 0; k < classWeights.length; k++) total += classWeights[k]!;
  if (total <= 0) return null;
  let loss = 0;
  for (let k = 0; k < classWeights.length; k++) {
    const share = classWeights[k]! / total;
    if (share > 0) loss += share * exampleLogLoss(share, epsilon);
  }
  return loss;
}

export function logLossSkill(logLoss: number | null, prior: number | null): number | null {
  if (logLoss === null || prior === null || prior <= 0) return null;
  return 1 - logLoss / prior;
}

/** Every metric of one set of examples at once (the accumulator does the same batch by batch). */
export function classificationMetrics(probabilities: ArrayLike<number>, labels: ArrayLike<number>, classes: number, weights: ArrayLike<number> | null = null): MetricValues & { perClass: ClassScores[] } {
  const rows = labels.length;
  const truePositive = new Float64Array(classes);
  const support = new Float64Array(classes);
  const predicted = new Float64Array(classes);
  let correct = 0;
  let lossSum = 0;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const w = weights ? weights[r]! : 1;
    const label = labels[r]!;
    const guess = argMax(probabilities, r, classes);
    support[label]! += w;
    predicted[guess]! += w;
    if (guess === label) {
      truePositive[label]! += w;
      correct += w;
    }
    lossSum += w * exampleLogLoss(probabilities[r * classes + label]!);
    total += w;
  }
  const perClass = Array.from({ length: classes }, (_, k) => classScores(truePositive[k]!, support[k]!, predicted[k]!));
  const logLoss = total > 0 ? lossSum / total : null;
  return {
    accuracy: total > 0 ? correct / total : null,
    logLoss,
    logLossSkill: logLossSkill(logLoss, priorLogLoss(support)),
    auc: multiClassAuc(probabilities, labels, classes, weights),
    macroF1: macroF1(perClass),
    perClass,
  };
}

/** The metrics a ledger slice record keeps beside accuracy and count: four numbers, so entries stay small. */
export const LEDGER_METRICS = ['logLoss', 'logLossSkill', 'auc', 'macroF1'] as const;
export type LedgerMetrics = Partial<Record<(typeof LEDGER_METRICS)[number], number | null>>;

/** Those of a slice that the evaluation computed (none for evaluations that predate them). */
export function ledgerMetrics(slice: Partial<MetricValues>): LedgerMetrics {
  const out: LedgerMetrics = {};
  for (const name of LEDGER_METRICS) if (slice[name] !== undefined) out[name] = slice[name];
  return out;
}
