import { ApplicationFailure } from '@temporalio/common';
import { log } from '@temporalio/activity';
import { listVersions } from '../src/data/versions.js';
import type { ActivityDeps } from './deps.js';
import { rejectionKey } from '../src/storage/keys.js';

export interface WatchInput {
  model: string;
  dataset: string;
}

/**
 * Looks for the dataset's newest committed version and hands it to the model's refresh workflow.
 * Idempotent: the workflow ignores a version it already handled or queued, so signalling the newest
 * version on every poll is safe, and versions landing between polls are skipped as "newest wins" would.
 */
export function signalNewestVersionActivity(deps: ActivityDeps) {
  return async function signalNewestVersion(input: WatchInput): Promise<{ version: number | null }> {
    if (!deps.signalVersion) throw ApplicationFailure.create({ message: 'this worker cannot signal workflows (no client)', nonRetryable: true });
    const versions = await listVersions(deps.store, input.dataset);
    for (const version of [...versions].reverse()) {
      if (await deps.store.get(rejectionKey(input.dataset, version))) continue;
      await deps.signalVersion({ model: input.model, dataset: input.dataset, version });
      log.info('signalled newest version', { ...input, version });
      return { version };
    }
    return { version: null };
  };
}
