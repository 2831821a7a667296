import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { readFileSync } from 'node:fs';
import { WarmstartError } from '../errors.js';
import {
  modelRefreshWorkflowId,
  pauseUpdate,
  promoteUpdate,
  resumeUpdate,
  rollbackUpdate,
  replayWorkflowId,
  versionRefreshWorkflowId,
  legacyVersionRefreshWorkflowId,
  type OperatorRequest,
  type ProductionView,
  type RefreshOutcome,
  type RefreshOverrides,
  type RefreshVersionInput,
} from '../../workflows/definitions.js';
import type { RefreshSettingsInput } from '../refresh/settings.js';
import { noRefreshWorkflow, queryRefreshState } from './client.js';
import { bundleWorkflows } from './worker.js';
import { refreshVersionWorkflow } from '../../workflows/refresh-version.js';

/** Operator actions on the running workflows: replays, pause/resume, promote/rollback, determinism checks. */

async function originalInput(client: Client, workflowId: string): Promise<RefreshVersionInput> {
  let history;
  try {
    history = await client.workflow.getHandle(workflowId).fetchHistory();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError || (error as Error).name === 'WorkflowNotFoundError' || /not found/i.test((error as Error).message)) {
      throw new WarmstartError('MODEL_NOT_FOUND', `no refresh workflow ${workflowId} on the server: nothing to replay; check the model and version (\`warmstart audit --model ...\`)`, workflowId, { cause: error });
    }
    throw error;
  }
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new WarmstartError('MODEL_NOT_FOUND', `workflow ${workflowId} has no recorded input to replay`, workflowId);
  return defaultPayloadConverter.fromPayload<RefreshVersionInput>(payload);
}

export interface ReplayRequest {
  model: string;
  version: number;
  /** Which dataset's version; needed only when the model refreshed this version number of several. */
  dataset?: string;
  taskQueue: string;
  overrides: RefreshOverrides;
  /** Merged over the original refresh's settings. */
  settings?: RefreshSettingsInput;
  /** The refresh to re-run; defaults to the version's regular refresh. */
  original?: string;
}

async function workflowExists(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/**
 * The workflow ID of a version's regular refresh. Refreshes carry the dataset in their ID; those
 * from before that change do not. Without a dataset, the model workflow's recent outcomes tell
 * which dataset's version N it refreshed.
 */
async function regularRefreshId(client: Client, model: string, version: number, dataset?: string): Promise<string> {
  const legacy = legacyVersionRefreshWorkflowId(model, version);
  if (dataset) {
    const id = versionRefreshWorkflowId(model, dataset, version);
    return (await workflowExists(client, id)) ? id : legacy;
  }
  const outcomes = await queryRefreshState(client, model).then(
    (state) => state.outcomes,
    () => [],
  );
  const ran = [...new Set(outcomes.filter((o) => o.version === version && o.status !== 'skipped' && o.status !== 'duplicate').map((o) => o.workflowId))];
  if (ran.length > 1) {
    throw new WarmstartError('CONFIG_INVALID', `model ${model} refreshed v${version} of several datasets (${ran.join(', ')}); add --dataset to say which`, '--dataset');
  }
  return ran[0] ?? legacy;
}

/** Re-runs a version's refresh under a new workflow ID, with overrides; the ledger links it to the original. */
export async function startReplay(client: Client, request: ReplayRequest, now = new Date()): Promise<{ workflowId: string; result: () => Promise<RefreshOutcome> }> {
  const original = request.original ?? (await regularRefreshId(client, request.model, request.version, request.dataset));
  const input = await originalInput(client, original);
  const workflowId = replayWorkflowId(request.model, input.dataset, request.version, now);
  const handle = await client.workflow.start(refreshVersionWorkflow, {
    workflowId,
    taskQueue: request.taskQueue,
    args: [{ ...input, settings: { ...input.settings, ...request.settings }, overrides: request.overrides, replayOf: original } satisfies RefreshVersionInput],
  });
  return { workflowId, result: () => handle.result() };
}

function modelHandle(client: Client, model: string) {
  return client.workflow.getHandle(modelRefreshWorkflowId(model));
}

/** An operator update on the model's workflow: no workflow is MODEL_NOT_FOUND, a refused request REQUEST_REJECTED with the workflow's reason. */
async function operatorUpdate<T>(model: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      throw noRefreshWorkflow(model, error);
    }
    const cause = (error as { cause?: Error }).cause;
    if (cause?.message) throw new WarmstartError('REQUEST_REJECTED', cause.message, model, { cause: error });
    throw error;
  }
}

export const pauseRefreshes = (client: Client, model: string, by: string, reason: string) =>
  operatorUpdate(model, () => modelHandle(client, model).executeUpdate(pauseUpdate, { args: [{ by, reason }] }));
export const resumeRefreshes = (client: Client, model: string, by: string) =>
  operatorUpdate(model, () => modelHandle(client, model).executeUpdate(resumeUpdate, { args: [{ by }] }));
export const promoteByOperator = (client: Client, model: string, request: OperatorRequest): Promise<ProductionView | null> =>
  operatorUpdate(model, () => modelHandle(client, model).executeUpdate(promoteUpdate, { args: [request] }));
export const rollbackByOperator = (client: Client, model: string, request: OperatorRequest): Promise<ProductionView | null> =>
  operatorUpdate(model, () => modelHandle(client, model).executeUpdate(rollbackUpdate, { args: [request] }));

export type DeterminismVerdict = { deterministic: true; events: number } | { deterministic: false; events: number; divergence: string };

/** Replays a history (from the server, or a JSON file) against today's workflow code. */
export async function checkDeterminism(source: { client: Client; workflowId: string } | { file: string }): Promise<DeterminismVerdict> {
  let history;
  if ('file' in source) {
    history = historyFromJSON(JSON.parse(readFileSync(source.file, 'utf8')));
  } else {
    try {
      history = await source.client.workflow.getHandle(source.workflowId).fetchHistory();
    } catch (error) {
      throw new WarmstartError('MODEL_NOT_FOUND', `no workflow ${source.workflowId} on the server: nothing to replay`, source.workflowId, { cause: error });
    }
  }
  const events = history.events?.length ?? 0;
  const workflowBundle = await bundleWorkflows();
  try {
    await Worker.runReplayHistory({ workflowBundle }, history);
    return { deterministic: true, events };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The first divergence, as the SDK's core reports it (e.g. "Timer machine does not handle this event: ...").
    const divergence = /Nondeterminism error: ([^"]+)/.exec(message)?.[1] ?? message.split('\n')[0]!;
    return { deterministic: false, events, divergence };
  }
}
