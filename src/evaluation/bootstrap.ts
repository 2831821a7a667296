import { SeededRandom } from '../random.js';
import { orderBy, rowsOfSlice, type RetainedRows } from './metrics-accumulator.js';
import { aucFromSorted, METRIC_DIRECTION } from './metrics.js';
import type { PairedCounts } from './slices.js';

/**
 * Seeded paired bootstrap of candidate against production on the same test examples: each replicate
 * resamples the examples with replacement once and scores both models on that same resample, so the
 * interval is of the difference and the per-example correlation between the models is kept. Pure
 * (seeded generator, no I/O). Cost: O(replicates x rows) per metric and slice, the rows sorted once.
 */
export const BOOTSTRAP_METRICS = ['auc', 'logLoss'] as const;
export type BootstrapMetric = (typeof BOOTSTRAP_METRICS)[number];

export interface BootstrapOptions {
  metrics: readonly BootstrapMetric[];
  slices: readonly string[];
  replicates: number;
  seed: number;
  /** Of the percentile interval of candidate - production. */
  confidence: number;
}

/** What evaluation computes for every refresh with a production model (the gate picks what it uses). */
export const DEFAULT_BOOTSTRAP: BootstrapOptions = { metrics: ['auc', 'logLoss'], slices: ['combined', 'old', 'new'], replicates: 500, seed: 1, confidence: 0.95 };

/** One metric on one slice, candidate against production. Small: it travels in payloads and the ledger. */
export interface MetricComparison {
  metric: BootstrapMetric;
  slice: string;
  candidate: number;
  production: number;
  /** candidate - production, and its percentile interval. */
  difference: number;
  low: number;
  high: number;
  confidence: number;
  /** One-sided bootstrap p-values that the candidate is worse / better (in the metric's direction). */
  pWorse: number;
  pBetter: number;
  replicates: number;
  seed: number;
}

/**
 * Everything paired between candidate and production: McNemar's discordant pairs and the bootstrap
 * comparisons. The evaluation's result carries it as `paired` ({ ...pairedCounts, comparisons:
 * pairedBootstrap(candidate.rows, production.rows) }); the workflow hands `paired` to the gate as is.
 */
export type PairedComparison = PairedCounts & { comparisons?: MetricComparison[] };

interface Scorer {
  /** The metric under per-row weights (resample multiplicity x example weight); null when undefined. */
  value(weights: Float64Array): number | null;
}

function logLossScorer(rows: RetainedRows): Scorer {
  return {
    value(weights) {
      let loss = 0;
      let total = 0;
      for (let i = 0; i < rows.count; i++) {
        const w = weights[i]!;
        if (w === 0) continue;
        loss += w * rows.losses[i]!;
        total += w;
      }
      return total > 0 ? loss / total : null;
    },
  };
}

function aucScorer(rows: RetainedRows, subset: Uint32Array | null): Scorer {
  const perColumn = rows.columns.map((k, c) => ({
    scores: rows.scores[c]!,
    positive: Uint8Array.from(rows.labels, (label) => (label === k ? 1 : 0)),
    order: orderBy(rows.scores[c]!, subset),
  }));
  return {
    value(weights) {
      let sum = 0;
      let n = 0;
      for (const column of perColumn) {
        const auc = aucFromSorted(column.scores, column.positive, weights, column.order);
        if (auc !== null) {
          sum += auc;
          n++;
        }
      }
      return n === 0 ? null : sum / n;
    },
  };
}

const scorerFor = (metric: BootstrapMetric, rows: RetainedRows, subset: Uint32Array | null): Scorer => (metric === 'auc' ? aucScorer(rows, subset) : logLossScorer(rows));

function quantile(sorted: number[], q: number): number {
  const position = Math.min(sorted.length - 1, Math.max(0, q * (sorted.length - 1)));
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/** Both retained row sets must be the same examples in the same order. */
function checkPaired(candidate: RetainedRows, production: RetainedRows): void {
  if (candidate.count !== production.count || candidate.classes !== production.classes) {
    throw new Error(`paired bootstrap: candidate has ${candidate.count} rows of ${candidate.classes} classes, production ${production.count} of ${production.classes}; evaluate both on the same examples`);
  }
  for (let i = 0; i < candidate.count; i++) {
    if (candidate.labels[i] !== production.labels[i] || candidate.groupOf[i] !== production.groupOf[i]) throw new Error(`paired bootstrap: row ${i} differs between candidate and production; evaluate both on the same examples in the same order`);
  }
}

export function pairedBootstrap(candidate: RetainedRows, production: RetainedRows, options: BootstrapOptions = DEFAULT_BOOTSTRAP): MetricComparison[] {
  checkPaired(candidate, production);
  const out: MetricComparison[] = [];
  const base = candidate.weights ?? new Float32Array(candidate.count).fill(1);
  for (const slice of options.slices) {
    const subset = rowsOfSlice(candidate, slice);
    if (subset === undefined) continue;
    const members = subset ?? Uint32Array.from({ length: candidate.count }, (_, i) => i);
    if (members.length === 0) continue;
    const full = new Float64Array(candidate.count);
    for (const row of members) full[row] = base[row]!;
    for (const metric of options.metrics) {
      const scorers = [scorerFor(metric, candidate, subset), scorerFor(metric, production, subset)] as const;
      const c = scorers[0].value(full);
      const p = scorers[1].value(full);
      if (c === null || p === null) continue;
      const sign = METRIC_DIRECTION[metric] === 'higher-is-better' ? 1 : -1;
      // Seeded per slice and metric so adding a metric does not change another's replicates.
      const random = new SeededRandom(options.seed);
      const weights = new Float64Array(candidate.count);
      const differences: number[] = [];
      let atLeastAsGood = 0;
      let atMostAsGood = 0;
      for (let b = 0; b < options.replicates; b++) {
        for (const row of members) weights[row] = 0;
        for (let j = 0; j < members.length; j++) weights[members[Math.floor(random.next() * members.length)]!]! += 1;
        for (const row of members) weights[row]! *= base[row]!;
        const cb = scorers[0].value(weights);
        const pb = scorers[1].value(weights);
        if (cb === null || pb === null) continue;
        const difference = cb - pb;
        differences.push(difference);
        if (sign * difference >= 0) atLeastAsGood++;
        if (sign * difference <= 0) atMostAsGood++;
      }
      const sorted = differences.sort((a, b) => a - b);
      const tail = (1 - options.confidence) / 2;
      const n = sorted.length;
      out.push({
        metric,
        slice,
        candidate: c,
        production: p,
        difference: c - p,
        low: n > 0 ? quantile(sorted, tail) : c - p,
        high: n > 0 ? quantile(sorted, 1 - tail) : c - p,
        confidence: options.confidence,
        // (1 + count) / (1 + n): never exactly 0 from a finite number of replicates.
        pWorse: (1 + atLeastAsGood) / (1 + n),
        pBetter: (1 + atMostAsGood) / (1 + n),
        replicates: n,
        seed: options.seed,
      });
    }
  }
  return out;
}
