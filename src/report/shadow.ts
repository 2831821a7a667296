import type { AuditEntry } from '../audit/ledger.js';
import { joinShadowRecords, shadowTotals, type ShadowScratchRecord } from '../audit/shadow.js';
import { COLORS, lineChart, niceMax, niceMin } from './svg.js';
import { escapeHtml as esc, pct } from './text.js';

const gflop = (x: number) => (x / 1e9).toFixed(2);
const signedPct = (x: number | null) => (x === null ? '-' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)}`);

const seconds = (x: number) => x.toFixed(1);

/**
 * Measured against estimated: for every refresh with a shadow scratch run, two charts over those
 * versions (test accuracy of the refresh's candidate and of the scratch run, on the same examples;
 * scratch training seconds as the ledger estimated them and as the shadow measured them: FLOPs are
 * counted the same way on both sides, so seconds are where an estimate can be off) and a table of
 * the warm-start gap and the compute saved, estimated and measured. Nothing when no shadow run was recorded.
 */
export function shadowSection(entries: AuditEntry[], shadows: ShadowScratchRecord[]): string {
  const comparisons = joinShadowRecords(entries.filter((e) => !e.replayOf), shadows);
  if (comparisons.length === 0) return '';
  const labels = comparisons.map((c) => `v${c.datasetVersion}`);
  const accuracies = comparisons.flatMap((c) => [c.refresh.accuracy, c.measured.accuracy]).filter((v): v is number => v !== null);
  const accuracy = lineChart(
    'Warm start against scratch: test accuracy',
    labels,
    [
      { name: "refresh's candidate", color: COLORS.warm, values: comparisons.map((c) => c.refresh.accuracy) },
      { name: 'shadow scratch run', color: COLORS.scratch, values: comparisons.map((c) => c.measured.accuracy) },
    ],
    { min: niceMin(accuracies, 1), max: 1, format: (v) => `${(100 * v).toFixed(1).replace(/\.0$/, '')}%` },
  );
  const cost = lineChart(
    'Scratch training seconds: estimated and measured',
    labels,
    [
      { name: 'estimated in the ledger', color: COLORS.other, values: comparisons.map((c) => c.estimated.trainSeconds) },
      { name: 'measured by the shadow run', color: COLORS.scratch, values: comparisons.map((c) => c.measured.trainSeconds) },
    ],
    { min: 0, max: niceMax(comparisons.flatMap((c) => [c.estimated.trainSeconds, c.measured.trainSeconds])), format: (v) => `${Number(v.toFixed(1))} s` },
  );
  const totals = shadowTotals(comparisons);
  const cell = (field: string, value: number | null, text: string) => `<td data-field="${field}" data-value="${value ?? ''}">${text}</td>`;
  const rows = comparisons
    .map(
      (c) => `<tr data-shadow-version="${c.datasetVersion}" data-workflow-id="${esc(c.refreshWorkflowId)}">
<td>v${c.datasetVersion}</td>
${cell('refresh-accuracy', c.refresh.accuracy, `${pct(c.refresh.accuracy)} <span class="tag">${c.refresh.mode}</span>`)}
${cell('scratch-accuracy', c.measured.accuracy, pct(c.measured.accuracy))}
<td data-field="accuracy-gap" data-value="${c.accuracyGap ?? ''}" title="one-sided McNemar p (warm start worse than scratch): ${c.pWorseThanScratch === null ? '-' : c.pWorseThanScratch.toFixed(3)}">${signedPct(c.accuracyGap)} pts</td>
${cell('estimated-scratch-gflop', c.estimated.flops, `${gflop(c.estimated.flops)} <span class="tag">${c.estimated.basis}</span>`)}
${cell('measured-scratch-gflop', c.measured.flops, `${gflop(c.measured.flops)} (${c.measured.steps} steps)`)}
${cell('estimated-scratch-seconds', c.estimated.trainSeconds, seconds(c.estimated.trainSeconds))}
${cell('measured-scratch-seconds', c.measured.trainSeconds, seconds(c.measured.trainSeconds))}
${cell('estimated-saved-gflop', c.estimated.saved.flops, gflop(c.estimated.saved.flops))}
${cell('measured-saved-gflop', c.saved.flops, gflop(c.saved.flops))}
${cell('estimated-saved-seconds', c.estimated.saved.trainSeconds, seconds(c.estimated.saved.trainSeconds))}
${cell('measured-saved-seconds', c.saved.trainSeconds, seconds(c.saved.trainSeconds))}
</tr>`,
    )
    .join('\n');
  const total = `<tr data-shadow-version="total"><td>total (${totals.refreshes})</td><td></td><td></td>
${cell('accuracy-gap', totals.meanAccuracyGap, `${signedPct(totals.meanAccuracyGap)} pts (mean)`)}
${cell('estimated-scratch-gflop', totals.estimatedScratchFlops, gflop(totals.estimatedScratchFlops))}
${cell('measured-scratch-gflop', totals.measuredScratchFlops, gflop(totals.measuredScratchFlops))}
<td></td><td></td>
${cell('estimated-saved-gflop', totals.estimatedSavedFlops, gflop(totals.estimatedSavedFlops))}
${cell('measured-saved-gflop', totals.measuredSavedFlops, gflop(totals.measuredSavedFlops))}
<td></td><td></td></tr>`;
  return `<figure id="shadow-chart"><figcaption>Shadow scratch runs: the warm-start gap and scratch's cost, measured against the ledger's estimate</figcaption>${accuracy}${cost}
<table id="shadow"><thead><tr><th>version</th><th>refresh accuracy</th><th>scratch accuracy</th><th>warm-start gap</th><th>scratch GFLOP estimated</th><th>measured</th><th>scratch s estimated</th><th>measured</th><th>saved GFLOP estimated</th><th>measured</th><th>saved s estimated</th><th>measured</th></tr></thead>
<tbody>
${rows}
${total}
</tbody></table></figure>`;
}
