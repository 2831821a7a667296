import type { PromotionResult } from '../registry/production.js';
import type { AuditEntry } from './ledger.js';

export type PromotionOverride = AuditEntry['promotion']['override'];

/**
 * A refresh's status and the ledger's promotion record from the conditional write's result. Pure: the
 * refresh workflow (promoteCandidate as its own activity) and the conclusion activity share it.
 */
export function promotionRecord(result: PromotionResult, candidateId: string, override: PromotionOverride): { status: 'promoted' | 'superseded'; promotion: AuditEntry['promotion'] } {
  return {
    status: result.outcome === 'superseded' ? 'superseded' : 'promoted',
    promotion: { outcome: result.outcome, candidateId, detail: result.outcome === 'superseded' ? result.reason : null, override },
  };
}
