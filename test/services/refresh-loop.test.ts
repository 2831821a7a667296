import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/audit/ledger.js';
import { loadExamples } from '../../src/data/examples.js';
import { summarizeVersion } from '../../src/data/summary.js';
import { loadManifest } from '../../src/data/versions.js';
import { readProduction } from '../../src/registry/production.js';
import { manifestKey, rejectionKey } from '../../src/storage/keys.js';
import { signalVersionLanded, waitForOutcome } from '../../src/temporal/client.js';
import { modelRefreshWorkflowId, versionRefreshWorkflowId } from '../../workflows/definitions.js';
import { startHarness, TEST_SETTINGS, type Harness } from '../helpers/refresh-harness.js';
import { repoRoot } from '../helpers/services.js';

// The walking skeleton end to end, on the real Temporal dev server and the real SeaweedFS S3.
let h: Harness;
let model: string;
const dataset = 'mnist-loop';

beforeAll(async () => {
  h = await startHarness();
  model = h.newModel();
});
afterAll(() => h?.stop());

describe('refresh loop on real services', () => {
  it('v1: no production model, so scratch; trained, evaluated, gated and promoted', async () => {
    const published = await h.publish(dataset, 'first');
    const outcome = await h.refresh(model, dataset, published.version);
    expect(outcome).toMatchObject({ version: 1, status: 'promoted', mode: 'scratch', workflowId: versionRefreshWorkflowId(model, dataset, 1) });
    expect(outcome.accuracy).toBeGreaterThan(0.7);
    const production = await readProduction(h.store, model);
    expect(production?.pointer).toMatchObject({ candidateId: outcome.candidateId, datasetVersion: 1, promotedBy: outcome.workflowId, mode: 'scratch', warmStartsInRow: 0 });
  });

  it('v2: warm start from v1, promoted; the pointer names the new candidate', async () => {
    const published = await h.publish(dataset, 'second', 1000);
    const outcome = await h.refresh(model, dataset, published.version);
    expect(outcome).toMatchObject({ version: 2, status: 'promoted', mode: 'warm' });
    const production = await readProduction(h.store, model);
    expect(production?.pointer).toMatchObject({ candidateId: outcome.candidateId, datasetVersion: 2, mode: 'warm', warmStartsInRow: 1 });
    // The candidate is stored in the tfjs Layers format with its lineage, metrics and blessing.
    const keys = await h.store.list(`${production!.pointer.candidatePrefix}/`);
    expect(keys.map((k) => k.split('/').pop())).toEqual(['blessing.json', 'lineage.json', 'metrics.json', 'model.json', 'weights.bin']);
  });

  it('audit entries carry decision, steps, examples, wall seconds, backend, accuracy and gate result', async () => {
    const entries = await listAuditEntries(h.store, model);
    expect(entries.map((e) => [e.datasetVersion, e.status, e.decision.mode])).toEqual([
      [1, 'promoted', 'scratch'],
      [2, 'promoted', 'warm'],
    ]);
    for (const entry of entries) {
      const [attempt] = entry.attempts;
      expect(entry.attempts).toHaveLength(1);
      expect(attempt!.training.steps).toBe(entry.decision.mode === 'scratch' ? 200 : 80);
      expect(attempt!.training.examples).toBe(attempt!.training.steps * 64);
      expect(attempt!.training.wallSeconds).toBeGreaterThan(0);
      // The 784-128(relu)-10 MLP: forward 2*784*128+128 + 128 + 2*128*10+10 = 203,530; backward
      // 2*784*128+128 + 128 + 2*(2*128*10)+10 = 206,090 (no input gradient for the first layer).
      expect(attempt!.training.flops).toBe(409_620 * attempt!.training.examples);
      expect(attempt!.training.backend).toMatch(/wasm|cpu|tensorflow/);
      expect(attempt!.evaluation.candidate.combined!.accuracy).toBeGreaterThan(0.7);
      expect(Object.keys(attempt!.evaluation.candidate)).toEqual(expect.arrayContaining(['combined', 'class:0', 'class:9']));
      expect(attempt!.gate.passed).toBe(true);
      expect(entry.compute.steps).toBe(attempt!.training.steps);
    }
    const [v1, v2] = entries;
    expect(v1!.decision.reasons).toEqual(['no production model yet']);
    const v2Summary = await summarizeVersion(h.store, await loadManifest(h.store, dataset, 2));
    expect(v2!.decision.reasons).toEqual([
      `continuing production model ${v1!.attempts[0]!.training.candidateId}: same architecture and schema; ${v2Summary.newTrain} new of ${v2Summary.train} training examples; warm start 1 in a row`,
    ]);
    expect(v1!.attempts[0]!.evaluation.production).toBeNull();
    expect(v2!.attempts[0]!.training.initializedFrom).toBe(v1!.attempts[0]!.training.candidateId);
    // Both models were measured on the same test examples, per slice, old and new data apart.
    const test = await loadExamples(h.store, await loadManifest(h.store, dataset, 2), ['test']);
    const newTest = test.isNew.reduce((n, v) => n + v, 0);
    expect(newTest).toBeGreaterThan(100);
    expect(v2!.attempts[0]!.evaluation.candidate.combined!.count).toBe(test.count);
    expect(v2!.attempts[0]!.evaluation.production!.combined!.count).toBe(test.count);
    expect(v2!.attempts[0]!.evaluation.candidate.new!.count).toBe(newTest);
    expect(v2!.attempts[0]!.evaluation.candidate.old!.count).toBe(test.count - newTest);
    expect(v2!.attempts[0]!.gate.reasons.join('\n')).toMatch(/McNemar|significant/);
  });

  it('a duplicate signal for a refreshed version does not refresh it again', async () => {
    await signalVersionLanded(h.client, { model, dataset, version: 2, taskQueue: h.taskQueue, settings: TEST_SETTINGS });
    const state = await h.client.workflow.getHandle(modelRefreshWorkflowId(model)).query<{ pending: unknown[]; outcomes: { version: number }[] }>('state');
    expect(state.pending).toEqual([]);
    expect(state.outcomes.filter((o) => o.version === 2)).toHaveLength(1);
  });

  it('a version whose manifest does not parse is rejected and production is untouched', async () => {
    const before = await readProduction(h.store, model);
    await h.store.put(manifestKey(dataset, 3), '{ "format": 1, "dataset": ');
    await signalVersionLanded(h.client, { model, dataset, version: 3, taskQueue: h.taskQueue, settings: TEST_SETTINGS });
    const outcome = await waitForOutcome(h.client, model, dataset, 3, { timeoutMs: 60_000 });
    expect(outcome.status).toBe('rejected');
    expect(outcome.reasons).toHaveLength(1);
    expect(outcome.reasons[0]).toMatch(/manifest .*v3\/manifest.json is not valid JSON/);
    expect(await readProduction(h.store, model)).toEqual(before);
    const entry = (await listAuditEntries(h.store, model)).find((e) => e.datasetVersion === 3);
    expect(entry).toMatchObject({ status: 'rejected', attempts: [], promotion: { outcome: 'not-attempted' }, rejection: outcome.reasons[0] });
    expect(await h.store.list(`models/${model}/candidates/${model}_v3`)).toEqual([]);
    // Marked with the reason and the refresh that found it, so the next publish builds on v2 rather than on the broken v3.
    const marker = await h.store.get(rejectionKey(dataset, 3));
    expect(JSON.parse(new TextDecoder().decode(marker!.body))).toEqual({ reason: outcome.reasons[0], workflowId: versionRefreshWorkflowId(model, dataset, 3) });
  });

  it('the workflow histories are visible through the server', async () => {
    const ids: string[] = [];
    for await (const execution of h.client.workflow.list({ query: `WorkflowType = 'refreshVersionWorkflow'` })) {
      if (execution.workflowId.startsWith(`refresh/${model}/`)) ids.push(execution.workflowId);
    }
    expect(ids.sort()).toEqual([1, 2, 3].map((v) => versionRefreshWorkflowId(model, dataset, v)));
    const history = await h.client.workflow.getHandle(versionRefreshWorkflowId(model, dataset, 2)).fetchHistory();
    // The warm refresh's commands, in order: validate, train, evaluate; then bless, promote and audit as one local activity (conclude-in-one).
    const scheduled = history.events!.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType!.name] : []));
    expect(scheduled).toEqual(['loadRefreshContext', 'trainCandidate', 'evaluateCandidate']);

    if (process.env.RECORD_HISTORIES) {
      // Refresh the committed replay fixtures from this real run (npm run record-histories).
      const directory = path.join(repoRoot, 'test/replay/histories');
      const save = async (workflowId: string, file: string) => {
        const recorded = await h.client.workflow.getHandle(workflowId).fetchHistory();
        writeFileSync(path.join(directory, file), `${historyToJSON(recorded)}\n`);
      };
      await save(versionRefreshWorkflowId(model, dataset, 1), 'refresh-version-scratch.json');
      await save(versionRefreshWorkflowId(model, dataset, 2), 'refresh-version-warm.json');
      await save(versionRefreshWorkflowId(model, dataset, 3), 'refresh-version-rejected.json');
      await save(modelRefreshWorkflowId(model), 'model-refresh.json');
    }
  });
});
