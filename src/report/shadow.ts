import type { AuditEntry } from '../audit/ledger.js';
import { joinShadowRecords, shadowTotals, type ShadowScratchRecord } from '../audit/shadow.js';
import { COLORS, lineChart, niceMax } from './svg.js';
import { escapeHtml as esc, pct } from './text.js';

const gflop = (x: number) => (x / 1e9).toFixed(2);
const signedPct = (x: number | null) => (x === null ? '-' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)}`);

/**
 * Measured against estimated: for every refresh with a shadow scratch run, the scratch cost the ledger
 * estimated beside the one the shadow measured (a chart over the regular versions), and a table of the
 * measured warm-start gap and compute saved. Nothing when no shadow run was recorded.
 */
export function shadowSection(entries: AuditEntry[], shadows: ShadowScratchRecord[]): string {
  const regular = entries.filter((e) => !e.replayOf);
  const comparisons = joinShadowRecords(regular, shadows);
  if (comparisons.length === 0) return '';
  const versions = [...regular].sort((a, b) => a.datasetVersion - b.datasetVersion || a.finishedAt.localeCompare(b.finishedAt));
  const measuredOf = new Map(comparisons.map((c) => [c.refreshWorkflowId, c.measured.flops]));
  const estimated = versions.map((e) => (e.scratchCost.basis === 'unknown' ? null : e.scratchCost.flops / 1e9));
  const measured = versions.map((e) => (measuredOf.has(e.workflowId) ? measuredOf.get(e.workflowId)! / 1e9 : null));
  const chart = lineChart(
    'Scratch cost: estimated and measured',
    versions.map((e) => `v${e.datasetVersion}`),
    [
      { name: 'estimated in the ledger', color: COLORS.other, values: estimated },
      { name: 'measured by a shadow scratch run', color: COLORS.scratch, values: measured },
    ],
    { min: 0, max: niceMax([...estimated, ...measured].filter((v): v is number => v !== null)), format: (v) => `${Number(v.toFixed(1))} GF` },
  );
  const totals = shadowTotals(comparisons);
  const rows = comparisons
    .map(
      (c) => `<tr data-shadow-version="${c.datasetVersion}" data-workflow-id="${esc(c.refreshWorkflowId)}">
<td>v${c.datasetVersion}</td>
<td data-field="refresh-accuracy" data-value="${c.refresh.accuracy ?? ''}">${pct(c.refresh.accuracy)} <span class="tag">${c.refresh.mode}</span></td>
<td data-field="scratch-accuracy" data-value="${c.measured.accuracy ?? ''}">${pct(c.measured.accuracy)}</td>
<td data-field="accuracy-gap" data-value="${c.accuracyGap ?? ''}" title="one-sided McNemar p (warm start worse than scratch): ${c.pWorseThanScratch === null ? '-' : c.pWorseThanScratch.toFixed(3)}">${signedPct(c.accuracyGap)} pts</td>
<td data-field="estimated-scratch-gflop" data-value="${c.estimated.flops}">${gflop(c.estimated.flops)} <span class="tag">${c.estimated.basis}</span></td>
<td data-field="measured-scratch-gflop" data-value="${c.measured.flops}">${gflop(c.measured.flops)} (${c.measured.steps} steps)</td>
<td data-field="estimate-error" data-value="${c.estimateError.share ?? ''}">${signedPct(c.estimateError.share)}%</td>
<td data-field="estimated-saved-gflop" data-value="${c.estimated.saved.flops}">${gflop(c.estimated.saved.flops)}</td>
<td data-field="measured-saved-gflop" data-value="${c.saved.flops}">${gflop(c.saved.flops)}</td>
</tr>`,
    )
    .join('\n');
  return `<figure id="shadow-chart"><figcaption>Scratch cost per version, estimated against measured by shadow scratch runs (GFLOP)</figcaption>${chart}
<table id="shadow"><thead><tr><th>version</th><th>refresh accuracy</th><th>scratch accuracy</th><th>warm-start gap</th><th>scratch GFLOP estimated</th><th>scratch GFLOP measured</th><th>estimate off by</th><th>saved GFLOP (estimated)</th><th>saved GFLOP (measured)</th></tr></thead>
<tbody>
${rows}
<tr data-shadow-version="total"><td>total (${totals.refreshes})</td><td></td><td></td><td data-field="accuracy-gap" data-value="${totals.meanAccuracyGap ?? ''}">${signedPct(totals.meanAccuracyGap)} pts (mean)</td><td data-field="estimated-scratch-gflop" data-value="${totals.estimatedScratchFlops}">${gflop(totals.estimatedScratchFlops)}</td><td data-field="measured-scratch-gflop" data-value="${totals.measuredScratchFlops}">${gflop(totals.measuredScratchFlops)}</td><td></td><td data-field="estimated-saved-gflop" data-value="${totals.estimatedSavedFlops}">${gflop(totals.estimatedSavedFlops)}</td><td data-field="measured-saved-gflop" data-value="${totals.measuredSavedFlops}">${gflop(totals.measuredSavedFlops)}</td></tr>
</tbody></table></figure>`;
}
