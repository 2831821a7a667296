import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/audit/ledger.js';
import type { RefreshSettingsInput } from '../../src/refresh/settings.js';
import { readProduction } from '../../src/registry/production.js';
import { queryRefreshState, signalVersionLanded, waitForOutcome } from '../../src/temporal/client.js';
import {
  modelRefreshWorkflowId,
  pauseUpdate,
  promoteUpdate,
  resumeUpdate,
  rollbackUpdate,
  versionRefreshWorkflowId,
  type RefreshOutcome,
} from '../../workflows/definitions.js';
import { startHarness, TEST_SETTINGS, type Harness } from '../helpers/refresh-harness.js';
import { repoRoot } from '../helpers/services.js';

// The production refresh workflows on the real Temporal dev server and SeaweedFS S3.
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

/**
 * A learning rate that wrecks the warm start (its floor fails for sure), and a gate of the floor
 * alone, so the scratch fallback's verdict does not hinge on noise against production.
 */
const BROKEN_WARM_START: RefreshSettingsInput = {
  ...TEST_SETTINGS,
  warmLearningRate: 5,
  gate: { thresholds: [{ metric: 'accuracy', slice: 'combined', lowerBound: 0.7, direction: 'higher-is-better' }], pairedTest: null },
};

/** Runs one version's refresh workflow directly (settings are per model workflow; these are per version). */
async function refreshDirectly(model: string, dataset: string, version: number, settings: RefreshSettingsInput): Promise<RefreshOutcome> {
  const handle = await h.client.workflow.start('refreshVersionWorkflow', {
    workflowId: versionRefreshWorkflowId(model, dataset, version),
    taskQueue: h.taskQueue,
    args: [{ model, dataset, version, settings }],
  });
  return (await handle.result()) as RefreshOutcome;
}

describe('fallback', () => {
  it('a warm start that fails the gate falls back to scratch; both attempts are audited', async () => {
    const model = h.newModel();
    const dataset = 'mnist-fallback';
    await h.refresh(model, dataset, (await h.publish(dataset, 'first')).version);
    const outcome = await refreshDirectly(model, dataset, (await h.publish(dataset, 'second', 1000)).version, BROKEN_WARM_START);
    expect(outcome).toMatchObject({ status: 'promoted', mode: 'scratch' });
    const entry = (await listAuditEntries(h.store, model)).find((e) => e.datasetVersion === 2)!;
    expect(entry.decision.mode).toBe('warm');
    expect(entry.attempts.map((a) => [a.mode, a.gate.passed])).toEqual([
      ['warm', false],
      ['scratch', true],
    ]);
    expect(entry.fallback).toMatch(/warm start failed its gate: retraining from scratch/);
    expect(entry.compute.steps).toBe(80 + 200);
    // Both candidates exist side by side; the scratch one serves.
    expect((await readProduction(h.store, model))!.pointer).toMatchObject({ candidateId: entry.promotion.candidateId, mode: 'scratch', warmStartsInRow: 0 });
    expect(entry.promotion.candidateId).toMatch(/-scratch$/);
    await record(versionRefreshWorkflowId(model, dataset, 2), 'refresh-version-fallback.json');
  });

  it('without budget for a scratch run the failed warm start is rejected and production stays', async () => {
    const model = h.newModel();
    const dataset = 'mnist-budget';
    await h.refresh(model, dataset, (await h.publish(dataset, 'first')).version);
    const before = await readProduction(h.store, model);
    const outcome = await refreshDirectly(model, dataset, (await h.publish(dataset, 'second', 1000)).version, { ...BROKEN_WARM_START, fallback: { maxTrainFlops: 1e9 } });
    expect(outcome.status).toBe('rejected');
    expect(outcome.reasons.join('\n')).toMatch(/would exceed the compute budget/);
    expect(await readProduction(h.store, model)).toEqual(before);

    // The next refresh remembers the failed warm start and retrains from scratch.
    const next = await refreshDirectly(model, dataset, (await h.publish(dataset, 'second', 500)).version, TEST_SETTINGS);
    expect(next.mode).toBe('scratch');
    expect(next.reasons[0]).toMatch(/last warm start \(v2\) failed its gate/);
  });
});

