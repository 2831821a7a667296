import {
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  MAX_OUTCOMES_KEPT,
  refreshStateQuery,
  versionLandedSignal,
  versionRefreshWorkflowId,
  type ModelRefreshInput,
  type ModelRefreshState,
  type RefreshOutcome,
  type VersionLanded,
} from './definitions.js';
import { refreshVersionWorkflow } from './refresh-version.js';

/** Refreshes handled before continuing as new, so the history stays small. */
const REFRESHES_PER_RUN = 20;

function outcomeWithoutRun(landed: VersionLanded, workflowId: string, status: RefreshOutcome['status'], reason: string): RefreshOutcome {
  return { ...landed, workflowId, status, mode: 'none', candidateId: null, accuracy: null, reasons: [reason], auditKey: null };
}

/**
 * The long-running workflow of one model (ID model-refresh/<model>). Dataset versions arrive as
 * signals (signal-with-start); it refreshes one version at a time in a child workflow whose ID is
 * the version's idempotency key. When several versions wait, the newest wins and the others are
 * recorded as skipped.
 */
export async function modelRefreshWorkflow(input: ModelRefreshInput): Promise<void> {
  const state: ModelRefreshState = input.state ?? { model: input.model, pending: [], current: null, outcomes: [], lastVersion: {} };
  const record = (outcome: RefreshOutcome) => {
    state.outcomes.push(outcome);
    if (state.outcomes.length > MAX_OUTCOMES_KEPT) state.outcomes.splice(0, state.outcomes.length - MAX_OUTCOMES_KEPT);
  };

  setHandler(versionLandedSignal, (landed) => {
    const handled = state.lastVersion[landed.dataset] ?? 0;
    const queued = state.pending.some((p) => p.dataset === landed.dataset && p.version === landed.version);
    const running = state.current?.dataset === landed.dataset && state.current.version === landed.version;
    if (landed.version <= handled || queued || running) {
      log.info('ignoring version already handled or queued', { ...landed });
      return;
    }
    state.pending.push({ dataset: landed.dataset, version: landed.version });
  });
  setHandler(refreshStateQuery, () => state);

  let handledThisRun = 0;
  const shouldContinueAsNew = () => handledThisRun >= REFRESHES_PER_RUN || workflowInfo().continueAsNewSuggested;
  for (;;) {
    await condition(() => state.pending.length > 0 || shouldContinueAsNew());
    if (shouldContinueAsNew()) {
      // Pending versions travel in the state; wait for signal handlers so none is lost.
      await condition(allHandlersFinished);
      await continueAsNew<typeof modelRefreshWorkflow>({ model: input.model, settings: input.settings, state });
    }

    // Newest wins: refresh the highest queued version; older queued ones are skipped.
    state.pending.sort((a, b) => a.dataset.localeCompare(b.dataset) || a.version - b.version);
    const next = state.pending.pop()!;
    for (const stale of state.pending.filter((p) => p.dataset === next.dataset)) {
      record(outcomeWithoutRun(stale, versionRefreshWorkflowId(input.model, stale.version), 'skipped', `superseded in the queue by v${next.version}`));
    }
    state.pending = state.pending.filter((p) => p.dataset !== next.dataset);
    state.current = next;
    state.lastVersion[next.dataset] = next.version;

    const workflowId = versionRefreshWorkflowId(input.model, next.version);
    try {
      record(
        await executeChild(refreshVersionWorkflow, {
          workflowId,
          args: [{ model: input.model, dataset: next.dataset, version: next.version, settings: input.settings }],
          // A version is refreshed once; an operator replays it under a new ID.
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          parentClosePolicy: ParentClosePolicy.ABANDON,
        }),
      );
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        record(outcomeWithoutRun(next, workflowId, 'duplicate', 'this version was already refreshed (workflow ID exists)'));
      } else {
        log.error('refresh failed', { workflowId, error: String(error) });
        record(outcomeWithoutRun(next, workflowId, 'failed', error instanceof Error ? error.message : String(error)));
      }
    }
    state.current = null;
    handledThisRun++;
  }
}
