/** Shadow scratch records in the store: appended to the model's hash chain, listed for the join. */
import { getJson } from '../storage/json.js';
import type { ObjectStore } from '../storage/object-store.js';
import { shadowScratchKey, shadowScratchPrefix } from '../storage/keys.js';
import { appendToChain } from './chain.js';
import type { ShadowScratchRecord } from './shadow.js';

/**
 * Appends the record at the key of the refresh it measures, create-only. Idempotent: the workflow
 * built the record, so a retried write carries the same content and finds its earlier success; a
 * different record for the same refresh is refused (LEDGER_CONFLICT), as for refresh entries.
 */
export async function writeShadowScratchRecord(store: ObjectStore, record: ShadowScratchRecord): Promise<string> {
  const key = shadowScratchKey(record.model, record.refreshWorkflowId);
  await appendToChain(store, record.model, key, record);
  return key;
}

export async function listShadowScratchRecords(store: ObjectStore, model: string): Promise<ShadowScratchRecord[]> {
  const records: ShadowScratchRecord[] = [];
  for (const key of (await store.list(shadowScratchPrefix(model))).filter((k) => k.endsWith('.json'))) {
    const found = await getJson<ShadowScratchRecord>(store, key);
    if (found) records.push(found.value);
  }
  return records.sort((a, b) => a.dataset.localeCompare(b.dataset) || a.datasetVersion - b.datasetVersion);
}
