import { entryReasons, type AuditEntry } from '../audit/ledger.js';
import type { PriceTable } from '../audit/pricing.js';
import { costSection } from './cost.js';
import { gatedMetricSeries, type GatedMetricSeries } from './gated-metric.js';
import type { ShadowScratchRecord } from '../audit/shadow.js';
import { shadowSection } from './shadow.js';
import { ledgerTotals, versionSeries } from './series.js';
import { COLORS, lineChart, niceMax, niceMin, stackedBarChart } from './svg.js';
import { escapeHtml as esc, pct } from './text.js';

const gflop = (x: number) => (x / 1e9).toFixed(2);

/** The three fixed charts: accuracy, compute per version, cumulative compute against scratch. */
function versionCharts(entries: AuditEntry[]): { accuracy: string; compute: string; cumulative: string } {
  const points = versionSeries(entries);
  const labels = points.map((p) => p.label);
  const accuracyValues = points.flatMap((p) => [p.candidateAccuracy, p.productionAccuracy]).filter((v): v is number => v !== null);
  const accuracyMin = niceMin(accuracyValues, 1);

  const accuracy = lineChart(
    'Accuracy per version',
    labels,
    [
      { name: 'production model', color: COLORS.line, values: points.map((p) => p.productionAccuracy) },
      { name: 'candidate', color: COLORS.other, values: points.map((p) => p.candidateAccuracy) },
    ],
    { min: accuracyMin, max: 1, format: (v) => `${(100 * v).toFixed(1).replace(/\.0$/, '')}%` },
  );
  const compute = stackedBarChart(
    'Training compute per version',
    labels,
    [
      { name: 'warm start', color: COLORS.warm, values: points.map((p) => p.warmFlops / 1e9) },
      { name: 'scratch', color: COLORS.scratch, values: points.map((p) => p.scratchFlops / 1e9) },
    ],
    { min: 0, max: niceMax(points.map((p) => (p.warmFlops + p.scratchFlops) / 1e9)), format: (v) => `${Number(v.toFixed(1))} GF` },
  );
  const cumulative = lineChart(
    'Cumulative compute',
    labels,
    [
      { name: 'retrain from scratch every version', color: COLORS.scratch, values: points.map((p) => p.cumulativeScratchFlops / 1e9) },
      { name: 'warmstart (actual)', color: COLORS.warm, values: points.map((p) => p.cumulativeSpentFlops / 1e9) },
    ],
    { min: 0, max: niceMax(points.map((p) => p.cumulativeScratchFlops / 1e9)), format: (v) => `${Number(v.toFixed(1))} GF` },
  );

  return { accuracy, compute, cumulative };
}

/** One row of the decisions table; every number carries its raw value in data-value. */
function decisionRow(e: AuditEntry): string {
  const final = e.attempts.at(-1);
  const reasons = entryReasons(e);
  const interval = final ? ` <span class="ci">[${pct(final.evaluation.accuracyInterval.low)}, ${pct(final.evaluation.accuracyInterval.high)}]</span>` : '';
  return `<tr data-version="${e.datasetVersion}" data-workflow-id="${esc(e.workflowId)}">
<td>v${e.datasetVersion}${e.replayOf ? ` <span class="tag">replay of ${esc(e.replayOf)}</span>` : ''}</td>
<td data-field="status">${e.status}</td>
<td data-field="decision">${e.decision.mode}${e.attempts.length > 1 ? ` (${e.attempts.map((a) => a.mode).join(' &rarr; ')})` : ''}</td>
<td data-field="accuracy" data-value="${final?.evaluation.candidate.combined?.accuracy ?? ''}">${pct(final?.evaluation.candidate.combined?.accuracy)}${interval}</td>
<td data-field="old-accuracy" data-value="${final?.evaluation.candidate.old?.accuracy ?? ''}">${pct(final?.evaluation.candidate.old?.accuracy)}</td>
<td data-field="gflop" data-value="${e.compute.flops}">${gflop(e.compute.flops)}</td>
<td data-field="train-seconds" data-value="${e.compute.trainSeconds}">${e.compute.trainSeconds.toFixed(1)}</td>
<td data-field="saved-gflop" data-value="${e.saved.flops}" title="${esc(e.scratchCost.explanation)}">${gflop(e.saved.flops)} <span class="tag">${e.scratchCost.basis}</span></td>
<td class="reasons"><ul>${reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul></td>
</tr>`;
}

/**
 * The compute and accuracy report of one model: a static HTML file with inline SVG charts, no script
 * and no network, so it can be mailed or attached to a ticket. Every number shown carries a
 * data-field attribute with its raw value, so tests (and scrapers) can check it against the ledger.
 */
