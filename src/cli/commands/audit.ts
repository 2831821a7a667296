import { listAuditEntries, type AuditEntry } from '../../audit/ledger.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { pct, table } from '../output.js';

/** One row per refresh; a fallback shows both modes (warm>scratch) and the summed compute. */
export function formatAuditTable(entries: AuditEntry[]): string {
  return table(
    ['dataset', 'ver', 'status', 'decision', 'attempts', 'steps', 'examples', 'GFLOP', 'train s', 'backend', 'accuracy', 'old acc', 'prod acc', 'gate'],
    entries.map((e) => {
      const final = e.attempts.at(-1);
      return [
        e.dataset,
        `v${e.datasetVersion}`,
        e.status,
        e.decision.mode,
        e.attempts.map((a) => a.mode).join('>') || '-',
        String(e.compute.steps),
        String(e.compute.examples),
        (e.compute.flops / 1e9).toFixed(1),
        e.compute.trainSeconds.toFixed(1),
        final?.training.backend ?? '-',
        pct(final?.evaluation.candidate.combined?.accuracy),
        pct(final?.evaluation.candidate.old?.accuracy),
        pct(final?.evaluation.production?.combined?.accuracy),
        final ? (final.gate.passed ? 'pass' : e.promotion.override ? 'override' : 'fail') : e.rejection ? 'bad data' : '-',
      ];
    }),
  );
}

export async function auditCommand(store: ObjectStore, model: string, json: boolean): Promise<string> {
  const entries = await listAuditEntries(store, model);
  if (json) return JSON.stringify(entries, null, 2);
  if (entries.length === 0) return `no audit entries for model ${model} in ${store.uri}`;
  const reasons = entries.map((e) => {
    const final = e.attempts.at(-1);
    const lines = [...e.decision.reasons, ...(e.fallback ? [e.fallback] : []), ...(final?.gate.reasons ?? []), ...(e.rejection ? [e.rejection] : [])];
    return `  ${e.dataset} v${e.datasetVersion}:\n${lines.map((line) => `    - ${line}`).join('\n')}`;
  });
  return `${formatAuditTable(entries)}\n\nreasons:\n${reasons.join('\n')}`;
}
