import { writeFileSync } from 'node:fs';
import { ledgerToParquet } from '../../audit/export-parquet.js';
import { entryReasons, listAuditEntries, type AuditEntry } from '../../audit/ledger.js';
import { ledgerTotals } from '../../report/series.js';
import { applyCorrections, correctRecord, listCorrections, parseChanges } from '../../audit/corrections.js';
import { inPeriod, parsePeriod } from '../../audit/period.js';
import { loadPriceTable, type PriceTable } from '../../audit/pricing.js';
import { costTotals, groupTotals, type CostTotals } from '../../audit/totals.js';
import { verifyChain } from '../../audit/verify.js';
import { listShadowScratchRecords } from '../../audit/shadow-ledger.js';
import type { ShadowScratchRecord } from '../../audit/shadow.js';
import { formatShadowView, shadowView } from './audit-shadow-view.js';
import { WarmstartError } from '../../errors.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { defineCommand } from '../command.js';
import { JSON_OUTPUT, MODEL, STORE } from '../common-options.js';
import { amount } from '../../report/text.js';
import { pct, table } from '../output.js';

const gflop = (flops: number) => (flops / 1e9).toFixed(1);

/** One row per refresh; a fallback shows both modes (warm>scratch) and the summed compute. */
export function formatAuditTable(entries: AuditEntry[]): string {
  return table(
    ['dataset', 'ver', 'status', 'decision', 'attempts', 'steps', 'GFLOP', 'train s', 'backend', 'accuracy', 'old acc', 'prod acc', 'gate', 'saved GFLOP'],
    entries.map((e) => {
      const final = e.attempts.at(-1);
      return [
        e.dataset,
        `v${e.datasetVersion}${e.replayOf ? ' (replay)' : ''}`,
        e.status,
        e.decision.mode,
        e.attempts.map((a) => a.mode).join('>') || '-',
        String(e.compute.steps),
        gflop(e.compute.flops),
        e.compute.trainSeconds.toFixed(1),
        final?.training.backend ?? '-',
        pct(final?.evaluation.candidate.combined?.accuracy),
        pct(final?.evaluation.candidate.old?.accuracy),
        pct(final?.evaluation.production?.combined?.accuracy),
        e.failure ? 'error' : final ? (final.gate.passed ? 'pass' : e.promotion.override ? 'override' : 'fail') : e.rejection ? 'bad data' : '-',
        `${gflop(e.saved.flops)} (${e.scratchCost.basis})`,
      ];
    }),
  );
}

export function formatTotals(entries: AuditEntry[]): string {
  const t = ledgerTotals(entries);
  const share = t.scratchEquivalentFlops > 0 ? t.savedFlops / t.scratchEquivalentFlops : 0;
  return [
    `refreshes: ${t.refreshes} (${t.promoted} promoted, ${t.rejected} rejected${t.failed > 0 ? `, ${t.failed} failed` : ''}; ${t.warm} warm and ${t.scratch} scratch training runs)`,
    `compute spent: ${gflop(t.spentFlops)} GFLOP, ${t.spentSeconds.toFixed(1)} s of training`,
    `retraining every version from scratch: ${gflop(t.scratchEquivalentFlops)} GFLOP`,
    `compute saved: ${gflop(t.savedFlops)} GFLOP (${pct(share)}), ${t.savedSeconds.toFixed(1)} s of training`,
  ].join('\n');
}

const money = amount;
const optional = amount;

/** One row per group: FLOPs, device-hours, money, energy, CO2, and the part lost to retries. */
export function formatCostTable(title: string, groups: { group: string; totals: CostTotals }[], prices: PriceTable | null): string {
  const currency = prices?.currency ?? 'money';
  return table(
    [title, 'refreshes', 'GFLOP all', 'device-h', currency, 'kWh', 'kg CO2', 'lost device-h', `lost ${currency}`, 'steps done/lost/redone'],
    groups.map(({ group, totals: t }) => [
      group,
      String(t.refreshes),
      gflop(t.flops),
      amount(t.deviceHours),
      money(t.money),
      optional(t.kWh),
      optional(t.co2Grams === null ? null : t.co2Grams / 1000),
      amount(t.lost.deviceHours),
      money(t.lost.money),
      `${t.stepsDone}/${t.stepsLost}/${t.stepsRedone}`,
    ]),
  );
}

function pricingLine(prices: PriceTable | null, totals: CostTotals): string {
  if (!prices) return 'no price table (set WARMSTART_PRICES to a price table file): device-hours only, no money or energy';
  const unpriced = totals.unpricedDeviceHours > 0 ? `; ${amount(totals.unpricedDeviceHours)} device-hours of classes the table does not price are left out of money and energy` : '';
  return `priced at read time with table "${prices.version}" (${prices.currency}${prices.source ? `, ${prices.source}` : ''})${unpriced}`;
}

/** The cost views auditors use: overall, by month, by dataset, by version. */
export function costViews(entries: AuditEntry[], prices: PriceTable | null) {
  return {
    priceTable: prices ? { version: prices.version, currency: prices.currency } : null,
    overall: costTotals(entries, prices),
    byMonth: groupTotals(entries, 'month', prices),
    byDataset: groupTotals(entries, 'dataset', prices),
    byVersion: groupTotals(entries, 'version', prices),
  };
}

