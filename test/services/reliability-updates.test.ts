import { Client, Connection, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putJson } from '../../src/storage/json.js';
import { S3ObjectStore } from '../../src/storage/s3-store.js';
import { readProduction } from '../../src/registry/production.js';
import { bundleWorkflows, createWorkers, type WarmstartWorkers } from '../../src/temporal/worker.js';
import { modelRefreshWorkflowId, pauseUpdate, promoteUpdate, refreshStateQuery, resumeUpdate, versionLandedSignal } from '../../workflows/definitions.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { testS3, uniqueName } from '../helpers/services.js';
import { candidatePrefix, productionKey } from '../../src/storage/keys.js';

// Operator promotions overlap while the production.json PUT is held back by the fault proxy: the model
// workflow runs them one at a time; one that loses a race to another writer is rejected with a clear
// failure, and the model workflow keeps serving.
const { config, store: direct } = testS3();
let proxy: FaultProxy;
let store: S3ObjectStore;
let workers: WarmstartWorkers;
let running: Promise<void>;
let client: Client;
const model = uniqueName('race');

/** A stored candidate as training leaves it (lineage, model, metrics); promotion reads only these. */
async function storeCandidate(candidateId: string, accuracy: number) {
  const prefix = candidatePrefix(model, candidateId);
  await putJson(direct, `${prefix}/lineage.json`, { candidateId, model, dataset: 'd', datasetVersion: 1, mode: 'scratch', modelSpec: { kind: 'mlp', hidden: [4] }, classes: ['a', 'b'], featureShape: [2] });
  await putJson(direct, `${prefix}/model.json`, { modelTopology: {}, weightsManifest: [] });
  await putJson(direct, `${prefix}/metrics.json`, { candidate: { combined: { accuracy } } });
}

/** A hang shows up as a failed test with a reason, not as the suite's timeout. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s (a wedged workflow task?)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

beforeAll(async () => {
  if (config.store.kind !== 's3') throw new Error('expected an s3 store');
  proxy = await startFaultProxy(config.s3.endpoint!);
  store = new S3ObjectStore(config.store.bucket, config.store.prefix, { ...config.s3, endpoint: proxy.endpoint });
  workers = await createWorkers({ config, store, role: 'control', workflowBundle: await bundleWorkflows() });
  running = workers.run();
  client = new Client({ connection: await Connection.connect({ address: config.temporal.address }), namespace: config.temporal.namespace });
  await storeCandidate('c1', 0.9);
  await storeCandidate('c2', 0.8);
  await client.workflow.start('modelRefreshWorkflow', { workflowId: modelRefreshWorkflowId(model), taskQueue: config.temporal.taskQueue, args: [{ model }] });
});
afterAll(async () => {
  await client?.workflow.getHandle(modelRefreshWorkflowId(model)).terminate('test finished').catch(() => undefined);
  workers?.shutdown();
  await running;
  await workers?.close();
  await client?.connection.close();
  store?.destroy();
  direct.destroy();
  await proxy?.close();
});

describe('overlapping operator promotions', () => {
  it('run one at a time: both land, and the workflow names the one production.json serves', async () => {
    const handle = client.workflow.getHandle(modelRefreshWorkflowId(model));
    // Held back PUTs keep the two updates overlapping; the model workflow runs them one after the other.
    proxy.inject({ method: 'PUT', path: /\/production\.json$/, times: 2, fault: { kind: 'delay', ms: 1000 } });
    const promote = (candidateId: string) => handle.executeUpdate(promoteUpdate, { args: [{ candidateId, by: 'tester', reason: `overlap ${candidateId}` }] });
    const results = await within(Promise.allSettled([promote('c1'), promote('c2')]), 60_000, 'two overlapping promote updates');
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(proxy.injected()).toBe(2);
    const served = (await readProduction(direct, model))!.pointer.candidateId;
    const state = await within(handle.query(refreshStateQuery), 30_000, 'state query');
    expect(state.production?.candidateId).toBe(served);
    proxy.clear();
  });

  it('a promotion that loses a race to another writer is rejected with an ApplicationFailure; status and pause still work', async () => {
    const handle = client.workflow.getHandle(modelRefreshWorkflowId(model));
    const before = (await readProduction(direct, model))!;
    const target = before.pointer.candidateId === 'c1' ? 'c2' : 'c1';
    // The promotion's conditional PUT is held back; meanwhile another writer changes production.json.
    proxy.inject({ method: 'PUT', path: /\/production\.json$/, times: 1, fault: { kind: 'delay', ms: 3000 } });
    const promotion = handle.executeUpdate(promoteUpdate, { args: [{ candidateId: target, by: 'tester', reason: 'race' }] }).catch((e: unknown) => e);
    const deadline = Date.now() + 30_000;
    while (proxy.injected() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(proxy.injected()).toBe(1);
    await putJson(direct, productionKey(model), { ...before.pointer, promotedBy: 'another-writer' });
    const failure = (await within(promotion, 60_000, 'the racing promote update')) as WorkflowUpdateFailedError;
    expect(failure).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(failure.cause).toBeInstanceOf(ApplicationFailure);
    expect(failure.cause?.message).toMatch(/^promote lost a race: production changed since it was read/);
    expect((await readProduction(direct, model))!.pointer.promotedBy).toBe('another-writer');
    const paused = await within(handle.executeUpdate(pauseUpdate, { args: [{ by: 'tester', reason: 'after the race' }] }), 30_000, 'pause update');
    expect(paused.paused).toEqual({ by: 'tester', reason: 'after the race' });
    await within(handle.executeUpdate(resumeUpdate, { args: [{ by: 'tester' }] }), 30_000, 'resume update');
    proxy.clear();
  });

  it('a bad request is rejected by the validator, with a failure naming the field', async () => {
    const handle = client.workflow.getHandle(modelRefreshWorkflowId(model));
    const error = await within(
      handle.executeUpdate(promoteUpdate, { args: [{ candidateId: ' ', by: 'tester', reason: 'x' }] }).catch((e: unknown) => e),
      30_000,
      'promote with an empty candidate',
    );
    expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((error as WorkflowUpdateFailedError).cause?.message).toMatch(/candidateId is required/);
    expect((await handle.describe()).status.name).toBe('RUNNING');
  });
});

describe('workflow input follows the name grammar', () => {
  it('a model workflow started with a bad name fails at once, non-retryable', async () => {
    const handle = await client.workflow.start('modelRefreshWorkflow', { workflowId: `model-refresh/${uniqueName('bad')}`, taskQueue: config.temporal.taskQueue, args: [{ model: '../evil' }] });
    const error = await within(handle.result().catch((e: unknown) => e), 30_000, 'a workflow with a bad model name');
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause.type).toBe('InvalidWorkflowInput');
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toMatch(/model name "\.\.\/evil" is not valid/);
  });

  it('a versionLanded signal with a bad dataset name is dropped; the workflow keeps serving', async () => {
    const handle = client.workflow.getHandle(modelRefreshWorkflowId(model));
    await handle.signal(versionLandedSignal, { dataset: 'A/B', version: 1 });
    await handle.signal(versionLandedSignal, { dataset: 'ok', version: -1 });
    const state = await within(handle.query(refreshStateQuery), 30_000, 'state query after bad signals');
    expect(state.pending).toEqual([]);
    expect(state.current).toBeNull();
    expect(state.lastVersion).toEqual({});
    expect(state.outcomes).toEqual([]);
    expect((await handle.describe()).status.name).toBe('RUNNING');
  });
});
