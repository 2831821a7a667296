import { log } from '@temporalio/activity';
import { promote, type ProductionPointer, type PromotionResult } from '../src/registry/production.js';
import type { ActivityDeps } from './deps.js';

export interface PromoteInput {
  pointer: Omit<ProductionPointer, 'promotedAt'>;
  /** The ETag read when the decision was made; null when there was no production model. */
  expectedEtag: string | null;
}

export function promoteCandidateActivity(deps: ActivityDeps) {
  return async function promoteCandidate(input: PromoteInput): Promise<PromotionResult> {
    const result = await promote(deps.store, { ...input.pointer, promotedAt: new Date().toISOString() }, input.expectedEtag);
    log.info('promotion', { model: input.pointer.model, candidateId: input.pointer.candidateId, outcome: result.outcome });
    return result;
  };
}