export function renderReport(model: string, entries: AuditEntry[], generatedAt: string, prices: PriceTable | null = null, shadows: ShadowScratchRecord[] = []): string {
  const totals = ledgerTotals(entries);
  const { accuracy, compute, cumulative } = versionCharts(entries);
  const gated = gatedMetricChart(entries);
  const rows = [...entries]
    .sort((a, b) => a.datasetVersion - b.datasetVersion || a.finishedAt.localeCompare(b.finishedAt))
    .map(decisionRow)
    .join('\n');

  const savedShare = totals.scratchEquivalentFlops > 0 ? totals.savedFlops / totals.scratchEquivalentFlops : 0;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>warmstart report: ${esc(model)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d1d1f;max-width:1400px}
h1{font-size:22px;margin:0 0 4px} .sub{color:#666;margin-bottom:16px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #ddd;border-radius:8px;padding:10px 14px;min-width:150px}
.card .v{font-size:22px;font-weight:600} .card .k{color:#666;font-size:12px}
.charts{display:flex;flex-wrap:wrap;gap:16px} figure{margin:0;border:1px solid #eee;border-radius:8px;padding:8px}
figcaption{font-weight:600;margin-bottom:4px}
table{border-collapse:collapse;width:100%;margin-top:16px;font-size:13px} th,td{border-bottom:1px solid #eee;padding:6px;text-align:left;vertical-align:top}
.reasons ul{margin:0;padding-left:16px;color:#444} .tag{font-size:11px;color:#666;background:#f2f2f2;border-radius:4px;padding:1px 4px} .ci{color:#888;font-size:11px}
</style></head><body>
<h1>warmstart report: ${esc(model)}</h1>
<div class="sub">${totals.refreshes} refreshes, generated ${esc(generatedAt)}. Compute is estimated training FLOPs; "saved" compares with retraining the version from scratch (measured when the refresh trained from scratch, else estimated from the last scratch run's cost per step).</div>
<div class="cards">
<div class="card"><div class="v" data-field="total-refreshes">${totals.refreshes}</div><div class="k">refreshes (${totals.promoted} promoted, ${totals.rejected} rejected${totals.failed > 0 ? `, ${totals.failed} failed` : ''})</div></div>
<div class="card"><div class="v" data-field="total-spent-gflop" data-value="${totals.spentFlops}">${gflop(totals.spentFlops)} GFLOP</div><div class="k">training compute spent</div></div>
<div class="card"><div class="v" data-field="total-scratch-gflop" data-value="${totals.scratchEquivalentFlops}">${gflop(totals.scratchEquivalentFlops)} GFLOP</div><div class="k">retraining every version from scratch</div></div>
<div class="card"><div class="v" data-field="total-saved-gflop" data-value="${totals.savedFlops}">${gflop(totals.savedFlops)} GFLOP</div><div class="k">saved (${pct(savedShare)})</div></div>
</div>
<div class="charts">
<figure id="accuracy-chart"><figcaption>Accuracy per version (combined test split)</figcaption>${accuracy}</figure>
${gated}<figure id="compute-chart"><figcaption>Training compute per version (GFLOP)</figcaption>${compute}</figure>
<figure id="cumulative-chart"><figcaption>Cumulative compute against retraining every version from scratch (GFLOP)</figcaption>${cumulative}</figure>
${costSection(entries, prices)}
${shadowSection(entries, shadows)}
</div>
<table id="decisions"><thead><tr><th>version</th><th>status</th><th>decision</th><th>accuracy [95% CI]</th><th>old data</th><th>GFLOP</th><th>train s</th><th>saved GFLOP</th><th>reasons</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}

/** The metric the gate used beyond accuracy, per version; nothing for a model gated on accuracy alone. */
function gatedMetricChart(entries: AuditEntry[]): string {
  const series: GatedMetricSeries | null = gatedMetricSeries(entries);
  if (!series) return '';
  const values = series.points.flatMap((p) => [p.candidate, p.production]).filter((v): v is number => v !== null);
  // Metrics with a ceiling of 1 (AUC, F1, skill) zoom like accuracy; log-loss starts at 0.
  const bounded = series.metric !== 'logLoss';
  const axis = bounded ? { min: Math.min(niceMin(values, 1), ...values.map((v) => Math.floor(v * 10) / 10)), max: 1 } : { min: 0, max: niceMax(values) };
  const chart = lineChart(
    `${series.metric} per version`,
    series.points.map((p) => p.label),
    [
      { name: 'production model', color: COLORS.line, values: series.points.map((p) => p.production) },
      { name: 'candidate', color: COLORS.other, values: series.points.map((p) => p.candidate) },
    ],
    { ...axis, format: (v) => v.toFixed(2) },
  );
  const note = values.length === 0 ? ' <span class="tag">not recorded in these ledger entries</span>' : '';
  return `<figure id="gated-metric-chart" data-metric="${series.metric}"><figcaption>Gated metric: ${series.metric} per version (combined test split, ${series.direction})${note}</figcaption>${chart}</figure>\n`;
}
