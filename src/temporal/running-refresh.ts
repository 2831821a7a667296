import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TrainingProgress } from '../refresh/progress.js';
import { DEFAULT_REFRESH_SETTINGS } from '../refresh/settings.js';
import { legacyVersionRefreshWorkflowId, versionRefreshWorkflowId, type RefreshVersionInput, type VersionLanded } from '../../workflows/definitions.js';

/**
 * What the server knows of a refresh while it runs: the workflow's phase (search attribute) and
 * current details, and its pending activity with the heartbeat's progress record. Read from the
 * server alone, never the store, so it answers as fast as Temporal does.
 */
export interface RunningRefresh {
  workflowId: string;
  dataset: string;
  version: number;
  phase: string | null;
  details: string | null;
  activity: {
    type: string;
    /** started: a worker has it; waiting: scheduled (first try, or a retry after a lost worker). */
    state: 'started' | 'waiting';
    attempt: number;
    secondsSinceHeartbeat: number | null;
    heartbeatTimeoutSeconds: number | null;
    /** No heartbeat for longer than half the heartbeat timeout: the worker may be stalled or gone. */
    late: boolean;
    lastFailure: string | null;
  } | null;
  progress: TrainingProgress | null;
}

interface Timestamp {
  seconds?: { toNumber(): number } | number | string | null;
  nanos?: number | null;
}

function toMillis(ts: Timestamp | null | undefined): number | null {
  if (!ts?.seconds) return null;
  const seconds = typeof ts.seconds === 'object' ? ts.seconds.toNumber() : Number(ts.seconds);
  return seconds * 1000 + Math.round((ts.nanos ?? 0) / 1e6);
}

async function describeEither(client: Client, model: string, landed: VersionLanded) {
  for (const workflowId of [versionRefreshWorkflowId(model, landed.dataset, landed.version), legacyVersionRefreshWorkflowId(model, landed.version)]) {
    try {
      const handle = client.workflow.getHandle(workflowId);
      return { handle, description: await handle.describe() };
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  }
  return null;
}

/** The training heartbeat timeout the refresh runs with: from its input's settings (the first history event). */
async function heartbeatTimeoutOf(client: Client, workflowId: string, runId: string): Promise<number> {
  const page = await client.workflowService.getWorkflowExecutionHistory({ namespace: client.options.namespace, execution: { workflowId, runId }, maximumPageSize: 1 });
  const payload = page.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  const input = payload ? defaultPayloadConverter.fromPayload<RefreshVersionInput>(payload) : undefined;
  return input?.settings?.trainingHeartbeatSeconds ?? DEFAULT_REFRESH_SETTINGS.trainingHeartbeatSeconds;
}

async function currentDetails(handle: { query<T>(name: string): Promise<T> }): Promise<string | null> {
  // The SDK's built-in metadata query; it needs a worker, so a refresh whose workers are all gone has none.
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata').catch(() => null);
  return metadata?.currentDetails || null;
}

/** The running refresh of `landed` (the model workflow's `current`), or null when it has no workflow yet. */
export async function describeRunningRefresh(client: Client, model: string, landed: VersionLanded, now = Date.now()): Promise<RunningRefresh | null> {
  const found = await describeEither(client, model, landed);
  if (!found) return null;
  const { handle, description } = found;
  const phase = (description.searchAttributes.WarmstartPhase?.[0] as string | undefined) ?? null;
  const pending = description.raw.pendingActivities?.[0];
  let activity: RunningRefresh['activity'] = null;
  let progress: TrainingProgress | null = null;
  if (pending) {
    const type = pending.activityType?.name ?? 'unknown';
    const heartbeatAt = toMillis(pending.lastHeartbeatTime as Timestamp);
    const timeout = type === 'trainCandidate' ? await heartbeatTimeoutOf(client, handle.workflowId, description.runId) : null;
    const since = heartbeatAt === null ? null : Math.max(0, (now - heartbeatAt) / 1000);
    // Enum PENDING_ACTIVITY_STATE_STARTED is 2.
    const started = Number(pending.state) === 2;
    activity = {
      type,
      state: started ? 'started' : 'waiting',
      attempt: pending.attempt ?? 1,
      secondsSinceHeartbeat: since,
      heartbeatTimeoutSeconds: timeout,
      late: started && timeout !== null && since !== null && since > timeout / 2,
      lastFailure: pending.lastFailure?.message ?? null,
    };
    const details = pending.heartbeatDetails?.payloads?.[0];
    if (details) progress = defaultPayloadConverter.fromPayload<{ progress?: TrainingProgress }>(details).progress ?? null;
  }
  return { workflowId: handle.workflowId, dataset: landed.dataset, version: landed.version, phase, details: await currentDetails(handle), activity, progress };
}
