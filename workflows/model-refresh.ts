import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  executeChild,
  log,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { nameProblem } from '../src/names.js';
import { resolveRefreshSettings } from '../src/refresh/settings.js';
import { refreshActivities } from './activities.js';
import {
  MAX_OUTCOMES_KEPT,
  pauseUpdate,
  productionQuery,
  promoteUpdate,
  queueQuery,
  refreshStateQuery,
  resumeUpdate,
  rollbackUpdate,
  versionLandedSignal,
  versionRefreshWorkflowId,
  legacyVersionRefreshWorkflowId,
  DATASET_IN_REFRESH_ID_PATCH,
  SHADOW_SCRATCH_PATCH,
  shadowScratchDue,
  shadowScratchWorkflowId,
  type ModelRefreshInput,
  type ModelRefreshState,
  type OperatorRequest,
  type RefreshOutcome,
  type VersionLanded,
} from './definitions.js';
import { refreshChildOptions } from './refresh-child.js';
import { refreshVersionWorkflow } from './refresh-version.js';
import { DATASET, MODEL, VERSION } from './search-attributes.js';
import { SHADOW_PRIORITY, shadowScratchWorkflow } from './shadow-scratch.js';

/** Refreshes handled before continuing as new, so the history stays small (overridable for tests). */
const DEFAULT_REFRESHES_PER_RUN = 20;
const MAX_PROMOTED_KEPT = 50;

function outcomeWithoutRun(landed: VersionLanded, workflowId: string, status: RefreshOutcome['status'], reason: string): RefreshOutcome {
  return { ...landed, workflowId, status, mode: 'none', candidateId: null, accuracy: null, reasons: [reason], auditKey: null };
}

/**
 * A refused operator request. Handlers and validators only ever throw ApplicationFailures: any
 * other error thrown by an update handler fails the workflow task on every retry and wedges the model.
 */
function refuse(message: string, type = 'InvalidOperatorRequest'): ApplicationFailure {
  return ApplicationFailure.create({ message, type, nonRetryable: true });
}

function requireOperator(request: OperatorRequest): void {
  if (typeof request?.candidateId !== 'string' || !request.candidateId.trim()) throw refuse('candidateId is required');
  const badCandidate = nameProblem('candidate', request.candidateId);
  if (badCandidate) throw refuse(badCandidate);
  if (typeof request.by !== 'string' || !request.by.trim()) throw refuse('by (who asks) is required');
  if (typeof request.reason !== 'string' || !request.reason.trim()) throw refuse('reason is required: it goes into the audit record');
}

function initialState(model: string): ModelRefreshState {
  return { model, pending: [], current: null, paused: null, production: null, promotedCandidates: [], outcomes: [], lastVersion: {} };
}

/** Keeps the outcome (bounded) and, for a promotion, the production view and the rollback targets. */
function recordOutcome(state: ModelRefreshState, outcome: RefreshOutcome): void {
  state.outcomes.push(outcome);
  if (state.outcomes.length > MAX_OUTCOMES_KEPT) state.outcomes.splice(0, state.outcomes.length - MAX_OUTCOMES_KEPT);
  if (outcome.status === 'promoted' && outcome.candidateId) {
    state.production = { candidateId: outcome.candidateId, datasetVersion: outcome.version, testAccuracy: outcome.accuracy ?? 0, promotedBy: outcome.workflowId };
    state.promotedCandidates = [...state.promotedCandidates.filter((c) => c !== outcome.candidateId), outcome.candidateId].slice(-MAX_PROMOTED_KEPT);
  }
}

