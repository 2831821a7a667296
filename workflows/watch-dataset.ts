import { proxyActivities } from '@temporalio/workflow';
import type { RefreshActivities } from '../activities/index.js';
import type { WatchInput } from '../activities/watch.js';

const storage = proxyActivities<Pick<RefreshActivities, 'signalNewestVersion'>>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 3 },
});

/**
 * One poll of the store, run by a Temporal Schedule (`warmstart watch`): the newest committed version
 * of the dataset goes to the model's refresh workflow. Short-lived, so each poll is its own history.
 */
export async function watchDatasetWorkflow(input: WatchInput): Promise<{ version: number | null }> {
  return storage.signalNewestVersion(input);
}
