import { ApplicationFailure } from '@temporalio/common';
import type { ShadowScratchRecord } from '../src/audit/shadow.js';
import { writeShadowScratchRecord } from '../src/audit/shadow-ledger.js';
import { isWarmstartError } from '../src/errors.js';
import type { ActivityDeps } from './deps.js';
import { LEDGER_CONFLICT } from './audit.js';

/** Appends a shadow scratch run's record to the model's ledger (idempotent: a retry finds its own record). */
export function recordShadowScratchActivity(deps: ActivityDeps) {
  return async function recordShadowScratch(record: ShadowScratchRecord): Promise<{ key: string }> {
    try {
      return { key: await writeShadowScratchRecord(deps.store, record) };
    } catch (error) {
      if (isWarmstartError(error, 'LEDGER_CONFLICT')) throw ApplicationFailure.create({ message: error.message, type: LEDGER_CONFLICT, nonRetryable: true, details: [{ code: error.code, subject: error.subject ?? null }] });
      throw error;
    }
  };
}