/** The versionLanded signal queues a version once; the queries read the state. */
function handleArrivalsAndQueries(state: ModelRefreshState): void {
  setHandler(versionLandedSignal, (landed) => {
    // A signal cannot be refused, and a throw here would fail the workflow task: a bad one is logged and dropped.
    const badSignal = nameProblem('dataset', landed?.dataset) ?? (Number.isSafeInteger(landed?.version) && landed.version > 0 ? undefined : `version ${String(landed?.version)} is not a positive integer`);
    if (badSignal && patched('validate-names')) {
      log.warn('ignoring a versionLanded signal with bad input', { problem: badSignal });
      return;
    }
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
  setHandler(queueQuery, () => state.pending);
  setHandler(productionQuery, () => state.production);
}

type Storage = ReturnType<typeof refreshActivities>['storage'];

/** Pause, resume, promote and rollback: validated updates; a refused request never fails the workflow task. */
function handleOperatorUpdates(state: ModelRefreshState, model: string, storage: Storage): void {
  setHandler(
    pauseUpdate,
    ({ by, reason }) => {
      state.paused = { by, reason };
      return state;
    },
    {
      validator: ({ by, reason }) => {
        if (typeof by !== 'string' || typeof reason !== 'string' || !by.trim() || !reason.trim()) throw refuse('pause needs by and reason: they are shown in status');
      },
    },
  );
  setHandler(
    resumeUpdate,
    (_request) => {
      state.paused = null;
      return state;
    },
    {
      validator: (_request) => {
        if (!state.paused) throw refuse('not paused');
      },
    },
  );
  const operatorPromote = async (request: OperatorRequest, action: 'promote' | 'rollback') => {
    let result;
    try {
      result = await storage.operatorPromote({ model, ...request, action });
    } catch (error) {
      // Surface the activity's reason (e.g. an unknown candidate) to the operator's client.
      const cause = error instanceof ActivityFailure && error.cause ? error.cause.message : String(error);
      throw ApplicationFailure.create({ message: `${action} failed: ${cause}`, nonRetryable: true });
    }
    // A lost race rejects this update only; the winner's pointer stands and the workflow keeps serving.
    if (result.outcome === 'superseded') throw refuse(`${action} lost a race: ${result.detail}`, 'PromotionSuperseded');
    state.production = { candidateId: request.candidateId, datasetVersion: result.datasetVersion, testAccuracy: result.testAccuracy ?? 0, promotedBy: `operator:${request.by}` };
    return state.production;
  };
  // Operator moves run one at a time, in arrival order, so the view names the write that landed last
  // (overlapping ones each set it when their own activity returned). Behind patched(): histories
  // recorded before it ran them side by side.
  let operatorTail: Promise<unknown> = Promise.resolve();
  const oneAtATime = (request: OperatorRequest, action: 'promote' | 'rollback') => {
    if (!patched('serialize-operator-moves')) return operatorPromote(request, action);
    const run = operatorTail.then(() => operatorPromote(request, action));
    operatorTail = run.catch(() => undefined);
    return run;
  };
  setHandler(promoteUpdate, (request) => oneAtATime(request, 'promote'), { validator: requireOperator });
  setHandler(rollbackUpdate, (request) => oneAtATime(request, 'rollback'), {
    validator: (request) => {
      requireOperator(request);
      if (!state.promotedCandidates.includes(request.candidateId)) {
        throw refuse(`${request.candidateId} was never promoted for ${model}; rollback targets: ${state.promotedCandidates.join(', ') || 'none'}`);
      }
      if (request.candidateId === state.production?.candidateId) throw refuse(`${request.candidateId} is already in production`);
    },
  });
}

/**
 * A warm start on every K-th version (settings.shadowScratch) gets a scratch run in the background: a
 * child started at the lowest priority and abandoned, so neither this refresh (already returned) nor
 * the model workflow waits for it. Its ID derives from the refresh's: a start that is retried, or
 * replayed after a lost workflow task, finds it already started and starts nothing. Behind patched():
 * a new command, and only when the setting asks for it, so histories without the setting gain no marker.
 */
async function startShadowScratch(input: ModelRefreshInput, outcome: RefreshOutcome): Promise<void> {
  const { candidateId } = outcome;
  if (outcome.mode !== 'warm' || !candidateId || !shadowScratchDue(input.settings?.shadowScratch, outcome.version)) return;
  if (!patched(SHADOW_SCRATCH_PATCH)) return;
  const workflowId = shadowScratchWorkflowId(outcome.workflowId);
  try {
    // Not cancellable: cancelling the model workflow must not reach the abandoned measurement.
    await CancellationScope.nonCancellable(() => startChild(shadowScratchWorkflow, {
      workflowId,
      args: [{ model: input.model, dataset: outcome.dataset, version: outcome.version, settings: input.settings, refresh: { workflowId: outcome.workflowId, candidateId, auditKey: outcome.auditKey } }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      priority: SHADOW_PRIORITY,
      typedSearchAttributes: [
        { key: MODEL, value: input.model },
        { key: DATASET, value: outcome.dataset },
        { key: VERSION, value: outcome.version },
      ],
    }));
  } catch (error) {
    // A shadow is a measurement: failing to start one never fails the model workflow.
    if (error instanceof WorkflowExecutionAlreadyStartedError) log.info('shadow scratch run already started', { workflowId });
    else log.warn('shadow scratch run not started', { workflowId, error: String(error) });
  }
}

/** Refreshes the newest queued version of one dataset in a child workflow; older queued ones of it are skipped. */
async function refreshNewest(state: ModelRefreshState, input: ModelRefreshInput): Promise<void> {
  state.pending.sort((a, b) => a.dataset.localeCompare(b.dataset) || a.version - b.version);
  const next = state.pending.pop()!;
  // Histories recorded before the patch keep the ID without the dataset.
  const refreshIdOf = (landed: VersionLanded) =>
    patched(DATASET_IN_REFRESH_ID_PATCH) ? versionRefreshWorkflowId(input.model, landed.dataset, landed.version) : legacyVersionRefreshWorkflowId(input.model, landed.version);
  for (const stale of state.pending.filter((p) => p.dataset === next.dataset)) {
    recordOutcome(state, outcomeWithoutRun(stale, refreshIdOf(stale), 'skipped', `superseded in the queue by v${next.version}`));
  }
  state.pending = state.pending.filter((p) => p.dataset !== next.dataset);
  state.current = next;
  state.lastVersion[next.dataset] = next.version;

  const workflowId = refreshIdOf(next);
  let finished: RefreshOutcome | null = null;
  try {
    finished = await executeChild(refreshVersionWorkflow, refreshChildOptions(workflowId, { model: input.model, dataset: next.dataset, version: next.version, settings: input.settings }));
    recordOutcome(state, finished);
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      recordOutcome(state, outcomeWithoutRun(next, workflowId, 'duplicate', 'this version was already refreshed (workflow ID exists)'));
    } else {
      log.error('refresh failed', { workflowId, error: String(error) });
      recordOutcome(state, outcomeWithoutRun(next, workflowId, 'failed', error instanceof Error ? error.message : String(error)));
    }
  }
  if (finished) await startShadowScratch(input, finished);
  state.current = null;
}

/**
 * The long-running workflow of one model (ID model-refresh/<model>). Dataset versions arrive as
 * signals (signal-with-start); it refreshes one version at a time in a child workflow whose ID is
 * the version's idempotency key. When several versions wait, the newest wins and the others are
 * recorded as skipped. Operators pause, resume, promote and roll back through validated updates.
 */
export async function modelRefreshWorkflow(input: ModelRefreshInput): Promise<void> {
  // The model name goes into workflow IDs and object keys: a bad one fails this run at once, never
  // retried. Behind patched() only when it is bad, so histories of valid runs gain no marker.
  const badModel = nameProblem('model', input?.model);
  if (badModel && patched('validate-names')) throw refuse(`${badModel}; start the workflow with a valid model name`, 'InvalidWorkflowInput');
  const state = input.state ?? initialState(input.model);
  const { storage } = refreshActivities(resolveRefreshSettings(input.settings));
  handleArrivalsAndQueries(state);
  handleOperatorUpdates(state, input.model, storage);

  let handledThisRun = 0;
  const refreshesPerRun = input.refreshesPerRun ?? DEFAULT_REFRESHES_PER_RUN;
  const shouldContinueAsNew = () => handledThisRun >= refreshesPerRun || workflowInfo().continueAsNewSuggested;
  for (;;) {
    await condition(() => (state.pending.length > 0 && !state.paused) || shouldContinueAsNew());
    if (shouldContinueAsNew()) {
      // Pending versions travel in the state; wait for handlers so no signal or update is lost.
      await condition(allHandlersFinished);
      await continueAsNew<typeof modelRefreshWorkflow>({ ...input, state });
    }
    await refreshNewest(state, input);
    handledThisRun++;
  }
}
