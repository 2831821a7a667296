/**
 * The audit's view of shadow scratch runs: for each warm start that has one, the scratch cost the ledger
 * estimated beside the one the shadow measured, and the warm-start gap on the same test examples.
 */
import type { AuditEntry } from '../../audit/ledger.js';
import { joinShadowRecords, shadowTotals, type ShadowComparison, type ShadowScratchRecord } from '../../audit/shadow.js';
import { pct, table } from '../output.js';

const gflop = (flops: number) => (flops / 1e9).toFixed(1);
const points = (gap: number | null) => (gap === null ? '-' : `${gap >= 0 ? '+' : ''}${(100 * gap).toFixed(2)}`);

export interface ShadowView {
  comparisons: ShadowComparison[];
  totals: ReturnType<typeof shadowTotals>;
}

/** Replays are left out: a shadow measures the refresh it was started beside, never a replay of it. */
export function shadowView(entries: readonly AuditEntry[], shadows: readonly ShadowScratchRecord[]): ShadowView {
  const comparisons = joinShadowRecords(entries.filter((e) => !e.replayOf), shadows);
  return { comparisons, totals: shadowTotals(comparisons) };
}

/** Empty when no refresh in view has a shadow run, so the audit text says nothing about a feature left off. */
export function formatShadowView(view: ShadowView, models: number): string {
  if (view.comparisons.length === 0) return '';
  const rows = table(
    ['dataset', 'ver', 'refresh acc', 'scratch acc', 'gap pts', 'p worse', 'scratch GFLOP est', 'scratch measured', 'saved GFLOP est', 'saved measured'],
    view.comparisons.map((c) => [
      c.dataset,
      `v${c.datasetVersion}`,
      pct(c.refresh.accuracy),
      pct(c.measured.accuracy),
      points(c.accuracyGap),
      c.pWorseThanScratch === null ? '-' : c.pWorseThanScratch.toFixed(3),
      `${gflop(c.estimated.flops)} (${c.estimated.basis})`,
      gflop(c.measured.flops),
      gflop(c.estimated.saved.flops),
      gflop(c.saved.flops),
    ]),
  );
  const t = view.totals;
  const off = t.measuredScratchFlops > 0 ? ` (${pct((t.estimatedScratchFlops - t.measuredScratchFlops) / t.measuredScratchFlops)} off)` : '';
  const summary = [
    `${t.refreshes} warm start${t.refreshes === 1 ? '' : 's'} measured against a shadow scratch run${models > 1 ? ' across the models in view' : ''}:`,
    `scratch cost estimated ${gflop(t.estimatedScratchFlops)} GFLOP, measured ${gflop(t.measuredScratchFlops)} GFLOP${off};`,
    `saved as estimated ${gflop(t.estimatedSavedFlops)} GFLOP, as measured ${gflop(t.measuredSavedFlops)} GFLOP; mean gap to scratch ${points(t.meanAccuracyGap)} points`,
  ].join(' ');
  return `measured by shadow scratch runs (gap: refresh minus scratch accuracy, same test examples; p: one-sided McNemar, the refresh worse):\n${rows}\n${summary}`;
}
