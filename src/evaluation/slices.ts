import type { Examples } from '../data/examples.js';

/** Accuracy on one slice of the test split. */
export interface SliceMetric {
  accuracy: number;
  correct: number;
  count: number;
}

/** Slices: "combined", "old" (inherited shards), "new" (this version's shards), "class:<name>". */
export type SliceMetrics = Record<string, SliceMetric>;

export function sliceMetrics(predictions: Int32Array, data: Examples, classes: readonly string[], options: { perClass?: boolean } = {}): SliceMetrics {
  const perClass = options.perClass ?? true;
  const tally = new Map<string, { correct: number; count: number }>();
  const add = (slice: string, hit: number) => {
    const entry = tally.get(slice) ?? { correct: 0, count: 0 };
    entry.correct += hit;
    entry.count += 1;
    tally.set(slice, entry);
  };
  for (let i = 0; i < data.count; i++) {
    const hit = predictions[i] === data.y[i] ? 1 : 0;
    add('combined', hit);
    add(data.isNew[i] ? 'new' : 'old', hit);
    if (perClass) add(`class:${classes[data.y[i]!] ?? data.y[i]}`, hit);
  }
  const metrics: SliceMetrics = {};
  for (const [slice, { correct, count }] of [...tally.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    metrics[slice] = { accuracy: count > 0 ? correct / count : 0, correct, count };
  }
  return metrics;
}

/** Discordant pairs between two models on the same examples: the input of a paired test. */
export interface PairedCounts {
  /** Examples the candidate gets right and the baseline gets wrong. */
  candidateOnly: number;
  /** Examples the baseline gets right and the candidate gets wrong. */
  baselineOnly: number;
  count: number;
}

export function pairedCounts(candidate: Int32Array, baseline: Int32Array, labels: Int32Array, mask?: (i: number) => boolean): PairedCounts {
  let candidateOnly = 0;
  let baselineOnly = 0;
  let count = 0;
  for (let i = 0; i < labels.length; i++) {
    if (mask && !mask(i)) continue;
    count++;
    const c = candidate[i] === labels[i];
    const b = baseline[i] === labels[i];
    if (c && !b) candidateOnly++;
    else if (b && !c) baselineOnly++;
  }
  return { candidateOnly, baselineOnly, count };
}