/** `--model` takes one model or several, comma-separated: their ledgers are viewed together. */
export async function auditCommand(store: ObjectStore, model: string, options: { json?: boolean; parquet?: string; since?: string; until?: string; env?: Record<string, string | undefined> } = {}): Promise<string> {
  const period = parsePeriod(options.since, options.until);
  const prices = loadPriceTable(options.env ?? process.env);
  const models = model.split(',').map((m) => m.trim()).filter((m) => m !== '');
  const entries: AuditEntry[] = [];
  const shadows: ShadowScratchRecord[] = [];
  // Views show entries as corrected; the records themselves are never edited.
  for (const name of models) {
    entries.push(...applyCorrections(await listAuditEntries(store, name), await listCorrections(store, name)).filter((e) => inPeriod(e.finishedAt, period)));
    shadows.push(...(await listShadowScratchRecords(store, name)));
  }
  if (options.parquet) {
    writeFileSync(options.parquet, ledgerToParquet(entries, prices));
    if (!options.json) return `wrote ${entries.length} ledger rows to ${options.parquet}`;
  }
  const views = costViews(entries, prices);
  // Joined with the entries in view, so a period filter applies to the shadows too.
  const shadow = shadowView(entries, shadows);
  if (options.json) return JSON.stringify({ model, period, totals: ledgerTotals(entries), cost: views, shadow, entries }, null, 2);
  if (entries.length === 0) return `no audit entries for model ${model} in ${store.uri}${period.since || period.until ? ' in that period' : ''}`;
  const reasons = entries.map((e) => {
    const lines = [...entryReasons(e), e.scratchCost.explanation];
    return `  ${models.length > 1 ? `${e.model} ` : ''}${e.dataset} v${e.datasetVersion}${e.replayOf ? ` (replay of ${e.replayOf})` : ''}:\n${lines.map((line) => `    - ${line}`).join('\n')}`;
  });
  const o = views.overall;
  const cost = [
    pricingLine(prices, o),
    `device-hours spent: ${amount(o.deviceHours)} (${Object.entries(o.deviceHoursByClass).map(([k, v]) => `${k} ${amount(v)}`).join(', ') || 'none'}); ${(o.bytesRead / 1e6).toFixed(1)} MB read`,
    ...(prices ? [`cost: ${money(o.money)} ${prices.currency}, ${optional(o.kWh)} kWh, ${optional(o.co2Grams === null ? null : o.co2Grams / 1000)} kg CO2; scratch retraining ${money(o.scratchEquivalent.money)} ${prices.currency}, saved ${money(o.saved.money)} ${prices.currency}`] : []),
    `lost to retries: ${amount(o.lost.deviceHours)} device-hours, ${o.stepsLost} steps lost and ${o.stepsRedone} redone of ${o.stepsDone} done`,
  ].join('\n');
  return [
    formatAuditTable(entries),
    formatTotals(entries),
    cost,
    formatCostTable('month', views.byMonth, prices),
    formatCostTable('dataset', views.byDataset, prices),
    formatCostTable('version', views.byVersion, prices),
    formatShadowView(shadow, models.length),
    `reasons:\n${reasons.join('\n')}`,
  ]
    .filter((section) => section !== '')
    .join('\n\n');
}

/** `audit verify`: recomputes the model's hash chain; the first broken link is a one-line LEDGER_BROKEN error naming the record. */
export async function verifyCommand(store: ObjectStore, model: string, json = false): Promise<string> {
  const verdict = await verifyChain(store, model);
  if (!verdict.ok) throw new WarmstartError('LEDGER_BROKEN', `ledger of ${model} broken at ${verdict.key}: ${verdict.problem}`, verdict.key);
  if (json) return JSON.stringify(verdict);
  if (verdict.records === 0) return `no ledger records for model ${model} in ${store.uri}`;
  return `ledger of ${model}: ${verdict.records} records, hash chain intact; head sha256 ${verdict.head}`;
}

/** `audit correct <record> field=value... --reason why`: a new chained record pointing at the one it corrects. */
export async function correctCommand(store: ObjectStore, model: string, args: string[], who: { by: string; reason: string }): Promise<string> {
  const [record, ...changes] = args;
  if (!record) throw new WarmstartError('CONFIG_INVALID', 'usage: warmstart audit correct --model <m> <record key> field=value... --reason <why>', 'record');
  const key = await correctRecord(store, model, record, parseChanges(changes), who);
  return `recorded correction ${key} of ${record}`;
}

export const auditCli = defineCommand({
  name: 'audit',
  group: 'operating',
  summary: [
    'the compute ledger with totals by version, dataset and month (FLOPs, device-hours,',
    'money and energy from the WARMSTART_PRICES table); --parquet exports it for BI tools',
  ].join('\n'),
  options: {
    model: MODEL,
    since: { type: 'string', value: '<date>', help: 'only refreshes that finished on or after this date' },
    until: { type: 'string', value: '<date>', help: 'only refreshes that finished before this date' },
    parquet: { type: 'string', value: '<file>', help: 'also write the ledger as one Parquet row per refresh' },
    ...STORE,
    ...JSON_OUTPUT,
  },
  async run({ values: { model, json, parquet, since, until }, io, context, out }) {
    const { store } = await context();
    out(await auditCommand(store, model, { json, parquet, since, until, env: io.env }));
  },
});
