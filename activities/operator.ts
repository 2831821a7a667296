import { activityInfo, log } from '@temporalio/activity';
import { writeOperatorAction } from '../src/audit/ledger.js';
import { readCandidate } from '../src/registry/candidates.js';
import { promote, readProduction, type PromotionResult } from '../src/registry/production.js';
import type { ActivityDeps } from './deps.js';
import { classifyFailures } from './failures.js';

export interface OperatorPromoteInput {
  model: string;
  candidateId: string;
  action: 'promote' | 'rollback';
  by: string;
  reason: string;
}

export interface OperatorPromoteResult {
  outcome: PromotionResult['outcome'];
  detail: string | null;
  previousCandidateId: string | null;
  datasetVersion: number;
  testAccuracy: number | null;
}

/**
 * Points production at a stored candidate on an operator's word (promote, or rollback to an earlier
 * one), by the same conditional write as a refresh, and records who did it and why.
 */
export function operatorPromoteActivity(deps: ActivityDeps) {
  return async function operatorPromote(input: OperatorPromoteInput): Promise<OperatorPromoteResult> {
    return classifyFailures(() => promoteStored(deps, input));
  };
}

async function promoteStored(deps: ActivityDeps, input: OperatorPromoteInput): Promise<OperatorPromoteResult> {
  const candidate = await readCandidate(deps.store, input.model, input.candidateId);
  const current = await readProduction(deps.store, input.model);
  const result = await promote(
    deps.store,
    {
      model: input.model,
      candidateId: input.candidateId,
      candidatePrefix: candidate.prefix,
      dataset: candidate.lineage.dataset,
      datasetVersion: candidate.lineage.datasetVersion,
      modelSpec: candidate.lineage.modelSpec,
      classes: candidate.lineage.classes,
      featureShape: candidate.lineage.featureShape,
      testAccuracy: candidate.testAccuracy ?? 0,
      mode: candidate.lineage.mode,
      // An operator's choice restarts the count only if the candidate itself was a scratch run.
      warmStartsInRow: candidate.lineage.mode === 'scratch' ? 0 : 1,
      promotedAt: new Date().toISOString(),
      promotedBy: `operator:${input.by}`,
      note: `${input.action}: ${input.reason}`,
    },
    current?.etag ?? null,
  );
  const { workflowExecution, activityId } = activityInfo();
  await writeOperatorAction(
    deps.store,
    { model: input.model, action: input.action, candidateId: input.candidateId, by: input.by, reason: input.reason, outcome: result.outcome, at: new Date().toISOString() },
    `${workflowExecution?.workflowId ?? 'operator'}-${activityId}`,
  );
  log.info('operator promotion', { ...input, outcome: result.outcome });
  return {
    outcome: result.outcome,
    detail: result.outcome === 'superseded' ? result.reason : null,
    previousCandidateId: current?.pointer.candidateId ?? null,
    datasetVersion: candidate.lineage.datasetVersion,
    testAccuracy: candidate.testAccuracy,
  };
}
