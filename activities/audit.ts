import { writeAuditEntry, type AuditEntry } from '../src/audit/ledger.js';
import type { ActivityDeps } from './deps.js';

export function recordAuditActivity(deps: ActivityDeps) {
  return async function recordAudit(entry: AuditEntry): Promise<{ key: string }> {
    return { key: await writeAuditEntry(deps.store, entry) };
  };
}
