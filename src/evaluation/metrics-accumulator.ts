import { argMax, aucColumns, aucFromSorted, classScores, exampleLogLoss, fromLogits, logLossSkill, macroF1, priorLogLoss, sortedOrder, type MetricValues } from './metrics.js';

/**
 * Metrics of a model fed batch by batch (a streaming evaluation calls add() per batch, result() at the
 * end), on the slices combined, each group (old/new by default), and class:<name>. Memory: O(classes)
 * per slice for everything but AUC; AUC (and the paired bootstrap) keeps per row its score columns
 * (one float for a binary task, one per class otherwise), label, group and log-loss.
 */
export interface MetricsBatch {
  /** rows x classes probabilities (convert logits with fromLogits). */
  probabilities: ArrayLike<number>;
  labels: ArrayLike<number>;
  /** Per row, an index into the accumulator's groups (by default 0 = old, 1 = new); omitted: group 0. */
  groups?: ArrayLike<number>;
  weights?: ArrayLike<number>;
}

/** One slice's metrics: the accuracy fields of today's SliceMetric plus the metrics fit for imbalance. */
export type SliceValues = { count: number; correct: number; accuracy: number } & Omit<MetricValues, 'accuracy'>;

/** The rows an accumulator kept: the input of AUC and of the paired bootstrap. Same order as fed. */
export interface RetainedRows {
  classes: number;
  groups: readonly string[];
  count: number;
  labels: Int32Array;
  groupOf: Uint8Array;
  weights: Float32Array | null;
  losses: Float32Array;
  /** Score column per AUC column (class 1 for a binary task, every class otherwise). */
  columns: number[];
  scores: Float32Array[];
}

interface Tally {
  count: number;
  correct: number;
  weight: number;
  weightedCorrect: number;
  lossSum: number;
  truePositive: Float64Array;
  support: Float64Array;
  predicted: Float64Array;
  classLoss: Float64Array;
  classCount: Float64Array;
  classCorrect: Float64Array;
}

const newTally = (classes: number): Tally => ({
  count: 0,
  correct: 0,
  weight: 0,
  weightedCorrect: 0,
  lossSum: 0,
  truePositive: new Float64Array(classes),
  support: new Float64Array(classes),
  predicted: new Float64Array(classes),
  classLoss: new Float64Array(classes),
  classCount: new Float64Array(classes),
  classCorrect: new Float64Array(classes),
});

class Growable<T extends Float32Array | Int32Array | Uint8Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(Math.max(1024, this.data.length * 2));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

const floats = () => new Growable(new Float32Array(0), (n) => new Float32Array(n));

export interface MetricsAccumulator {
  add(batch: MetricsBatch): void;
  /** Slices with at least one example, sorted by name, as sliceMetrics names them. */
  result(): Record<string, SliceValues>;
  rows(): RetainedRows;
}

function tallyRow(tally: Tally, label: number, guess: number, w: number, loss: number): void {
  const hit = guess === label ? 1 : 0;
  tally.count++;
  tally.correct += hit;
  tally.weight += w;
  tally.weightedCorrect += w * hit;
  tally.lossSum += w * loss;
  tally.support[label]! += w;
  tally.predicted[guess]! += w;
  tally.truePositive[label]! += w * hit;
  tally.classLoss[label]! += w * loss;
  tally.classCount[label]! += 1;
  tally.classCorrect[label]! += hit;
}

/** A slice's values from its tally, with AUC over its retained rows (all rows when `rows` is null). */
function sliceValues(tally: Tally, kept: RetainedRows, rows: Uint32Array | null): SliceValues {
  const perClass = Array.from({ length: kept.classes }, (_, k) => classScores(tally.truePositive[k]!, tally.support[k]!, tally.predicted[k]!));
  const logLoss = tally.weight > 0 ? tally.lossSum / tally.weight : null;
  return {
    count: tally.count,
    correct: tally.correct,
    accuracy: tally.weight > 0 ? tally.weightedCorrect / tally.weight : 0,
    logLoss,
    logLossSkill: logLossSkill(logLoss, priorLogLoss(tally.support)),
    auc: sliceAuc(kept, rows),
    macroF1: macroF1(perClass),
  };
}

/** One class's slice: its recall as accuracy, precision, F1 and its one-vs-rest AUC. */
function classSlice(combined: Tally, kept: RetainedRows, k: number): SliceValues {
  const scores = classScores(combined.truePositive[k]!, combined.support[k]!, combined.predicted[k]!);
  const support = combined.support[k]!;
  return {
    count: combined.classCount[k]!,
    correct: combined.classCorrect[k]!,
    accuracy: support > 0 ? combined.truePositive[k]! / support : 0,
    logLoss: support > 0 ? combined.classLoss[k]! / support : null,
    logLossSkill: null,
    auc: classAuc(kept, k, null),
    macroF1: null,
    precision: scores.precision,
    recall: scores.recall,
    f1: scores.f1,
  };
}

