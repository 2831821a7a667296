import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/audit/ledger.js';
import { costTotals } from '../../src/audit/totals.js';
import { verifyChain } from '../../src/audit/verify.js';
import { shardBytes } from '../../src/audit/measure.js';
import { loadManifest } from '../../src/data/versions.js';
import { versionRefreshWorkflowId, type RefreshOutcome } from '../../workflows/definitions.js';
import { startHarness, TEST_SETTINGS, type Harness } from '../helpers/refresh-harness.js';
import { runCli } from '../helpers/cli.js';
import { repoRoot, servicesEnv } from '../helpers/services.js';
import { loadPriceTable } from '../../src/audit/pricing.js';

// A training worker SIGKILLed between checkpoints: the ledger counts the steps it did, the ones lost
// after its last checkpoint, and the ones the retry redid; with every activity's device-seconds.
let h: Harness;
const workers: ChildProcess[] = [];
let killedModel: string;
const scratchDir = mkdtempSync(path.join(tmpdir(), 'warmstart-lost-'));

function startTrainingWorker(script?: { path: string; env: Record<string, string> }): ChildProcess {
  const args = script ? [script.path] : [path.join(repoRoot, 'src/cli/bin.ts'), 'worker', '--role', 'training'];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: repoRoot, env: { ...process.env, ...h.env, ...script?.env }, stdio: 'ignore' });
  workers.push(child);
  return child;
}

const exited = (child: ChildProcess) => new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));

beforeAll(async () => {
  h = await startHarness({ role: 'control' });
});
afterAll(async () => {
  for (const child of workers) child.kill('SIGKILL');
  await h?.stop();
});

