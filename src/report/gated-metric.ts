import type { AuditEntry } from '../audit/ledger.js';
import { METRIC_DIRECTION, METRIC_NAMES, type MetricName } from '../evaluation/metrics.js';

/**
 * The metric the gate applied beyond accuracy (AUC, log-loss...), per version: what the report charts
 * next to accuracy for a binary or imbalanced model. Read from the ledger: the metric is the first one
 * beyond accuracy that the latest gated refresh's reasons name on the combined slice ("auc[combined]
 * ..."), its values from the combined slice records (entries written before the metrics have none).
 */
export interface GatedMetricPoint {
  label: string;
  candidate: number | null;
  /** The production model after this refresh, on this version's test split when measured. */
  production: number | null;
}

export interface GatedMetricSeries {
  metric: MetricName;
  direction: (typeof METRIC_DIRECTION)[MetricName];
  points: GatedMetricPoint[];
}

const BEYOND_ACCURACY = METRIC_NAMES.filter((m) => m !== 'accuracy');
const NAMED = new RegExp(`^(?:pass|FAIL): (?:paired test \\(bootstrap\\) )?(${BEYOND_ACCURACY.join('|')})\\[combined\\]`);

export function gatedMetricOf(entries: readonly AuditEntry[]): MetricName | null {
  for (const entry of [...entries].sort((a, b) => b.finishedAt.localeCompare(a.finishedAt))) {
    for (const reason of entry.attempts.at(-1)?.gate.reasons ?? []) {
      const match = NAMED.exec(reason);
      if (match) return match[1] as MetricName;
    }
  }
  return null;
}

/** A slice record's value of a metric beyond accuracy, when the entry recorded it. */
function valueOf(slice: object | undefined, metric: MetricName): number | null {
  const value = slice ? (slice as Record<string, unknown>)[metric] : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function gatedMetricSeries(entries: readonly AuditEntry[], metric: MetricName | null = gatedMetricOf(entries)): GatedMetricSeries | null {
  if (metric === null) return null;
  const regular = entries.filter((e) => !e.replayOf).sort((a, b) => a.datasetVersion - b.datasetVersion || a.finishedAt.localeCompare(b.finishedAt));
  let production: number | null = null;
  const points = regular.map((entry) => {
    const final = entry.attempts.at(-1);
    const candidate = valueOf(final?.evaluation.candidate.combined, metric);
    if (entry.status === 'promoted') production = candidate;
    else if (final?.evaluation.production?.combined) production = valueOf(final.evaluation.production.combined, metric);
    return { label: `v${entry.datasetVersion}`, candidate, production };
  });
  return { metric, direction: METRIC_DIRECTION[metric], points };
}
