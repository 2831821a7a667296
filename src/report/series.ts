import type { AuditEntry } from '../audit/ledger.js';

/** One point per refresh of the regular flow (replays are listed in the table, not the series). */
export interface VersionPoint {
  label: string;
  version: number;
  status: AuditEntry['status'];
  decision: string;
  /** Final candidate's combined test accuracy (null when nothing was trained). */
  candidateAccuracy: number | null;
  /** The production model's accuracy after this refresh, on this version's test split when measured. */
  productionAccuracy: number | null;
  warmFlops: number;
  scratchFlops: number;
  scratchCostFlops: number;
  scratchCostBasis: string;
  savedFlops: number;
  cumulativeSpentFlops: number;
  cumulativeScratchFlops: number;
}

/** Turns ledger entries into the series the charts draw, oldest version first. */
export function versionSeries(entries: AuditEntry[]): VersionPoint[] {
  const regular = entries.filter((e) => !e.replayOf).sort((a, b) => a.datasetVersion - b.datasetVersion || a.finishedAt.localeCompare(b.finishedAt));
  let production: number | null = null;
  let spent = 0;
  let scratch = 0;
  return regular.map((entry) => {
    const final = entry.attempts.at(-1);
    const candidate = final?.evaluation.candidate.combined?.accuracy ?? null;
    if (entry.status === 'promoted') production = candidate;
    else if (final?.evaluation.production?.combined) production = final.evaluation.production.combined.accuracy;
    const flopsOf = (mode: 'warm' | 'scratch') => entry.attempts.filter((a) => a.mode === mode).reduce((sum, a) => sum + a.training.flops, 0);
    spent += entry.compute.flops;
    // Retraining every version from scratch would have cost the scratch cost each time a model was trained.
    scratch += entry.scratchCost.basis === 'unknown' ? entry.compute.flops : entry.scratchCost.flops;
    return {
      label: `v${entry.datasetVersion}`,
      version: entry.datasetVersion,
      status: entry.status,
      decision: entry.decision.mode,
      candidateAccuracy: candidate,
      productionAccuracy: production,
      warmFlops: flopsOf('warm'),
      scratchFlops: flopsOf('scratch'),
      scratchCostFlops: entry.scratchCost.flops,
      scratchCostBasis: entry.scratchCost.basis,
      savedFlops: entry.saved.flops,
      cumulativeSpentFlops: spent,
      cumulativeScratchFlops: scratch,
    };
  });
}

export interface LedgerTotals {
  refreshes: number;
  promoted: number;
  rejected: number;
  failed: number;
  warm: number;
  scratch: number;
  spentFlops: number;
  spentSeconds: number;
  scratchEquivalentFlops: number;
  savedFlops: number;
  savedSeconds: number;
}

export function ledgerTotals(entries: AuditEntry[]): LedgerTotals {
  const totals: LedgerTotals = { refreshes: 0, promoted: 0, rejected: 0, failed: 0, warm: 0, scratch: 0, spentFlops: 0, spentSeconds: 0, scratchEquivalentFlops: 0, savedFlops: 0, savedSeconds: 0 };
  for (const entry of entries) {
    totals.refreshes++;
    if (entry.status === 'promoted') totals.promoted++;
    if (entry.status === 'rejected') totals.rejected++;
    if (entry.status === 'failed') totals.failed++;
    for (const attempt of entry.attempts) totals[attempt.mode]++;
    totals.spentFlops += entry.compute.flops;
    totals.spentSeconds += entry.compute.trainSeconds;
    totals.scratchEquivalentFlops += entry.scratchCost.basis === 'unknown' ? entry.compute.flops : entry.scratchCost.flops;
    totals.savedFlops += entry.saved.flops;
    totals.savedSeconds += entry.saved.trainSeconds;
  }
  return totals;
}