describe('work lost to a killed training worker', () => {
  it('steps across attempts equal the completed run plus the lost steps, and the lost attempt is priced apart', async () => {
    const model = h.newModel();
    killedModel = model;
    const dataset = 'mnist-lost';
    await h.publish(dataset, 'first', 1500);
    const settings = { ...TEST_SETTINGS, scratchSteps: 600, checkpointEvery: 60, trainingHeartbeatSeconds: 5 };
    // Checkpoints at 60 and 120; the worker dies at step 150: 30 steps lost, redone by the retry from 120.
    const first = startTrainingWorker({ path: path.join(repoRoot, 'test/helpers/training-worker-that-dies.ts'), env: { DIE_AT_STEP: '150' } });
    const firstExit = exited(first);
    const handle = await h.client.workflow.start('refreshVersionWorkflow', {
      workflowId: versionRefreshWorkflowId(model, dataset, 1),
      taskQueue: h.taskQueue,
      args: [{ model, dataset, version: 1, settings }],
    });
    expect(await firstExit).toBe('SIGKILL');
    startTrainingWorker();
    expect(((await handle.result()) as RefreshOutcome).status).toBe('promoted');

    const [entry] = await listAuditEntries(h.store, model);
    const training = entry!.attempts[0]!.training;
    expect(training.steps).toBe(600);
    expect(training.resumedFromStep).toBe(120);
    expect(training.work).toEqual({ stepsDone: 630, stepsLost: 30, stepsRedone: 30, attempts: 2 });
    expect(training.work!.stepsDone).toBe(training.steps + training.work!.stepsLost);

    // Every activity run is in the entry: validation, both training attempts, evaluation.
    const runs = entry!.usage!.activities;
    expect(runs.map((r) => r.activity)).toEqual(['loadRefreshContext', 'trainCandidate', 'trainCandidate', 'evaluateCandidate']);
    const versionBytes = shardBytes(await loadManifest(h.store, dataset, 1));
    for (const run of runs) {
      // Measured times: only that each run was measured at all.
      expect(run.usage.wallSeconds).toBeGreaterThan(0);
      expect(Object.values(run.usage.deviceSeconds).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      // Every run reads the whole version at least once; validation and evaluation exactly once.
      expect(run.usage.bytesRead).toBeGreaterThanOrEqual(versionBytes);
    }
    expect([runs[0]!.usage.bytesRead, runs[3]!.usage.bytesRead]).toEqual([versionBytes, versionBytes]);
    // FLOPs where known: training (both attempts' share is in the final one's count) and evaluation:
    // one forward pass of the 784-128(relu)-10 MLP (203,530 FLOPs) per test example, no production model.
    expect(runs[3]!.usage.flops).toBe(203_530 * entry!.attempts[0]!.evaluation.testCount);
    expect(runs[2]!.usage.flops).toBe(training.flops);
    const totals = costTotals([entry!], null);
    expect(totals).toMatchObject({ stepsDone: 630, stepsLost: 30, stepsRedone: 30 });
    // The lost share: the killed attempt's training usage times its lost fraction of the steps done.
    const trainingSeconds = runs.filter((r) => r.activity === 'trainCandidate').reduce((s, r) => s + Object.values(r.usage.deviceSeconds).reduce((a, b) => a + b, 0), 0);
    expect(totals.lost.deviceHours).toBeCloseTo(((trainingSeconds / 3600) * 30) / 630, 10);
    expect(await verifyChain(h.store, model)).toMatchObject({ ok: true, records: 1 });
  });

  it('a rejected version still records what validating it spent', async () => {
    const model = h.newModel();
    const dataset = 'mnist-rejected';
    const { version } = await h.publish(dataset, 'first', 600);
    const manifest = JSON.parse(new TextDecoder().decode((await h.store.get(`datasets/${dataset}/v${version}/manifest.json`))!.body));
    await h.store.put(manifest.shards.at(-1).key, 'not the bytes the manifest hashed');
    expect((await h.refresh(model, dataset, version)).status).toBe('rejected');
    const [entry] = await listAuditEntries(h.store, model);
    expect(entry!.usage!.activities.map((a) => [a.activity, a.subject])).toEqual([['loadRefreshContext', 'validation (rejected)']]);
    const validation = entry!.usage!.activities[0]!.usage;
    expect(validation.wallSeconds).toBeGreaterThan(0);
    // The ledger's device-hours are that one run's device-seconds.
    expect(costTotals([entry!], null).deviceHours).toBeCloseTo(Object.values(validation.deviceSeconds).reduce((a, b) => a + b, 0) / 3600, 12);
  });

  // The report has no script: its file is what a browser renders (test/browser renders one in Chromium).
  it('the report shows the cost chart with the lost work apart, its numbers equal to the ledger', async () => {
    const prices = path.join(scratchDir, 'prices.json');
    writeFileSync(prices, JSON.stringify({ version: 'test-table', currency: 'EUR', devices: { 'cpu:*': { perDeviceHour: 36, watts: 100 }, 'gpu:*': { perDeviceHour: 360 } } }));
    const file = path.join(scratchDir, 'report.html');
    const env = { ...servicesEnv(), WARMSTART_STORE: h.store.uri, WARMSTART_PRICES: prices };
    expect((await runCli(['report', '--model', killedModel, '--out', file], env)).code).toBe(0);
    const dom = readFileSync(file, 'utf8');
    expect(dom).toMatch(/<figure id="cost-chart"><figcaption>Cost per version \(EUR; priced with table "test-table"/);
    const entries = await listAuditEntries(h.store, killedModel);
    const totals = costTotals(entries, loadPriceTable({ WARMSTART_PRICES: prices }));
    const bar = (series: string) => Number(new RegExp(`<rect [^>]*data-series="${series}" data-index="0" data-value="([^"]*)"`).exec(dom)?.[1]);
    // 30 of the 630 steps done were lost: a share of the money, drawn apart.
    expect(totals.lost.money!).toBeGreaterThan(0);
    expect(bar('lost to retries')).toBeCloseTo(totals.lost.money!, 10);
    expect(bar('work kept') + bar('lost to retries')).toBeCloseTo(totals.money!, 10);
    const cell = (name: string) => Number(new RegExp(`<tr data-cost-version="v1">[^]*?data-field="${name}" data-value="([^"]*)"`).exec(dom)?.[1]);
    expect(cell('device-hours')).toBeCloseTo(totals.deviceHours, 12);
    expect(cell('lost-device-hours')).toBeCloseTo(totals.lost.deviceHours, 12);
    expect(cell('steps-lost')).toBe(30);
  });
});
