import { ApplicationFailure } from '@temporalio/common';
import { writeAuditEntry, type AuditEntry } from '../src/audit/ledger.js';
import { updatePolicySummary } from '../src/audit/policy-summary.js';
import { loadPriceTable } from '../src/audit/pricing.js';
import { isWarmstartError } from '../src/errors.js';
import { putJson } from '../src/storage/json.js';
import type { ActivityDeps } from './deps.js';
import { blessingKey } from '../src/storage/keys.js';

export interface BlessingInput {
  candidatePrefix: string;
  blessed: boolean;
  reasons: string[];
  workflowId: string;
}

/** Another entry already at this key is a conflict no retry can fix: the ledger is append-only. */
export const LEDGER_CONFLICT = 'LedgerConflict';

/**
 * Writes a refresh's ledger entry, then folds it into the policy summary. The entry notes which price
 * table was in effect; prices themselves are applied when the ledger is read.
 */
export function ledgerWriter(deps: ActivityDeps, env: Record<string, string | undefined> = process.env) {
  const priceTable = loadPriceTable(env)?.version ?? null;
  return async function writeEntry(entry: AuditEntry): Promise<{ key: string }> {
    try {
      const key = await writeAuditEntry(deps.store, { ...entry, priceTable });
      // After the entry: a retry rewrites nothing and folds the same entry again, to the same summary.
      await updatePolicySummary(deps.store, entry);
      return { key };
    } catch (error) {
      if (isWarmstartError(error, 'LEDGER_CONFLICT')) throw ApplicationFailure.create({ message: error.message, type: LEDGER_CONFLICT, nonRetryable: true, details: [{ code: error.code, subject: error.subject ?? null }] });
      throw error;
    }
  };
}

export function recordAuditActivity(deps: ActivityDeps, env: Record<string, string | undefined> = process.env) {
  const writeEntry = ledgerWriter(deps, env);
  return async function recordAudit(entry: AuditEntry): Promise<{ key: string }> {
    return await writeEntry(entry);
  };
}

/** TFX-style blessing: written for every evaluated candidate, blessed or not, with the gate's reasons. */
export function recordBlessingActivity(deps: ActivityDeps) {
  return async function recordBlessing(input: BlessingInput): Promise<{ key: string }> {
    const key = blessingKey(input.candidatePrefix);
    await putJson(deps.store, key, { blessed: input.blessed, reasons: input.reasons, workflowId: input.workflowId });
    return { key };
  };
}
