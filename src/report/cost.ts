import type { AuditEntry } from '../audit/ledger.js';
import type { PriceTable } from '../audit/pricing.js';
import { costTotals, groupTotals, type CostTotals } from '../audit/totals.js';
import { COLORS, niceMax, stackedBarChart } from './svg.js';
import { amount, escapeHtml as esc } from './text.js';

/** One bar per version: what its refreshes (replays included) spent, with the work lost to retries apart. */
export interface CostPoint {
  label: string;
  totals: CostTotals;
}

export function costSeries(entries: AuditEntry[], prices: PriceTable | null): CostPoint[] {
  const datasets = new Set(entries.map((e) => e.dataset));
  return groupTotals(entries, 'version', prices).map(({ group, totals }) => ({ label: datasets.size > 1 ? group : group.split(' ').at(-1)!, totals }));
}

/** Priced in money when the table prices every device class used; otherwise in device-hours. */
function unitOf(points: CostPoint[], prices: PriceTable | null): { name: string; kept: (t: CostTotals) => number; lost: (t: CostTotals) => number } {
  const allPriced = prices !== null && points.every((p) => p.totals.unpricedDeviceHours === 0 && p.totals.lost.unpricedDeviceHours === 0);
  return allPriced
    ? { name: prices.currency, kept: (t) => t.money! - t.lost.money!, lost: (t) => t.lost.money! }
    : { name: 'device-hours', kept: (t) => t.deviceHours - t.lost.deviceHours, lost: (t) => t.lost.deviceHours };
}


/** The chart and its numbers (each with its raw value as a data attribute, to check against the ledger). */
export function costSection(entries: AuditEntry[], prices: PriceTable | null): string {
  const points = costSeries(entries, prices);
  const unit = unitOf(points, prices);
  const chart = stackedBarChart(
    `Cost per version (${unit.name})`,
    points.map((p) => p.label),
    [
      { name: 'work kept', color: COLORS.line, values: points.map((p) => unit.kept(p.totals)) },
      { name: 'lost to retries', color: COLORS.warm, values: points.map((p) => unit.lost(p.totals)) },
    ],
    { min: 0, max: niceMax(points.map((p) => unit.kept(p.totals) + unit.lost(p.totals))), format: (v) => `${Number(v.toPrecision(3))}` },
  );
  const all = costTotals(entries, prices);
  const currency = prices?.currency ?? 'money';
  const rows = points
    .map(
      ({ label, totals: t }) => `<tr data-cost-version="${esc(label)}">
<td>${esc(label)}</td>
<td data-field="device-hours" data-value="${t.deviceHours}">${amount(t.deviceHours)}</td>
<td data-field="lost-device-hours" data-value="${t.lost.deviceHours}">${amount(t.lost.deviceHours)}</td>
<td data-field="money" data-value="${t.money ?? ''}">${amount(t.money)}</td>
<td data-field="lost-money" data-value="${t.lost.money ?? ''}">${amount(t.lost.money)}</td>
<td data-field="kwh" data-value="${t.kWh ?? ''}">${amount(t.kWh)}</td>
<td data-field="steps-lost" data-value="${t.stepsLost}">${t.stepsLost} of ${t.stepsDone}</td>
</tr>`,
    )
    .join('\n');
  const pricing = prices ? `priced with table "${esc(prices.version)}" (${esc(prices.currency)}) when the report was made` : 'no price table (WARMSTART_PRICES): device-hours only';
  return `<figure id="cost-chart"><figcaption>Cost per version (${esc(unit.name)}; ${pricing})</figcaption>${chart}
<table id="cost"><thead><tr><th>version</th><th>device-hours</th><th>lost to retries</th><th>${esc(currency)}</th><th>lost ${esc(currency)}</th><th>kWh</th><th>steps lost</th></tr></thead>
<tbody>
${rows}
<tr data-cost-version="total"><td>total</td><td data-field="device-hours" data-value="${all.deviceHours}">${amount(all.deviceHours)}</td><td data-field="lost-device-hours" data-value="${all.lost.deviceHours}">${amount(all.lost.deviceHours)}</td><td data-field="money" data-value="${all.money ?? ''}">${amount(all.money)}</td><td data-field="lost-money" data-value="${all.lost.money ?? ''}">${amount(all.lost.money)}</td><td data-field="kwh" data-value="${all.kWh ?? ''}">${amount(all.kWh)}</td><td data-field="steps-lost" data-value="${all.stepsLost}">${all.stepsLost} of ${all.stepsDone}</td></tr>
</tbody></table></figure>`;
}
