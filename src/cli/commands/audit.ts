import { writeFileSync } from 'node:fs';
import { ledgerToParquet } from '../../audit/export-parquet.js';
import { entryReasons, listAuditEntries, type AuditEntry } from '../../audit/ledger.js';
import { ledgerTotals } from '../../report/series.js';
import { inPeriod, parsePeriod } from '../../audit/period.js';
import { verifyChain } from '../../audit/verify.js';
import { WarmstartError } from '../../errors.js';
import type { ObjectStore } from '../../storage/object-store.js';
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

export async function auditCommand(store: ObjectStore, model: string, options: { json?: boolean; parquet?: string; since?: string; until?: string } = {}): Promise<string> {
  const period = parsePeriod(options.since, options.until);
  const entries = (await listAuditEntries(store, model)).filter((e) => inPeriod(e.finishedAt, period));
  if (options.parquet) {
    writeFileSync(options.parquet, ledgerToParquet(entries));
    if (!options.json) return `wrote ${entries.length} ledger rows to ${options.parquet}`;
  }
  if (options.json) return JSON.stringify({ model, totals: ledgerTotals(entries), entries }, null, 2);
  if (entries.length === 0) return `no audit entries for model ${model} in ${store.uri}`;
  const reasons = entries.map((e) => {
    const lines = [...entryReasons(e), e.scratchCost.explanation];
    return `  ${e.dataset} v${e.datasetVersion}${e.replayOf ? ` (replay of ${e.replayOf})` : ''}:\n${lines.map((line) => `    - ${line}`).join('\n')}`;
  });
  return `${formatAuditTable(entries)}\n\n${formatTotals(entries)}\n\nreasons:\n${reasons.join('\n')}`;
}

/** `audit verify`: recomputes the model's hash chain; the first broken link is a one-line LEDGER_BROKEN error naming the record. */
export async function verifyCommand(store: ObjectStore, model: string, json = false): Promise<string> {
  const verdict = await verifyChain(store, model);
  if (!verdict.ok) throw new WarmstartError('LEDGER_BROKEN', `ledger of ${model} broken at ${verdict.key}: ${verdict.problem}`, verdict.key);
  if (json) return JSON.stringify(verdict);
  if (verdict.records === 0) return `no ledger records for model ${model} in ${store.uri}`;
  return `ledger of ${model}: ${verdict.records} records, hash chain intact; head sha256 ${verdict.head}`;
}