describe('failed refresh', () => {
  it('a refresh whose training is refused leaves a failed audit entry and production untouched', async () => {
    const model = h.newModel();
    const dataset = 'mnist-failed';
    await h.refresh(model, dataset, (await h.publish(dataset, 'first')).version);
    const before = await readProduction(h.store, model);
    const badLevers: RefreshSettingsInput = { ...TEST_SETTINGS, warmLevers: { selection: { kind: 'easy-hard', score: 'loss', dropEasiest: 0.7, dropHardest: 0.3, mode: 'drop' } } };
    const failed = await refreshDirectly(model, dataset, (await h.publish(dataset, 'second', 1000)).version, badLevers).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(WorkflowFailedError);
    const entry = (await listAuditEntries(h.store, model)).find((e) => e.datasetVersion === 2)!;
    expect(entry).toMatchObject({ status: 'failed', decision: { mode: 'warm' }, attempts: [], promotion: { outcome: 'not-attempted' }, compute: { steps: 0 } });
    expect(entry.failure).toMatch(/^trainCandidate failed \(BadTrainingConfig\): .*levers\.selection\.dropEasiest/);
    expect(await readProduction(h.store, model)).toEqual(before);
    const described = await h.client.workflow.getHandle(versionRefreshWorkflowId(model, dataset, 2)).describe();
    expect(described.searchAttributes).toMatchObject({ WarmstartPromoted: [false] });
    await record(versionRefreshWorkflowId(model, dataset, 2), 'refresh-version-failed.json');
  });
});

describe('queueing, pause and operator updates', () => {
  let model: string;
  const dataset = 'mnist-queue';
  let v1: RefreshOutcome;

  it('pauses, queues versions, and on resume refreshes only the newest; duplicates are ignored', async () => {
    model = h.newModel();
    const handle = h.client.workflow.getHandle(modelRefreshWorkflowId(model));
    v1 = await h.refresh(model, dataset, (await h.publish(dataset, 'first')).version);
    await handle.executeUpdate(pauseUpdate, { args: [{ by: 'ana', reason: 'data audit' }] });
    for (const part of [300, 400, 500]) await h.publish(dataset, 'second', part);
    for (const version of [2, 3, 4, 4]) await signalVersionLanded(h.client, { model, dataset, version, taskQueue: h.taskQueue, settings: TEST_SETTINGS });
    const paused = await queryRefreshState(h.client, model);
    expect(paused.paused).toEqual({ by: 'ana', reason: 'data audit' });
    expect(paused.pending.map((p) => p.version)).toEqual([2, 3, 4]);

    await handle.executeUpdate(resumeUpdate, { args: [{ by: 'ana' }] });
    const v4 = await waitForOutcome(h.client, model, dataset, 4, { timeoutMs: 120_000 });
    expect(v4.status).toBe('promoted');
    const state = await queryRefreshState(h.client, model);
    expect(state.outcomes.map((o) => [o.version, o.status])).toEqual([
      [1, 'promoted'],
      [2, 'skipped'],
      [3, 'skipped'],
      [4, 'promoted'],
    ]);
    expect(state.production?.candidateId).toBe(v4.candidateId);
    // Skipped versions never ran: no child workflow exists for them.
    await expect(h.client.workflow.getHandle(versionRefreshWorkflowId(model, dataset, 2)).describe()).rejects.toThrow();
  });

  it('rollback: validated, performed by a conditional write, and recorded', async () => {
    const handle = h.client.workflow.getHandle(modelRefreshWorkflowId(model));
    const unknown = handle.executeUpdate(rollbackUpdate, { args: [{ candidateId: 'never-promoted', by: 'ana', reason: 'test' }] });
    await expect(unknown).rejects.toThrow(WorkflowUpdateFailedError);
    await expect(handle.executeUpdate(rollbackUpdate, { args: [{ candidateId: v1.candidateId!, by: 'ana', reason: '' }] })).rejects.toThrow();

    const view = await handle.executeUpdate(rollbackUpdate, { args: [{ candidateId: v1.candidateId!, by: 'ana', reason: 'v4 misbehaves in canary' }] });
    expect(view?.candidateId).toBe(v1.candidateId);
    const production = await readProduction(h.store, model);
    expect(production!.pointer).toMatchObject({ candidateId: v1.candidateId, promotedBy: 'operator:ana', note: 'rollback: v4 misbehaves in canary' });
    const records = await h.store.list(`audit-operations/${model}/`);
    expect(records).toHaveLength(1);
    await record(modelRefreshWorkflowId(model), 'model-refresh-operator.json');
  });

  it('promote: an operator puts any stored candidate in production', async () => {
    const handle = h.client.workflow.getHandle(modelRefreshWorkflowId(model));
    const v4 = (await queryRefreshState(h.client, model)).outcomes.find((o) => o.version === 4)!;
    const view = await handle.executeUpdate(promoteUpdate, { args: [{ candidateId: v4.candidateId!, by: 'ana', reason: 'canary fixed' }] });
    expect(view).toMatchObject({ candidateId: v4.candidateId, datasetVersion: 4, promotedBy: 'operator:ana' });
    expect((await readProduction(h.store, model))!.pointer.candidateId).toBe(v4.candidateId);
    const failed = await handle.executeUpdate(promoteUpdate, { args: [{ candidateId: 'no-such-candidate', by: 'ana', reason: 'typo' }] }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((failed as Error).cause as Error | undefined)?.message).toMatch(/promote failed: model .* has no stored candidate no-such-candidate/);
    expect((await readProduction(h.store, model))!.pointer.candidateId).toBe(v4.candidateId);
  });
});