export function createMetricsAccumulator(options: { classes: readonly string[]; groups?: readonly string[] }): MetricsAccumulator {
  const names = options.classes;
  const classes = names.length;
  const groups = options.groups ?? ['old', 'new'];
  const combined = newTally(classes);
  const byGroup = groups.map(() => newTally(classes));
  const columns = aucColumns(classes);
  const labels = new Growable(new Int32Array(0), (n) => new Int32Array(n));
  const groupOf = new Growable(new Uint8Array(0), (n) => new Uint8Array(n));
  const losses = floats();
  const weights = floats();
  let weighted = false;
  const scores = columns.map(floats);

  return {
    add(batch) {
      const rows = batch.labels.length;
      if (batch.probabilities.length !== rows * classes) throw new Error(`metrics batch: ${batch.probabilities.length} probabilities for ${rows} rows of ${classes} classes`);
      if (batch.weights) weighted = true;
      for (let r = 0; r < rows; r++) {
        const label = batch.labels[r]!;
        if (!(label >= 0 && label < classes)) throw new Error(`metrics batch: label ${label} outside 0..${classes - 1}`);
        const group = batch.groups ? batch.groups[r]! : 0;
        const w = batch.weights ? batch.weights[r]! : 1;
        const guess = argMax(batch.probabilities, r, classes);
        const loss = exampleLogLoss(batch.probabilities[r * classes + label]!);
        tallyRow(combined, label, guess, w, loss);
        tallyRow(byGroup[group]!, label, guess, w, loss);
        labels.push(label);
        groupOf.push(group);
        losses.push(loss);
        weights.push(w);
        columns.forEach((k, c) => scores[c]!.push(batch.probabilities[r * classes + k]!));
      }
    },

    rows() {
      return {
        classes,
        groups,
        count: labels.length,
        labels: labels.view(),
        groupOf: groupOf.view(),
        weights: weighted ? weights.view() : null,
        losses: losses.view(),
        columns,
        scores: scores.map((s) => s.view()),
      };
    },

    result() {
      const kept = this.rows();
      const out: Record<string, SliceValues> = {};
      if (combined.count > 0) out.combined = sliceValues(combined, kept, null);
      groups.forEach((name, g) => {
        if (byGroup[g]!.count > 0) out[name] = sliceValues(byGroup[g]!, kept, rowsOfGroup(kept, g));
      });
      for (let k = 0; k < classes; k++) if (combined.classCount[k]! > 0) out[`class:${names[k]}`] = classSlice(combined, kept, k);
      return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
    },
  };
}

export function rowsOfGroup(rows: RetainedRows, group: number): Uint32Array {
  let size = 0;
  for (let i = 0; i < rows.count; i++) if (rows.groupOf[i] === group) size++;
  const out = new Uint32Array(size);
  for (let i = 0, j = 0; i < rows.count; i++) if (rows.groupOf[i] === group) out[j++] = i;
  return out;
}

/** Rows of a slice name: combined (null = all), a group name; undefined for other names. */
export function rowsOfSlice(rows: RetainedRows, slice: string): Uint32Array | null | undefined {
  if (slice === 'combined') return null;
  const group = rows.groups.indexOf(slice);
  return group < 0 ? undefined : rowsOfGroup(rows, group);
}

/** Row order by one score column, over a subset of rows (null: all). */
export function orderBy(scores: Float32Array, subset: Uint32Array | null): Uint32Array {
  return sortedOrder(scores, subset);
}

function classAuc(rows: RetainedRows, k: number, subset: Uint32Array | null, weights: ArrayLike<number> | null = rows.weights): number | null {
  const column = rows.columns.indexOf(k);
  // Binary: class 0's one-vs-rest AUC equals class 1's (the score is 1 - p1).
  const c = column >= 0 ? column : 0;
  const positiveClass = column >= 0 ? k : rows.columns[0]!;
  const positive = new Uint8Array(rows.count);
  for (let i = 0; i < rows.count; i++) positive[i] = rows.labels[i] === positiveClass ? 1 : 0;
  return aucFromSorted(rows.scores[c]!, positive, weights, orderBy(rows.scores[c]!, subset));
}

/** AUC of a slice: binary, or the one-vs-rest macro mean over classes with both positives and negatives. */
export function sliceAuc(rows: RetainedRows, subset: Uint32Array | null): number | null {
  const values = rows.columns.map((k) => classAuc(rows, k, subset)).filter((v): v is number => v !== null);
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * A model's outputs as probabilities over the version's classes. warmstart's models output logits
 * (the training loss is softmax cross-entropy on logits), so this takes the softmax per row; a model
 * that knows fewer classes than the version (production, before classes were added) has probability 0
 * for the classes it never saw (class indices only ever append).
 */
export function probabilitiesFromLogits(logits: Float32Array, width: number, classes: number): Float32Array {
  if (width > classes) throw new Error(`model outputs ${width} classes, the version has ${classes}; evaluate it on a version with its classes`);
  const probabilities = fromLogits(logits, width);
  if (width === classes) return probabilities;
  const rows = probabilities.length / width;
  const out = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) out.set(probabilities.subarray(r * width, (r + 1) * width), r * classes);
  return out;
}

/** The same: model outputs are logits (kept under this name for the evaluation's first call sites). */
export const padColumns = probabilitiesFromLogits;

/** Today's slices (accuracy, correct, count) with the accumulated metrics added beside them. */
export function withMetrics<T extends { accuracy: number; correct: number; count: number }>(slices: Record<string, T>, metrics: Record<string, SliceValues>): Record<string, T & Partial<SliceValues>> {
  return Object.fromEntries(Object.entries(slices).map(([name, slice]) => [name, { ...metrics[name], ...slice }]));
}
