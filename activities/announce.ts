import { ApplicationFailure } from '@temporalio/common';
import { activityInfo, log } from '@temporalio/activity';
import { modelRefreshWorkflowId } from '../workflows/definitions.js';
import type { ActivityDeps } from './deps.js';

export interface AnnounceVersionInput {
  model: string;
  dataset: string;
  version: number;
}

/**
 * Hands a landed version to the model's refresh workflow (signal-with-start) on behalf of a user's
 * workflow, which cannot signal-with-start itself. Idempotent: the model workflow ignores a version
 * it already handled or queued, so a retry is harmless.
 */
export function announceVersionActivity(deps: ActivityDeps) {
  return async function announceVersion(input: AnnounceVersionInput): Promise<{ modelWorkflowId: string }> {
    if (!deps.signalVersion) throw ApplicationFailure.create({ type: 'NoClient', message: 'this worker cannot signal workflows (no Temporal client); add the warmstart plugin to a control worker', nonRetryable: true });
    if (!Number.isInteger(input.version) || input.version < 1) {
      throw ApplicationFailure.create({ type: 'BadRequest', message: `version must be a positive integer (got ${input.version})`, nonRetryable: true });
    }
    await deps.signalVersion(input);
    log.info('announced version', { ...input, from: activityInfo().workflowExecution?.workflowId });
    return { modelWorkflowId: modelRefreshWorkflowId(input.model) };
  };
}