describe('continue-as-new', () => {
  it('continues as new after the configured number of refreshes, carrying state and queue', async () => {
    const model = h.newModel();
    const dataset = 'mnist-can';
    const handle = h.client.workflow.getHandle(modelRefreshWorkflowId(model));
    await h.publish(dataset, 'first', 1200);
    await signalVersionLanded(h.client, { model, dataset, version: 1, taskQueue: h.taskQueue, settings: TEST_SETTINGS, refreshesPerRun: 1 });
    const firstRun = (await handle.describe()).runId;
    await waitForOutcome(h.client, model, dataset, 1, { timeoutMs: 120_000 });
    await h.publish(dataset, 'second', 400);
    await signalVersionLanded(h.client, { model, dataset, version: 2, taskQueue: h.taskQueue });
    const v2 = await waitForOutcome(h.client, model, dataset, 2, { timeoutMs: 120_000 });
    expect(v2).toMatchObject({ status: 'promoted', mode: 'warm' });
    const state = await queryRefreshState(h.client, model);
    expect(state.outcomes.map((o) => o.version)).toEqual([1, 2]);
    expect((await handle.describe()).runId).not.toBe(firstRun);
  });
});

describe('promotion race', () => {
  it('two refreshes promoting from the same read: exactly one wins, the other is recorded as superseded', async () => {
    const model = h.newModel();
    const dataset = 'mnist-race';
    await h.publish(dataset, 'first', 1500);
    const start = (suffix: string) =>
      h.client.workflow.start('refreshVersionWorkflow', {
        workflowId: `${versionRefreshWorkflowId(model, dataset, 1)}${suffix}`,
        taskQueue: h.taskQueue,
        args: [{ model, dataset, version: 1, settings: TEST_SETTINGS }],
      });
    const handles = await Promise.all([start(''), start('-replay-race')]);
    const outcomes = (await Promise.all(handles.map((handle) => handle.result()))) as RefreshOutcome[];
    expect(outcomes.map((o) => o.status).sort()).toEqual(['promoted', 'superseded']);
    const winner = outcomes.find((o) => o.status === 'promoted')!;
    expect((await readProduction(h.store, model))!.pointer.candidateId).toBe(winner.candidateId);
  });
});

describe('search attributes', () => {
  it('every refresh is findable by model, version, decision and promotion', async () => {
    const model = h.newModel();
    const dataset = 'mnist-search';
    await h.refresh(model, dataset, (await h.publish(dataset, 'first', 1500)).version);
    const query = `WarmstartModel = '${model}' AND WarmstartPromoted = true AND WarmstartDecision = 'scratch' AND WarmstartVersion = 1`;
    let found: string[] = [];
    for (let attempt = 0; attempt < 40 && found.length === 0; attempt++) {
      found = [];
      for await (const execution of h.client.workflow.list({ query })) found.push(execution.workflowId);
      if (found.length === 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(found).toEqual([versionRefreshWorkflowId(model, dataset, 1)]);
    const described = await h.client.workflow.getHandle(versionRefreshWorkflowId(model, dataset, 1)).describe();
    // The compute seconds attribute is the ledger entry's training plus evaluation time.
    const [entry] = await listAuditEntries(h.store, model);
    expect(described.searchAttributes.WarmstartComputeSeconds).toEqual([entry!.compute.trainSeconds + entry!.compute.evaluationSeconds]);
    expect(entry!.compute.trainSeconds).toBeGreaterThan(0);
  });
});
