import { getJson, putJson } from '../storage/json.js';
import type { ObjectStore } from '../storage/object-store.js';

/** One ledger entry per refresh: what was decided and why, what it cost, what it produced. */
export interface AuditEntry {
  model: string;
  dataset: string;
  datasetVersion: number;
  workflowId: string;
  status: 'promoted' | 'rejected' | 'superseded';
  decision: { mode: 'scratch' | 'warm' | 'none'; reasons: string[] };
  training: null | {
    candidateId: string;
    backend: string;
    device: string;
    steps: number;
    examples: number;
    flops: number;
    wallSeconds: number;
    finalLoss: number;
    initializedFrom: string | null;
  };
  evaluation: null | {
    testCount: number;
    accuracy: number;
    oldAccuracy: number | null;
    newAccuracy: number | null;
    productionAccuracy: number | null;
    wallSeconds: number;
  };
  gate: null | { passed: boolean; reasons: string[] };
  promotion: { outcome: string; detail: string | null };
  /** Why the version was rejected before training (bad manifest or shard), when it was. */
  rejection: string | null;
  startedAt: string;
  finishedAt: string;
}

export function auditKey(model: string, dataset: string, version: number): string {
  return `audit/${model}/${dataset}/v${version}.json`;
}

/** Idempotent: a retried write replaces the entry at the same key. */
export async function writeAuditEntry(store: ObjectStore, entry: AuditEntry): Promise<string> {
  const key = auditKey(entry.model, entry.dataset, entry.datasetVersion);
  await putJson(store, key, entry);
  return key;
}

export async function listAuditEntries(store: ObjectStore, model: string): Promise<AuditEntry[]> {
  const keys = (await store.list(`audit/${model}/`)).filter((key) => key.endsWith('.json'));
  const entries: AuditEntry[] = [];
  for (const key of keys) {
    const found = await getJson<AuditEntry>(store, key);
    if (found) entries.push(found.value);
  }
  return entries.sort((a, b) => a.dataset.localeCompare(b.dataset) || a.datasetVersion - b.datasetVersion);
}
