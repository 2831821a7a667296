import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { connectOptions, temporalConnection } from './connection.js';
import type { WarmstartConfig } from '../config.js';
import { WarmstartError, isWarmstartError } from '../errors.js';
import type { RefreshSettingsInput } from '../refresh/settings.js';
import { modelRefreshWorkflow } from '../../workflows/model-refresh.js';
import {
  modelRefreshWorkflowId,
  refreshStateQuery,
  versionLandedSignal,
  type ModelRefreshState,
  type RefreshOutcome,
} from '../../workflows/definitions.js';

/** The one-line error for a Temporal server that does not answer, naming the fix. */
export function temporalUnreachable(address: string, error: unknown): WarmstartError {
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  return new WarmstartError('TEMPORAL_UNREACHABLE', `cannot reach Temporal at ${address} (${reason}); start it (infra/services.sh start) or fix TEMPORAL_ADDRESS`, 'TEMPORAL_ADDRESS', { cause: error });
}

/** Connects to Temporal; an unreachable server is a one-line error that says how to fix it. */
export async function connectClient(config: WarmstartConfig, env: Record<string, string | undefined> = process.env): Promise<Client> {
  const settings = temporalConnection(config, env);
  try {
    const connection = await Connection.connect({ ...connectOptions(settings), connectTimeout: '5s' });
    return new Client({ connection, namespace: settings.namespace });
  } catch (error) {
    throw temporalUnreachable(settings.address, error);
  }
}

export interface SignalVersionRequest {
  model: string;
  dataset: string;
  version: number;
  taskQueue: string;
  /** Used only when this signal starts the model's workflow. */
  settings?: RefreshSettingsInput;
  refreshesPerRun?: number;
}

/** Tells the model's refresh workflow that a version landed, starting the workflow if it is not running. */
export async function signalVersionLanded(client: Client, request: SignalVersionRequest): Promise<{ workflowId: string }> {
  const workflowId = modelRefreshWorkflowId(request.model);
  await client.workflow.signalWithStart(modelRefreshWorkflow, {
    workflowId,
    taskQueue: request.taskQueue,
    args: [{ model: request.model, settings: request.settings, refreshesPerRun: request.refreshesPerRun }],
    signal: versionLandedSignal,
    signalArgs: [{ dataset: request.dataset, version: request.version }],
  });
  return { workflowId };
}

/** The model has no refresh workflow on the server: said once, for every command that needs one. */
export function noRefreshWorkflow(model: string, error: unknown): WarmstartError {
  return new WarmstartError('MODEL_NOT_FOUND', `no refresh workflow for model ${model}; publish a version and run \`warmstart refresh\` first`, model, { cause: error });
}

export async function queryRefreshState(client: Client, model: string): Promise<ModelRefreshState> {
  try {
    return await client.workflow.getHandle(modelRefreshWorkflowId(model)).query(refreshStateQuery);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      throw noRefreshWorkflow(model, error);
    }
    throw error;
  }
}

/** Waits until the model workflow has an outcome for this version (promoted, rejected, skipped, ...). */
export async function waitForOutcome(
  client: Client,
  model: string,
  dataset: string,
  version: number,
  options: { timeoutMs?: number; onPoll?: (state: ModelRefreshState) => void } = {},
): Promise<RefreshOutcome> {
  const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
  // The workflow may not exist yet when a schedule or another process is about to start it.
  const startDeadline = Date.now() + 30_000;
  for (;;) {
    let state: ModelRefreshState;
    try {
      state = await queryRefreshState(client, model);
    } catch (error) {
      if (!isWarmstartError(error, 'MODEL_NOT_FOUND') || Date.now() > startDeadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    options.onPoll?.(state);
    const outcome = [...state.outcomes].reverse().find((o) => o.dataset === dataset && o.version === version);
    if (outcome) return outcome;
    if (Date.now() > deadline) throw new Error(`timed out waiting for the refresh of ${model} on ${dataset} v${version}; is a worker running on the task queue?`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
