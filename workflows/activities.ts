import { proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { RefreshActivities } from '../activities/index.js';
import type { RefreshSettings } from '../src/refresh/settings.js';

/** Training runs on its own task queue (GPU workers in production): `<queue>-training`. */
export function trainingTaskQueue(taskQueue: string): string {
  return `${taskQueue}-training`;
}

/**
 * Control activities (validation, evaluation, store writes) heartbeat every 2 s while they run
 * (activities/keep-alive.ts): a control worker that dies is noticed within this, and the attempt retried
 * on another, instead of after a start-to-close of minutes. A live one waiting on a slow S3 call keeps
 * heartbeating. (Activity timeouts are not workflow commands: recorded histories replay unchanged.)
 */
export const CONTROL_HEARTBEAT_TIMEOUT = '15 seconds';

/** Activity proxies, one per timeout class. Built inside the workflow so settings can shape them. */
export function refreshActivities(settings: RefreshSettings) {
  const storage = proxyActivities<Pick<RefreshActivities, 'markVersionRejected' | 'promoteCandidate' | 'recordAudit' | 'recordBlessing' | 'operatorPromote'>>({
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: CONTROL_HEARTBEAT_TIMEOUT,
    retry: { maximumAttempts: 5, initialInterval: '1 second' },
    summary: 'store: promotion, blessing, ledger entry',
  });
  // Validating a version reads every shard: as long as the data takes, with heartbeats so a lost worker is noticed.
  const data = proxyActivities<Pick<RefreshActivities, 'loadRefreshContext'>>({
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: CONTROL_HEARTBEAT_TIMEOUT,
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
    heartbeatTimeout: CONTROL_HEARTBEAT_TIMEOUT,
    retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
    summary: 'evaluate candidate and production on the same test slices',
  });
  // A local activity: it runs in the workflow task that decided it, on the worker running the workflow,
  // so the end of a refresh (blessing, promotion, ledger entry: three small store writes) costs no
  // round-trip of its own. A worker lost during it fails the workflow task, and the task's retry on
  // another worker runs it again; each of its steps recognizes its own earlier success.
  const conclusion = proxyLocalActivities<Pick<RefreshActivities, 'concludeRefresh'>>({
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 5, initialInterval: '1 second' },
  });
  return { storage, data, training, evaluation, conclusion };
}
