import { announceVersionActivity } from './announce.js';
import { recordAuditActivity, recordBlessingActivity } from './audit.js';
import { concludeRefreshActivity } from './conclude.js';
import { loadRefreshContextActivity, markVersionRejectedActivity } from './context.js';
import type { ActivityDeps } from './deps.js';
import { evaluateCandidateActivity } from './evaluate.js';
import { keepingAlive } from './keep-alive.js';
import { operatorPromoteActivity } from './operator.js';
import { promoteCandidateActivity } from './promote.js';
import { recordShadowScratchActivity } from './shadow.js';
import { trainCandidateActivity } from './train.js';
import { signalNewestVersionActivity } from './watch.js';

export type { ActivityDeps } from './deps.js';
export { BAD_DATASET } from './failures.js';
export type { AnnounceVersionInput } from './announce.js';
export type { ConcludeRefreshInput, ConcludeRefreshResult } from './conclude.js';

/**
 * Builds the activities from their dependencies; register the result with a Worker. The keys are the
 * activity type names recorded in every workflow history and ledger entry, so they never change:
 * `loadRefreshContext` is the validation pass (manifest, checksums, every row) that also returns the
 * policy's inputs; `promoteCandidate` is the refresh's conditional write of production.json, and
 * `operatorPromote` an operator's promote or rollback (the client side is promoteByOperator);
 * `concludeRefresh` is blessing, promotion and ledger entry in one step (refreshes started before it
 * ran them as `recordBlessing`, `promoteCandidate` and `recordAudit`).
 */
export function createActivities(deps: ActivityDeps) {
  // Control activities heartbeat while they run (keep-alive.ts); training heartbeats its own progress.
  return {
    loadRefreshContext: keepingAlive(loadRefreshContextActivity(deps)),
    markVersionRejected: keepingAlive(markVersionRejectedActivity(deps)),
    trainCandidate: trainCandidateActivity(deps),
    evaluateCandidate: keepingAlive(evaluateCandidateActivity(deps)),
    promoteCandidate: keepingAlive(promoteCandidateActivity(deps)),
    recordAudit: keepingAlive(recordAuditActivity(deps)),
    recordBlessing: keepingAlive(recordBlessingActivity(deps)),
    // Run as a local activity (no heartbeats there; keepingAlive's are no-ops), so it needs no round-trip of its own.
    concludeRefresh: keepingAlive(concludeRefreshActivity(deps)),
    recordShadowScratch: keepingAlive(recordShadowScratchActivity(deps)),
    operatorPromote: keepingAlive(operatorPromoteActivity(deps)),
    signalNewestVersion: signalNewestVersionActivity(deps),
    announceVersion: announceVersionActivity(deps),
  };
}

export type RefreshActivities = ReturnType<typeof createActivities>;
