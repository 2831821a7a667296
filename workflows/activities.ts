import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { RefreshActivities } from '../activities/index.js';
import type { RefreshSettings } from '../src/refresh/settings.js';

/** Training runs on its own task queue (GPU workers in production): `<queue>-training`. */
export function trainingTaskQueue(taskQueue: string): string {
  return `${taskQueue}-training`;
}

/** Activity proxies, one per timeout class. Built inside the workflow so settings can shape them. */
export function refreshActivities(settings: RefreshSettings) {
  const storage = proxyActivities<Pick<RefreshActivities, 'markVersionRejected' | 'promoteCandidate' | 'recordAudit' | 'recordBlessing' | 'operatorPromote'>>({
    startToCloseTimeout: '5 minutes',
    retry: { maximumAttempts: 5, initialInterval: '1 second' },
    summary: 'store: promotion, blessing, ledger entry',
  });
  // Validating a version reads every shard: as long as the data takes, with heartbeats so a lost worker is noticed.
  const data = proxyActivities<Pick<RefreshActivities, 'loadRefreshContext'>>({
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '2 minutes',
    retry: { maximumAttempts: 5, initialInterval: '1 second' },
    summary: 'validate the version: manifest, shard checksums, every row; policy inputs',
  });
  const training = proxyActivities<Pick<RefreshActivities, 'trainCandidate'>>({
    taskQueue: trainingTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '4 hours',
    // A lost training worker is noticed within this; the retry resumes from the last checkpoint.
    heartbeatTimeout: `${settings.trainingHeartbeatSeconds} seconds`,
    retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
    summary: 'train the candidate (heartbeats carry step, ETA and validation accuracy)',
  });
  const evaluation = proxyActivities<Pick<RefreshActivities, 'evaluateCandidate'>>({
    startToCloseTimeout: '30 minutes',
    // It heartbeats every test batch: a lost worker is noticed within this, not after the 30 minutes.
    heartbeatTimeout: '2 minutes',
    retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
    summary: 'evaluate candidate and production on the same test slices',
  });
  return { storage, data, training, evaluation };
}
