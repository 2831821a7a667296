/**
 * Typed helpers for a user's own pipeline workflow (an ingest workflow that lands a dataset version
 * and hands it to warmstart). Workflow code: deterministic, runs in the sandbox. The worker that
 * runs these workflows needs the warmstart plugin (for the `announceVersion` activity) and a
 * workflows file that re-exports `warmstart/workflows`.
 */
import { executeChild, proxyActivities } from '@temporalio/workflow';
import type { AnnounceVersionInput, RefreshActivities } from '../activities/index.js';
import { versionRefreshWorkflowId, type RefreshOutcome, type RefreshVersionInput } from './definitions.js';
import { refreshVersionWorkflow } from './refresh-version.js';
import { refreshChildOptions } from './refresh-child.js';

/**
 * Hands a landed version to the model's refresh workflow, as `warmstart refresh --no-wait` does: it
 * is queued there (newest wins, pause respected) and refreshed once. Returns at once; the outcome
 * appears in the model workflow's `state` query and in the ledger.
 */
export async function announceVersion(request: AnnounceVersionInput, options: { taskQueue?: string } = {}): Promise<{ modelWorkflowId: string }> {
  const { announceVersion: announce } = proxyActivities<Pick<RefreshActivities, 'announceVersion'>>({
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 5, initialInterval: '1 second' },
    ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
  });
  return announce(request);
}

/**
 * Refreshes one version as a child of the calling workflow and returns its outcome. The child has
 * the version's idempotency key as its ID, so a version is refreshed once whoever asks. It bypasses
 * the model workflow's queue (no pause, no newest-wins); production still changes only by a
 * conditional write, so it is safe beside the model workflow, whose own view of production then
 * catches up at its next refresh.
 */
export function refreshVersionAsChild(input: RefreshVersionInput, taskOptions: { taskQueue?: string } = {}): Promise<RefreshOutcome> {
  const options = refreshChildOptions(versionRefreshWorkflowId(input.model, input.dataset, input.version), input);
  return executeChild(refreshVersionWorkflow, { ...options, ...(taskOptions.taskQueue ? { taskQueue: taskOptions.taskQueue } : {}) });
}
