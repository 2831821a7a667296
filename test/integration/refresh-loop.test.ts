import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { bundleWorkflowCode, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/audit/ledger.js';
import { parseVersionPlan, planMnistVersions } from '../../src/data/mnist.js';
import { readProduction } from '../../src/registry/production.js';
import { signalVersionLanded, waitForOutcome } from '../../src/temporal/client.js';
import { createWorker, workflowsPath } from '../../src/temporal/worker.js';
import { publishMnistRows } from '../../src/cli/commands/import-mnist.js';
import { modelRefreshWorkflowId, versionRefreshWorkflowId } from '../../workflows/definitions.js';
import { repoRoot, testS3, uniqueName } from '../helpers/services.js';

// The walking skeleton end to end, on the real Temporal dev server and the real SeaweedFS S3.
const { config, store } = testS3();
const model = uniqueName('digits');
const dataset = uniqueName('mnist');
const settings = { scratchSteps: 200, warmSteps: 80, gate: { minAccuracy: 0.7, maxAccuracyDrop: 0.02 } };
const [v1Rows, v2Rows] = planMnistVersions(parseVersionPlan('70%,30%'));

let client: Client;
let worker: Worker;
let running: Promise<void>;
let closeWorkerConnection: () => Promise<void>;

beforeAll(async () => {
  const bundle = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
  const created = await createWorker({ config, store, workflowBundle: bundle });
  worker = created.worker;
  closeWorkerConnection = () => created.connection.close();
  running = worker.run();
  client = new Client({ connection: await Connection.connect({ address: config.temporal.address }), namespace: config.temporal.namespace });
});

afterAll(async () => {
  await client?.workflow.getHandle(modelRefreshWorkflowId(model)).terminate('test finished').catch(() => undefined);
  worker?.shutdown();
  await running;
  await closeWorkerConnection?.();
  await client?.connection.close();
  store.destroy();
});

async function publishAndRefresh(rows: typeof v1Rows) {
  const published = await publishMnistRows(store, dataset, rows!.slice(0, 2500));
  await signalVersionLanded(client, { model, dataset, version: published.version, taskQueue: config.temporal.taskQueue, settings });
  return waitForOutcome(client, model, dataset, published.version, { timeoutMs: 5 * 60_000 });
}

describe('refresh loop on real services', () => {
  it('v1: no production model, so scratch; trained, evaluated, gated and promoted', async () => {
    const outcome = await publishAndRefresh(v1Rows);
    expect(outcome).toMatchObject({ version: 1, status: 'promoted', mode: 'scratch', workflowId: versionRefreshWorkflowId(model, 1) });
    expect(outcome.accuracy).toBeGreaterThan(0.7);
    const production = await readProduction(store, model);
    expect(production?.pointer).toMatchObject({ candidateId: outcome.candidateId, datasetVersion: 1, promotedBy: outcome.workflowId });
  });

  it('v2: warm start from v1, promoted; the pointer names the new candidate', async () => {
    const outcome = await publishAndRefresh(v2Rows);
    expect(outcome).toMatchObject({ version: 2, status: 'promoted', mode: 'warm' });
    const production = await readProduction(store, model);
    expect(production?.pointer.candidateId).toBe(outcome.candidateId);
    expect(production?.pointer.datasetVersion).toBe(2);
    // The candidate is stored in the tfjs Layers format with its lineage and metrics.
    const keys = await store.list(`${production!.pointer.candidatePrefix}/`);
    expect(keys.map((k) => k.split('/').pop())).toEqual(['lineage.json', 'metrics.json', 'model.json', 'weights.bin']);
  });

  it('audit entries carry decision, steps, examples, wall seconds, backend, accuracy and gate result', async () => {
    const entries = await listAuditEntries(store, model);
    expect(entries.map((e) => [e.datasetVersion, e.status, e.decision.mode])).toEqual([
      [1, 'promoted', 'scratch'],
      [2, 'promoted', 'warm'],
    ]);
    for (const entry of entries) {
      expect(entry.decision.reasons.length).toBeGreaterThan(0);
      expect(entry.training!.steps).toBe(entry.decision.mode === 'scratch' ? 200 : 80);
      expect(entry.training!.examples).toBe(entry.training!.steps * 64);
      expect(entry.training!.wallSeconds).toBeGreaterThan(0);
      expect(entry.training!.flops).toBeGreaterThan(0);
      expect(entry.training!.backend).toMatch(/wasm|cpu|tensorflow/);
      expect(entry.evaluation!.accuracy).toBeGreaterThan(0.7);
      expect(entry.gate!.passed).toBe(true);
    }
    expect(entries[1]!.training!.initializedFrom).toBe(entries[0]!.training!.candidateId);
    expect(entries[1]!.evaluation!.productionAccuracy).not.toBeNull();
  });

  it('a duplicate signal for a refreshed version does not refresh it again', async () => {
    await signalVersionLanded(client, { model, dataset, version: 2, taskQueue: config.temporal.taskQueue, settings });
    const state = await client.workflow.getHandle(modelRefreshWorkflowId(model)).query<{ pending: unknown[]; outcomes: { version: number }[] }>('state');
    expect(state.pending).toEqual([]);
    expect(state.outcomes.filter((o) => o.version === 2)).toHaveLength(1);
  });

  it('a version whose manifest does not parse is rejected and production is untouched', async () => {
    const before = await readProduction(store, model);
    await store.put(`datasets/${dataset}/v3/manifest.json`, '{ "format": 1, "dataset": ');
    await signalVersionLanded(client, { model, dataset, version: 3, taskQueue: config.temporal.taskQueue, settings });
    const outcome = await waitForOutcome(client, model, dataset, 3, { timeoutMs: 60_000 });
    expect(outcome.status).toBe('rejected');
    expect(outcome.reasons[0]).toMatch(/manifest .*v3\/manifest.json is not valid JSON/);
    const after = await readProduction(store, model);
    expect(after).toEqual(before);
    const entry = (await listAuditEntries(store, model)).find((e) => e.datasetVersion === 3);
    expect(entry).toMatchObject({ status: 'rejected', training: null, promotion: { outcome: 'not-attempted' } });
    expect(await store.list(`models/${model}/candidates/${model}_v3`)).toEqual([]);
  });

  it('the workflow histories are visible through the server', async () => {
    const ids: string[] = [];
    for await (const execution of client.workflow.list({ query: `WorkflowType = 'refreshVersionWorkflow'` })) {
      if (execution.workflowId.startsWith(`refresh/${model}/`)) ids.push(execution.workflowId);
    }
    expect(ids.sort()).toEqual([1, 2, 3].map((v) => versionRefreshWorkflowId(model, v)));
    const history = await client.workflow.getHandle(versionRefreshWorkflowId(model, 2)).fetchHistory();
    expect(history.events?.length).toBeGreaterThan(10);

    if (process.env.RECORD_HISTORIES) {
      // Refresh the committed replay fixtures from this real run (npm run record-histories).
      const directory = path.join(repoRoot, 'test/replay/histories');
      const save = async (workflowId: string, file: string) => {
        const recorded = await client.workflow.getHandle(workflowId).fetchHistory();
        writeFileSync(path.join(directory, file), `${historyToJSON(recorded)}\n`);
      };
      await save(versionRefreshWorkflowId(model, 1), 'refresh-version-scratch.json');
      await save(versionRefreshWorkflowId(model, 2), 'refresh-version-warm.json');
      await save(versionRefreshWorkflowId(model, 3), 'refresh-version-rejected.json');
      await save(modelRefreshWorkflowId(model), 'model-refresh.json');
    }
  });
});
