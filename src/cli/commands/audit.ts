import { listAuditEntries, type AuditEntry } from '../../audit/ledger.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { pct, table } from '../output.js';

export function formatAuditTable(entries: AuditEntry[]): string {
  return table(
    ['dataset', 'ver', 'status', 'decision', 'steps', 'examples', 'GFLOP', 'train s', 'backend', 'accuracy', 'prod acc', 'gate'],
    entries.map((e) => [
      e.dataset,
      `v${e.datasetVersion}`,
      e.status,
      e.decision.mode,
      String(e.training?.steps ?? '-'),
      String(e.training?.examples ?? '-'),
      e.training ? (e.training.flops / 1e9).toFixed(1) : '-',
      e.training ? e.training.wallSeconds.toFixed(1) : '-',
      e.training?.backend ?? '-',
      pct(e.evaluation?.accuracy),
      pct(e.evaluation?.productionAccuracy),
      e.gate ? (e.gate.passed ? 'pass' : 'fail') : e.rejection ? 'bad data' : '-',
    ]),
  );
}

export async function auditCommand(store: ObjectStore, model: string, json: boolean): Promise<string> {
  const entries = await listAuditEntries(store, model);
  if (json) return JSON.stringify(entries, null, 2);
  if (entries.length === 0) return `no audit entries for model ${model} in ${store.uri}`;
  const reasons = entries.map((e) => `  ${e.dataset} v${e.datasetVersion}: ${[...e.decision.reasons, ...(e.gate?.reasons ?? []), ...(e.rejection ? [e.rejection] : [])].join('; ')}`);
  return `${formatAuditTable(entries)}\n\nreasons:\n${reasons.join('\n')}`;
}
