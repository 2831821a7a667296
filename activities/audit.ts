import { writeAuditEntry, type AuditEntry } from '../src/audit/ledger.js';
import { putJson } from '../src/storage/json.js';
import type { ActivityDeps } from './deps.js';

export interface BlessingInput {
  candidatePrefix: string;
  blessed: boolean;
  reasons: string[];
  workflowId: string;
}

export function recordAuditActivity(deps: ActivityDeps) {
  return async function recordAudit(entry: AuditEntry): Promise<{ key: string }> {
    return { key: await writeAuditEntry(deps.store, entry) };
  };
}

/** TFX-style blessing: written for every evaluated candidate, blessed or not, with the gate's reasons. */
export function recordBlessingActivity(deps: ActivityDeps) {
  return async function recordBlessing(input: BlessingInput): Promise<{ key: string }> {
    const key = `${input.candidatePrefix}/blessing.json`;
    await putJson(deps.store, key, { blessed: input.blessed, reasons: input.reasons, workflowId: input.workflowId });
    return { key };
  };
}
