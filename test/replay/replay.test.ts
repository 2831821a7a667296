import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkflows } from '../../src/temporal/worker.js';

// Histories recorded from real runs (npm run record-histories), replayed against today's workflow
// code: a non-deterministic change fails here before it reaches a running workflow.
const directory = path.join(import.meta.dirname, 'histories');
const load = (file: string) => historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
let workflowBundle: Awaited<ReturnType<typeof bundleWorkflows>>;

beforeAll(async () => {
  workflowBundle = await bundleWorkflows();
});

/** What a history shows it ran: its workflow type, the activities it scheduled, and how it ended. */
function summarize(file: string) {
  const events = load(path.join(directory, file)).events ?? [];
  const completed = events.find((e) => e.workflowExecutionCompletedEventAttributes)?.workflowExecutionCompletedEventAttributes;
  const result = completed ? (defaultPayloadConverter.fromPayload(completed.result!.payloads![0]!) as { status: string; mode: string }) : null;
  return {
    type: events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name,
    activities: events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType!.name] : [])),
    // Local activities leave a marker whose data (JSON) names the activity type.
    local: events.flatMap((e) => (e.markerRecordedEventAttributes?.markerName === 'core_local_activity' ? [(JSON.parse(Buffer.from(e.markerRecordedEventAttributes.details!.data!.payloads![0]!.data!).toString('utf8')) as { activity_type: string }).activity_type] : [])),
    ended: result ? ('status' in result ? `${result.status} (${result.mode})` : 'completed') : events.some((e) => e.workflowExecutionFailedEventAttributes) ? 'failed' : 'running',
    children: events.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes).length,
    updates: events.flatMap((e) => (e.workflowExecutionUpdateAcceptedEventAttributes ? [e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest!.input!.name] : [])),
  };
}

const train = ['trainCandidate', 'evaluateCandidate', 'recordBlessing'];
// Every path of both workflows that a recorded history pins; a history that no longer shows its path fails here.
const recorded: [string, ReturnType<typeof summarize>][] = [
  ['refresh-version-scratch.json', { type: 'refreshVersionWorkflow', activities: ['loadRefreshContext', ...train, 'promoteCandidate', 'recordAudit'], ended: 'promoted (scratch)', children: 0, local: [], updates: [] }],
  ['refresh-version-warm.json', { type: 'refreshVersionWorkflow', activities: ['loadRefreshContext', ...train, 'promoteCandidate', 'recordAudit'], ended: 'promoted (warm)', children: 0, local: [], updates: [] }],
  // Since conclude-in-one: blessing, promotion and ledger entry as one local activity in the task that gated.
  ['refresh-version-concluded.json', { type: 'refreshVersionWorkflow', activities: ['loadRefreshContext', 'trainCandidate', 'evaluateCandidate'], ended: 'promoted (warm)', children: 0, local: ['concludeRefresh'], updates: [] }],
  // Recorded before markVersionRejected existed: it replays through the unpatched branch.
  ['refresh-version-rejected.json', { type: 'refreshVersionWorkflow', activities: ['loadRefreshContext', 'recordAudit'], ended: 'rejected (none)', children: 0, local: [], updates: [] }],
  ['refresh-version-fallback.json', { type: 'refreshVersionWorkflow', activities: ['loadRefreshContext', ...train, ...train, 'promoteCandidate', 'recordAudit'], ended: 'promoted (scratch)', children: 0, local: [], updates: [] }],
  ['refresh-version-failed.json', { type: 'refreshVersionWorkflow', activities: ['loadRefreshContext', 'trainCandidate', 'recordAudit'], ended: 'failed', children: 0, local: [], updates: [] }],
  ['model-refresh.json', { type: 'modelRefreshWorkflow', activities: [], ended: 'running', children: 3, local: [], updates: [] }],
  ['model-refresh-operator.json', { type: 'modelRefreshWorkflow', activities: ['operatorPromote'], ended: 'running', children: 2, local: [], updates: ['pause', 'resume', 'rollback'] }],
  // settings.shadowScratch every version: v1 (scratch) and v2 (warm) refreshed, then v2's shadow scratch run started.
  ['model-refresh-shadow.json', { type: 'modelRefreshWorkflow', activities: [], ended: 'running', children: 3, local: [], updates: [] }],
  ['shadow-scratch.json', { type: 'shadowScratchWorkflow', activities: ['loadRefreshContext', 'trainCandidate', 'evaluateCandidate', 'recordShadowScratch'], ended: 'completed', children: 0, local: [], updates: [] }],
];

describe('replay of recorded histories', () => {
  it('every history in the directory is one of the pinned paths below', () => {
    expect(readdirSync(directory).filter((f) => f.endsWith('.json')).sort()).toEqual(recorded.map(([file]) => file).sort());
  });

  it.each(recorded)('%s is the path it is named for, and replays deterministically against today’s code', async (file, expected) => {
    expect(summarize(file)).toEqual(expected);
    await expect(Worker.runReplayHistory({ workflowBundle }, load(path.join(directory, file)), file)).resolves.toBeUndefined();
  });

  it('the v0 walking skeleton\'s history (promoted with no recordBlessing step) fails with a nondeterminism error', async () => {
    const old = load(path.join(import.meta.dirname, 'incompatible/refresh-version-v0-skeleton.json'));
    await expect(Worker.runReplayHistory({ workflowBundle }, old, 'v0-skeleton')).rejects.toThrow(DeterminismViolationError);
  });

  it('catches a deliberate non-deterministic change', async () => {
    const changed = await bundleWorkflows(path.join(import.meta.dirname, 'fixtures/changed-workflows.ts'));
    await expect(Worker.runReplayHistory({ workflowBundle: changed }, load(path.join(directory, 'refresh-version-warm.json')))).rejects.toThrow(DeterminismViolationError);
  });
});
