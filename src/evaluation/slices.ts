import type { Examples } from '../data/examples.js';
import type { MetricValues } from './metrics.js';

/** Accuracy on one slice of the test split; evaluation adds the other metrics (log-loss, AUC, F1). */
export interface SliceMetric extends Partial<Omit<MetricValues, 'accuracy'>> {
  accuracy: number;
  correct: number;
  count: number;
}

/** Slices: "combined", "old" (inherited shards), "new" (this version's shards), "class:<name>". */
export type SliceMetrics = Record<string, SliceMetric>;

export function sliceMetrics(predictions: Int32Array, data: Examples, classes: readonly string[], options: { perClass?: boolean } = {}): SliceMetrics {
  const tally = new SliceTally(classes, options.perClass ?? true);
  tally.addBatch(predictions, data.y, data.isNew, data.count);
  return tally.metrics();
}

/**
 * Slice tallies fed batch by batch, so a streamed evaluation never holds the test split: combined,
 * old / new, and per class. `metrics()` gives what sliceMetrics gives for the same rows.
 */
export class SliceTally {
  private readonly tally = new Map<string, { correct: number; count: number }>();

  constructor(private readonly classes: readonly string[], private readonly perClass = true) {}

  private add(slice: string, hit: number): void {
    const entry = this.tally.get(slice) ?? { correct: 0, count: 0 };
    entry.correct += hit;
    entry.count += 1;
    this.tally.set(slice, entry);
  }

  /** Rows 0..count-1 of a batch: predicted classes, labels, and whether each row is new data. */
  addBatch(predictions: ArrayLike<number>, labels: ArrayLike<number>, isNew: ArrayLike<number>, count = labels.length): void {
    for (let i = 0; i < count; i++) {
      const hit = predictions[i] === labels[i] ? 1 : 0;
      this.add('combined', hit);
      this.add(isNew[i] ? 'new' : 'old', hit);
      if (this.perClass) this.add(`class:${this.classes[labels[i]!] ?? labels[i]}`, hit);
    }
  }

  metrics(): SliceMetrics {
    const metrics: SliceMetrics = {};
    for (const [slice, { correct, count }] of [...this.tally.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      metrics[slice] = { accuracy: count > 0 ? correct / count : 0, correct, count };
    }
    return metrics;
  }
}

/** Adds a batch's discordant pairs to `counts` (rows 0..count-1). */
export function addPairedCounts(counts: PairedCounts, candidate: ArrayLike<number>, baseline: ArrayLike<number>, labels: ArrayLike<number>, count = labels.length): void {
  for (let i = 0; i < count; i++) {
    counts.count++;
    const c = candidate[i] === labels[i];
    const b = baseline[i] === labels[i];
    if (c && !b) counts.candidateOnly++;
    else if (b && !c) counts.baselineOnly++;
  }
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
