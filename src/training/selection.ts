import * as tf from '@tensorflow/tfjs';
import type { Examples } from '../data/examples.js';
import { rowBatches } from '../data/passes.js';
import { restrictSource, type ExampleSource } from '../data/source.js';
import type { SelectionLever } from './levers.js';

/**
 * The data-selection lever. Difficulty scores are "higher = harder": the previous model's loss, its
 * negative margin (true logit minus the best other), or 1 - learning speed. Only old examples are
 * scored; new data is always kept.
 */
export type EasyHard = Extract<SelectionLever, { kind: 'easy-hard' }>;

/**
 * Scores examples with a model's logits. `labelMap` maps each example's class index to the model's
 * output index (-1: a class the model does not know; scored NaN, i.e. kept).
 */
export function scoreByModel(model: tf.LayersModel, data: Examples, rows: Int32Array, score: 'loss' | 'margin', labelMap?: number[], options: { batchSize?: number; onBatch?: () => void } = {}): Float32Array {
  const batchSize = options.batchSize ?? 512;
  const scores = new Float32Array(rows.length);
  const size = data.featureSize;
  for (let start = 0; start < rows.length; start += batchSize) {
    const end = Math.min(rows.length, start + batchSize);
    const x = new Float32Array((end - start) * size);
    const labels = new Int32Array(end - start);
    for (let i = start; i < end; i++) {
      x.set(data.x.subarray(rows[i]! * size, (rows[i]! + 1) * size), (i - start) * size);
      labels[i - start] = labelMap ? labelMap[data.y[rows[i]!]!]! : data.y[rows[i]!]!;
    }
    const logits = tf.tidy(() => model.predict(tf.tensor2d(x, [end - start, size])) as tf.Tensor2D);
    const values = logits.dataSync();
    const k = logits.shape[1];
    logits.dispose();
    options.onBatch?.();
    scoreLogits(values, k, labels, end - start, score, scores, start);
  }
  return scores;
}

export interface SelectionSummary {
  scored: number;
  easiest: number;
  hardest: number;
  mode: 'drop' | 'down-weight';
  /** Examples whose loss weight is not 1 (dropped or down-weighted). */
  affected: number;
}

/**
 * Per-example loss weights: the easiest `dropEasiest` and hardest `dropHardest` shares of the scored
 * rows get 0 (drop) or `downWeight`; everything else 1. Ties are broken by row order, so it is stable.
 */
export function selectionWeights(count: number, rows: Int32Array, scores: Float32Array, lever: EasyHard): { weights: Float32Array; summary: SelectionSummary } {
  const weights = new Float32Array(count).fill(1);
  const scored = Array.from(rows.keys()).filter((i) => !Number.isNaN(scores[i]!));
  scored.sort((a, b) => scores[a]! - scores[b]! || a - b);
  const easiest = Math.floor(lever.dropEasiest * scored.length);
  const hardest = Math.floor(lever.dropHardest * scored.length);
  const value = lever.mode === 'drop' ? 0 : (lever.downWeight ?? 0.25);
  const chosen = [...scored.slice(0, easiest), ...scored.slice(scored.length - hardest)];
  for (const i of chosen) weights[rows[i]!] = value;
  return { weights, summary: { scored: scored.length, easiest, hardest, mode: lever.mode, affected: chosen.length } };
}

/** Each example's loss weight: the dataset's weight column times the selection's (0 drops the row); undefined when neither applies. */
export function lossWeights(dataset: Float32Array | undefined, selection: Float32Array | undefined): Float32Array | undefined {
  if (!dataset || !selection) return dataset ?? selection;
  return dataset.map((weight, i) => weight * selection[i]!);
}

/** Rows of the old (inherited) examples. */
export function oldRows(data: Examples): Int32Array {
  return Int32Array.from({ length: data.count }, (_, i) => i).filter((i) => data.isNew[i] === 0);
}

/** Difficulty of each row of a logits batch (rows 0..count-1) into `out` at `offset`; a label < 0 scores NaN. */
function scoreLogits(values: Float32Array | Int32Array | Uint8Array, k: number, labels: ArrayLike<number>, count: number, score: 'loss' | 'margin', out: Float32Array, offset: number): void {
  for (let i = 0; i < count; i++) {
    const label = labels[i]!;
    if (label < 0) {
      out[offset + i] = Number.NaN;
      continue;
    }
    const row = values.subarray(i * k, (i + 1) * k);
    let max = -Infinity;
    let other = -Infinity;
    for (let j = 0; j < k; j++) {
      max = Math.max(max, row[j]!);
      if (j !== label) other = Math.max(other, row[j]!);
    }
    if (score === 'margin') {
      out[offset + i] = other - row[label]!;
    } else {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += Math.exp(row[j]! - max);
      out[offset + i] = max + Math.log(sum) - row[label]!;
    }
  }
}

/**
 * The scoring pass over a streamed source: the old (inherited) rows of the source, in natural order,
 * scored by a model. Keeps only each row's index and score (8 bytes per old example), never the rows.
 */
export async function scoreSource(model: tf.LayersModel, source: ExampleSource, score: 'loss' | 'margin', labelMap?: number[], options: { batchSize?: number; onBatch?: () => void } = {}): Promise<{ rows: Int32Array; scores: Float32Array }> {
  let rows = new Int32Array(1024);
  let scores = new Float32Array(1024);
  let n = 0;
  for await (const batch of rowBatches(restrictSource(source, (unit) => !unit.isNew), { batchSize: options.batchSize ?? 512 })) {
    if (n + batch.count > rows.length) {
      const grown = Math.max(rows.length * 2, n + batch.count);
      rows = grow(rows, grown);
      scores = grow(scores, grown);
    }
    const logits = tf.tidy(() => model.predict(tf.tensor2d(batch.x.subarray(0, batch.count * batch.featureSize), [batch.count, batch.featureSize])) as tf.Tensor2D);
    const values = logits.dataSync();
    const k = logits.shape[1];
    logits.dispose();
    const labels = labelMap ? Int32Array.from(batch.y.subarray(0, batch.count), (y) => labelMap[y]!) : batch.y;
    scoreLogits(values, k, labels, batch.count, score, scores, n);
    rows.set(batch.index.subarray(0, batch.count), n);
    n += batch.count;
    options.onBatch?.();
  }
  return { rows: rows.slice(0, n), scores: scores.slice(0, n) };
}

function grow<T extends Int32Array | Float32Array>(array: T, length: number): T {
  const out = new (array.constructor as new (n: number) => T)(length);
  out.set(array);
  return out;
}
