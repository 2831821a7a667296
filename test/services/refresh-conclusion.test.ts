import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timingOf } from '../../bench/scale-history.js';
import { listAuditEntries } from '../../src/audit/ledger.js';
import { verifyChain } from '../../src/audit/verify.js';
import { readProduction } from '../../src/registry/production.js';
import { blessingKey } from '../../src/storage/keys.js';
import { versionRefreshWorkflowId } from '../../workflows/definitions.js';
import { startHarness, type Harness } from '../helpers/refresh-harness.js';
import { repoRoot } from '../helpers/services.js';

// Since patched('conclude-in-one') a refresh ends with one local activity (concludeRefresh: blessing,
// promotion, ledger entry) in the workflow task that gated, instead of three activities and their
// workflow tasks. On the real Temporal dev server and SeaweedFS. With RECORD_HISTORIES set, the warm
// refresh's history is saved as the replay fixture of this path (refresh-version-concluded.json).
let h: Harness;
let model: string;
const dataset = 'mnist-conclude';

beforeAll(async () => {
  h = await startHarness();
  model = h.newModel();
});
afterAll(() => h?.stop());

const marker = (name: string) => (e: { markerRecordedEventAttributes?: { markerName?: string | null } | null }) => e.markerRecordedEventAttributes?.markerName === name;

describe('a refresh concluded in one local activity', () => {
  it('scratch then warm: both promoted, one ledger entry each, blessings written, the chain intact', async () => {
    const first = await h.refresh(model, dataset, (await h.publish(dataset, 'first')).version);
    expect(first).toMatchObject({ status: 'promoted', mode: 'scratch' });
    const second = await h.refresh(model, dataset, (await h.publish(dataset, 'second', 1000)).version);
    expect(second).toMatchObject({ status: 'promoted', mode: 'warm' });
    expect((await readProduction(h.store, model))?.pointer).toMatchObject({ candidateId: second.candidateId, promotedBy: second.workflowId, warmStartsInRow: 1 });
    const entries = await listAuditEntries(h.store, model);
    expect(entries.map((e) => [e.datasetVersion, e.status, e.promotion.outcome, e.promotion.candidateId])).toEqual([
      [1, 'promoted', 'promoted', first.candidateId],
      [2, 'promoted', 'promoted', second.candidateId],
    ]);
    expect([first.auditKey, second.auditKey]).toEqual(entries.map((e) => `audit/${model}/${dataset}/v${e.datasetVersion}.json`));
    expect(await verifyChain(h.store, model)).toMatchObject({ ok: true, records: 2 });
    const production = await readProduction(h.store, model);
    const blessing = await h.store.get(blessingKey(production!.pointer.candidatePrefix));
    expect(JSON.parse(new TextDecoder().decode(blessing!.body))).toMatchObject({ blessed: true, workflowId: second.workflowId });
  });

  it('the warm refresh ran three activities and one local activity in four workflow tasks', async () => {
    const workflowId = versionRefreshWorkflowId(model, dataset, 2);
    const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    const scheduled = events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType!.name] : []));
    expect(scheduled).toEqual(['loadRefreshContext', 'trainCandidate', 'evaluateCandidate']);
    expect(events.filter(marker('core_local_activity'))).toHaveLength(1);
    expect(events.filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(4);
    // The bench reads the local activity's marker: its type, and time that is activity, not orchestration.
    const timing = timingOf(events);
    expect(timing).toMatchObject({ activities: 3, localActivities: 1, workflowTasks: 4 });
    expect(timing.roundTrips.at(-1)!.after).toBe('evaluateCandidate, then concludeRefresh (local)');
    expect(timing.localActivityRun).toBeGreaterThan(0);

    if (process.env.RECORD_HISTORIES) writeFileSync(path.join(repoRoot, 'test/replay/histories/refresh-version-concluded.json'), `${historyToJSON(history)}\n`);
  });
});
