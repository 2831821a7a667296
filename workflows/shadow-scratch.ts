import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { RefreshActivities } from '../activities/index.js';
import { shadowScratchRecord } from '../src/audit/shadow.js';
import type { ActivityUsage } from '../src/audit/usage.js';
import { planRefresh } from '../src/refresh/plan.js';
import { resolveRefreshSettings, type RefreshSettings } from '../src/refresh/settings.js';
import { candidatePrefix } from '../src/storage/keys.js';
import { CONTROL_HEARTBEAT_TIMEOUT, trainingTaskQueue } from './activities.js';
import { shadowCandidateIdFor, type ShadowScratchInput } from './definitions.js';

/**
 * The lowest priority (Temporal's default range is 1-5, default 3): a refresh's own training, at the
 * default, is handed to a free training worker before a waiting shadow run. Servers from 1.31 match
 * by priority out of the box; an older server accepts the key and keeps its queues first in, first out.
 */
export const SHADOW_PRIORITY = { priorityKey: 5 };

/**
 * The shadow's proxies: the refresh's timeouts (a lost worker is noticed as soon as in a refresh), the
 * training queue, and the lowest priority. Activity options are not part of what replay compares.
 */
function shadowActivities(settings: RefreshSettings) {
  const training = proxyActivities<Pick<RefreshActivities, 'trainCandidate'>>({
    taskQueue: trainingTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '4 hours',
    heartbeatTimeout: `${settings.trainingHeartbeatSeconds} seconds`,
    retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
    priority: SHADOW_PRIORITY,
    summary: 'shadow scratch run: train from scratch beside a warm start (never promoted)',
  });
  const evaluation = proxyActivities<Pick<RefreshActivities, 'evaluateCandidate'>>({
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: CONTROL_HEARTBEAT_TIMEOUT,
    retry: { maximumAttempts: 3, initialInterval: '2 seconds' },
    priority: SHADOW_PRIORITY,
    summary: "evaluate the shadow scratch model and the refresh's candidate on the same test slices",
  });
  const data = proxyActivities<Pick<RefreshActivities, 'loadRefreshContext'>>({
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: CONTROL_HEARTBEAT_TIMEOUT,
    retry: { maximumAttempts: 5, initialInterval: '1 second' },
    priority: SHADOW_PRIORITY,
    summary: "the version's facts (training rows, classes) for the scratch budget, validated as the refresh did",
  });
  const storage = proxyActivities<Pick<RefreshActivities, 'recordShadowScratch'>>({
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: CONTROL_HEARTBEAT_TIMEOUT,
    retry: { maximumAttempts: 5, initialInterval: '1 second' },
    summary: 'ledger: the shadow scratch record, joined with the refresh entry by workflow ID',
  });
  return { data, training, evaluation, storage };
}

/**
 * Trains the version from scratch as a scratch refresh would (same settings, seed, scratch budget and
 * schedule, from the same plan: planRefresh over the version's facts), evaluates that model and the refresh's candidate on the same test examples, and appends
 * the measured cost and accuracy to the ledger, keyed by the refresh's workflow ID. Nothing is gated
 * or promoted: the candidate exists only to be measured. Started by the model workflow, abandoned, so
 * the refresh it measures has already returned its outcome.
 */
export async function shadowScratchWorkflow(input: ShadowScratchInput): Promise<{ key: string; accuracy: number | null }> {
  const settings = resolveRefreshSettings(input.settings);
  const { data, training, evaluation, storage } = shadowActivities(settings);
  const startedAt = new Date().toISOString();
  const candidateId = shadowCandidateIdFor(input.refresh.workflowId);
  const usage: ActivityUsage[] = [];

  // The scratch budget depends on the version's training rows; production plays no part in a scratch plan.
  const context = await data.loadRefreshContext({ model: input.model, dataset: input.dataset, version: input.version });
  if (context.usage) usage.push({ activity: 'loadRefreshContext', subject: 'validation', usage: context.usage });
  const plan = planRefresh(settings, null, context.dataset);
  const trained = await training.trainCandidate({ model: input.model, dataset: input.dataset, version: input.version, candidateId, mode: 'scratch', initFromPrefix: null, settings: plan.training, levers: plan.scratchLevers });
  for (const earlier of trained.earlierAttempts ?? []) usage.push({ activity: 'trainCandidate', subject: candidateId, usage: earlier.usage });
  if (trained.usage) usage.push({ activity: 'trainCandidate', subject: candidateId, usage: trained.usage });

  const evaluated = await evaluation.evaluateCandidate({
    dataset: input.dataset,
    version: input.version,
    candidatePrefix: trained.candidatePrefix,
    productionPrefix: candidatePrefix(input.model, input.refresh.candidateId),
  });
  if (evaluated.usage) usage.push({ activity: 'evaluateCandidate', subject: candidateId, usage: evaluated.usage });

  const record = shadowScratchRecord(
    {
      model: input.model,
      dataset: input.dataset,
      datasetVersion: input.version,
      refreshWorkflowId: input.refresh.workflowId,
      refreshAuditKey: input.refresh.auditKey,
      refreshCandidateId: input.refresh.candidateId,
      workflowId: workflowInfo().workflowId,
      startedAt,
    },
    trained,
    evaluated,
    { finishedAt: new Date().toISOString(), usage },
  );
  const { key } = await storage.recordShadowScratch(record);
  return { key, accuracy: evaluated.candidate.combined?.accuracy ?? null };
}
