import { ApplicationFailure, log } from '@temporalio/activity';
import { concludedEntryOf, type AuditEntry } from '../src/audit/ledger.js';
import { promotionRecord, type PromotionOverride } from '../src/audit/promotion-record.js';
import { promote } from '../src/registry/production.js';
import { putJson } from '../src/storage/json.js';
import { blessingKey } from '../src/storage/keys.js';
import { LEDGER_CONFLICT, ledgerWriter, type BlessingInput } from './audit.js';
import type { ActivityDeps } from './deps.js';
import type { PromoteInput } from './promote.js';

export interface ConcludeRefreshInput {
  /** The final candidate's blessing, blessed or not, with the gate's reasons. */
  blessing: BlessingInput;
  /** The conditional write of production.json; null when promotion is not attempted (the entry's status and promotion stand). */
  promotion: { request: PromoteInput; override: PromotionOverride } | null;
  /** The refresh's ledger entry, built by the workflow; when promotion is attempted its status and promotion come from the write. */
  entry: AuditEntry;
}

/** What may differ between this refresh's attempts at its entry: the outcome, and the workflow time it was built at. */
const OWN_UNLESS: (keyof AuditEntry)[] = ['status', 'promotion', 'finishedAt'];

export interface ConcludeRefreshResult {
  key: string;
  status: AuditEntry['status'];
  promotion: AuditEntry['promotion'];
}

/**
 * The end of a refresh in one activity, so one step instead of three: the blessing, the promotion and
 * the ledger entry. Each step is idempotent and a retry recognizes what an earlier attempt finished:
 * the blessing is rewritten with the same content; an entry already in the ledger that is this draft
 * (same content but for the outcome and the finishing time) means the promotion happened, so that entry
 * stands and nothing is promoted again; a promotion this refresh already made reads back as `already-promoted` (production.ts);
 * the ledger write and the policy summary finish whatever an earlier attempt left undone.
 */
export function concludeRefreshActivity(deps: ActivityDeps, env: Record<string, string | undefined> = process.env) {
  const writeEntry = ledgerWriter(deps, env);
  return async function concludeRefresh(input: ConcludeRefreshInput): Promise<ConcludeRefreshResult> {
    await putJson(deps.store, blessingKey(input.blessing.candidatePrefix), { blessed: input.blessing.blessed, reasons: input.blessing.reasons, workflowId: input.blessing.workflowId });
    let entry = input.entry;
    // As a local activity it is re-run by a retried workflow task, which builds the draft again at a
    // later workflow time (OWN_UNLESS).
    const earlier = await concludedEntryOf(deps.store, entry, OWN_UNLESS);
    if (earlier) {
      entry = earlier;
    } else if (input.promotion) {
      const { request, override } = input.promotion;
      const result = await promote(deps.store, { ...request.pointer, promotedAt: new Date().toISOString() }, request.expectedEtag);
      log.info('promotion', { model: request.pointer.model, candidateId: request.pointer.candidateId, outcome: result.outcome });
      entry = { ...entry, ...promotionRecord(result, request.pointer.candidateId, override) };
    }
    try {
      const { key } = await writeEntry(entry);
      return { key, status: entry.status, promotion: entry.promotion };
    } catch (error) {
      // An attempt of a timed-out workflow task may still run beside its retry: the first entry wins, and
      // is this refresh's; the loser takes it rather than failing the refresh on a ledger conflict.
      const raced = error instanceof ApplicationFailure && error.type === LEDGER_CONFLICT ? await concludedEntryOf(deps.store, input.entry, OWN_UNLESS) : undefined;
      if (!raced) throw error;
      const { key } = await writeEntry(raced);
      return { key, status: raced.status, promotion: raced.promotion };
    }
  };
}
