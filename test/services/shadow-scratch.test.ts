import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/audit/ledger.js';
import { joinShadowRecords } from '../../src/audit/shadow.js';
import { listShadowScratchRecords } from '../../src/audit/shadow-ledger.js';
import { verifyChain } from '../../src/audit/verify.js';
import { reportCommand } from '../../src/cli/commands/report.js';
import { readProduction } from '../../src/registry/production.js';
import { modelRefreshWorkflowId, shadowCandidateIdFor, shadowScratchWorkflowId } from '../../workflows/definitions.js';
import { startHarness, TEST_SETTINGS, type Harness } from '../helpers/refresh-harness.js';
import { repoRoot } from '../helpers/services.js';

// shadowScratch every version, on the real Temporal dev server and SeaweedFS S3: the warm start's
// outcome comes back first; the shadow scratch run trains afterwards and its record joins the entry.
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

/** With RECORD_HISTORIES set, saves a real history as a replay fixture (npm run record-histories). */
async function record(workflowId: string, file: string) {
  if (!process.env.RECORD_HISTORIES) return;
  const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
  writeFileSync(path.join(repoRoot, 'test/replay/histories', file), `${historyToJSON(history)}\n`);
}

describe('shadow scratch every version', () => {
  it('a warm start returns its outcome, then a low-priority scratch run measures it; the record joins the entry', async () => {
    const model = h.newModel();
    const dataset = 'mnist-shadow';
    const settings = { ...TEST_SETTINGS, shadowScratch: { everyVersions: 1 } };
    const first = await h.refresh(model, dataset, (await h.publish(dataset, 'first', 2000)).version, settings);
    expect(first).toMatchObject({ status: 'promoted', mode: 'scratch' });
    const second = await h.refresh(model, dataset, (await h.publish(dataset, 'second', 800)).version, settings);
    expect(second).toMatchObject({ version: 2, mode: 'warm' });

    // A scratch refresh measures itself: no shadow for v1. v2's shadow was started by the model workflow after v2 returned.
    await expect(h.client.workflow.getHandle(shadowScratchWorkflowId(first.workflowId)).describe()).rejects.toThrow(/not found/i);
    const shadow = h.client.workflow.getHandle(shadowScratchWorkflowId(second.workflowId));
    const refreshRun = await h.client.workflow.getHandle(second.workflowId).describe();
    const shadowRun = await shadow.describe();
    expect(refreshRun.status.name).toBe('COMPLETED');
    expect(shadowRun.type).toBe('shadowScratchWorkflow');
    expect(shadowRun.parentExecution?.workflowId).toBe(modelRefreshWorkflowId(model));
    // Independent of it: the refresh had closed before the shadow was started.
    expect(shadowRun.startTime.getTime()).toBeGreaterThanOrEqual(refreshRun.closeTime!.getTime());

    const { key } = (await shadow.result()) as { key: string };
    const history = await shadow.fetchHistory();
    const scheduled = history.events!.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : []));
    expect(scheduled.map((a) => a.activityType!.name)).toEqual(['loadRefreshContext', 'trainCandidate', 'evaluateCandidate', 'recordShadowScratch']);
    // The server kept the lowest priority on the training task (the refresh's own runs at the default).
    expect(scheduled.find((a) => a.activityType!.name === 'trainCandidate')!.priority?.priorityKey).toBe(5);

    const entries = await listAuditEntries(h.store, model);
    const shadows = await listShadowScratchRecords(h.store, model);
    expect(shadows).toHaveLength(1);
    expect(shadows[0]).toMatchObject({ refreshWorkflowId: second.workflowId, refreshAuditKey: second.auditKey, refreshCandidateId: second.candidateId, workflowId: shadowScratchWorkflowId(second.workflowId) });
    expect(key).toContain('audit-shadow/');

    const [joined, ...rest] = joinShadowRecords(entries, shadows);
    expect(rest).toEqual([]);
    const v1 = entries.find((e) => e.datasetVersion === 1)!;
    const v2 = entries.find((e) => e.datasetVersion === 2)!;
    // The shadow trained as a scratch refresh does: the same 200 steps, so the same FLOPs per step as v1's real scratch run.
    expect(joined!.measured.steps).toBe(200);
    expect(joined!.measured.flops / joined!.measured.steps).toBeCloseTo(v1.attempts[0]!.training.flops / v1.attempts[0]!.training.steps, -3);
    expect(joined!.estimated.basis).toBe('estimated');
    expect(joined!.saved.flops).toBeCloseTo(joined!.measured.flops - v2.compute.flops, -3);
    expect(joined!.refresh.accuracy).toBeCloseTo(v2.attempts.at(-1)!.evaluation.candidate.combined!.accuracy, 10);
    expect(joined!.measured.accuracy).toBeGreaterThan(0.5);
    expect(joined!.accuracyGap).toBeCloseTo(joined!.refresh.accuracy! - joined!.measured.accuracy!, 10);

    // Never promoted; the ledger's chain covers the new record.
    expect(shadows[0]!.training.candidateId).toBe(shadowCandidateIdFor(second.workflowId));
    expect((await readProduction(h.store, model))!.pointer.candidateId).not.toBe(shadowCandidateIdFor(second.workflowId));
    expect(await verifyChain(h.store, model)).toMatchObject({ ok: true, records: 3 });

    const out = path.join(mkdtempSync(path.join(tmpdir(), 'warmstart-shadow-')), 'report.html');
    await reportCommand(h.store, model, out, {});
    expect(readFileSync(out, 'utf8')).toContain('<tr data-shadow-version="2"');

    // Started once: the model workflow's history holds one start of it (and one per refresh).
    const starts = (await h.client.workflow.getHandle(modelRefreshWorkflowId(model)).fetchHistory()).events!.flatMap((e) => (e.startChildWorkflowExecutionInitiatedEventAttributes ? [e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId] : []));
    expect(starts).toEqual([first.workflowId, second.workflowId, shadowScratchWorkflowId(second.workflowId)]);

    await record(shadowScratchWorkflowId(second.workflowId), 'shadow-scratch.json');
    await record(modelRefreshWorkflowId(model), 'model-refresh-shadow.json');
  }, 10 * 60_000);
});
