import { announceVersionActivity } from './announce.js';
import { recordAuditActivity, recordBlessingActivity } from './audit.js';
import { loadRefreshContextActivity, markVersionRejectedActivity } from './context.js';
import type { ActivityDeps } from './deps.js';
import { evaluateCandidateActivity } from './evaluate.js';
import { operatorPromoteActivity } from './operator.js';
import { promoteCandidateActivity } from './promote.js';
import { recordShadowScratchActivity } from './shadow.js';
import { trainCandidateActivity } from './train.js';
import { signalNewestVersionActivity } from './watch.js';

export type { ActivityDeps } from './deps.js';
export { BAD_DATASET } from './failures.js';
export type { AnnounceVersionInput } from './announce.js';

/**
 * Builds the activities from their dependencies; register the result with a Worker. The keys are the
 * activity type names recorded in every workflow history and ledger entry, so they never change:
 * `loadRefreshContext` is the validation pass (manifest, checksums, every row) that also returns the
 * policy's inputs; `promoteCandidate` is the refresh's conditional write of production.json, and
 * `operatorPromote` an operator's promote or rollback (the client side is promoteByOperator).
 */
export function createActivities(deps: ActivityDeps) {
  return {
    loadRefreshContext: loadRefreshContextActivity(deps),
    markVersionRejected: markVersionRejectedActivity(deps),
    trainCandidate: trainCandidateActivity(deps),
    evaluateCandidate: evaluateCandidateActivity(deps),
    promoteCandidate: promoteCandidateActivity(deps),
    recordAudit: recordAuditActivity(deps),
    recordBlessing: recordBlessingActivity(deps),
    recordShadowScratch: recordShadowScratchActivity(deps),
    operatorPromote: operatorPromoteActivity(deps),
    signalNewestVersion: signalNewestVersionActivity(deps),
    announceVersion: announceVersionActivity(deps),
  };
}

export type RefreshActivities = ReturnType<typeof createActivities>;
