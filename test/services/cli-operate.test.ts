import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/audit/ledger.js';
import { readProduction } from '../../src/registry/production.js';
import { queryRefreshState, waitForOutcome } from '../../src/temporal/client.js';
import { triggerWatch, watchScheduleId } from '../../src/temporal/schedules.js';
import { modelRefreshWorkflowId, versionRefreshWorkflowId } from '../../workflows/definitions.js';
import { dumpDom, screenshot } from '../helpers/chromium.js';
import { runInProcess } from '../helpers/cli.js';
import { decodePng, inkShare } from '../helpers/png.js';
import { startHarness, type Harness } from '../helpers/refresh-harness.js';
import { repoRoot, servicesEnv } from '../helpers/services.js';

// The operator's commands, run in this process through run(argv, io), against the real services,
// with workers of this test process serving them.
let h: Harness;
let env: Record<string, string>;
let model: string;
const dataset = 'mnist-cli';
const scratchDir = mkdtempSync(path.join(tmpdir(), 'warmstart-cli-'));
const cli = (...args: string[]) => runInProcess(args, env);

beforeAll(async () => {
  h = await startHarness();
  env = { ...servicesEnv(), WARMSTART_STORE: h.store.uri, WARMSTART_TASK_QUEUE: h.taskQueue };
  model = h.newModel();
  await h.refresh(model, dataset, (await h.publish(dataset, 'first', 2000)).version);
  await h.refresh(model, dataset, (await h.publish(dataset, 'second', 600)).version);
});
afterAll(() => h?.stop());

describe('status and audit', () => {
  it('status shows the production model, the queue and recent outcomes', async () => {
    const { code, stdout } = await cli('status', '--model', model);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`production: ${model}_${dataset}_v2-warm \\(${dataset} v2, warm`));
    expect(stdout).toMatch(/queue: empty/);
    expect(stdout).toMatch(/v1\s+promoted\s+scratch/);
  });

  it('audit prints the ledger with totals of compute spent and saved', async () => {
    const { code, stdout } = await cli('audit', '--model', model);
    expect(code).toBe(0);
    expect(stdout).toMatch(/v2\s+promoted\s+warm/);
    expect(stdout).toMatch(/compute saved: [\d.]+ GFLOP \([\d.]+%\)/);
    expect(stdout).toMatch(/estimated: the v1 scratch run's cost per step/);
  });

  it('audit --json and --parquet agree with the stored ledger', async () => {
    const entries = await listAuditEntries(h.store, model);
    const json = JSON.parse((await cli('audit', '--model', model, '--json')).stdout);
    expect(json.entries).toEqual(entries);
    expect(json.totals.refreshes).toBe(2);
    const file = path.join(scratchDir, 'ledger.parquet');
    expect((await cli('audit', '--model', model, '--parquet', file)).code).toBe(0);
    const bytes = readFileSync(file);
    const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) });
    expect(rows.map((r) => [r.dataset_version, r.status, r.decision])).toEqual([
      [1, 'promoted', 'scratch'],
      [2, 'promoted', 'warm'],
    ]);
    expect(rows[1]!.train_flops).toBe(entries[1]!.compute.flops);
    expect(rows[1]!.scratch_cost_basis).toBe('estimated');
  });

  it('an unknown model is a clear error for status, audit and report', async () => {
    expect((await cli('status', '--model', 'no-such-model')).stderr).toMatch(/unknown model no-such-model/);
    expect((await cli('audit', '--model', 'no-such-model')).stdout).toMatch(/no audit entries for model no-such-model/);
    const report = await cli('report', '--model', 'no-such-model', '--out', path.join(scratchDir, 'x.html'));
    expect(report.code).toBe(2);
    expect(report.stderr).toMatch(/no audit entries for model no-such-model/);
  });

  it('status with the Temporal server unreachable: one clear line', async () => {
    const { code, stderr } = await runInProcess(['status', '--model', model], { ...env, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^warmstart: error \[TEMPORAL_UNREACHABLE\]/);
    expect(stderr.split('\n')).toHaveLength(1);
  });
});

describe('replay', () => {
  it('re-runs a version under a new workflow ID with an override, linked to the original in the ledger', async () => {
    const before = await readProduction(h.store, model);
    const { code, stdout } = await cli('replay', '--model', model, '--version', '2', '--force', 'scratch', '--no-promote', '--by', 'ana');
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^replay/${model}/${dataset}/v2/\\d{8}T\\d{6}: rejected \\(scratch\\)`));
    expect(stdout).toMatch(/operator ana asked for scratch/);
    const replay = (await listAuditEntries(h.store, model)).find((e) => e.replayOf);
    expect(replay).toMatchObject({ replayOf: versionRefreshWorkflowId(model, dataset, 2), decision: { mode: 'scratch' }, promotion: { outcome: 'not-attempted' } });
    expect(replay!.scratchCost.basis).toBe('measured');
    // A dry-run replay never touches production.
    expect(await readProduction(h.store, model)).toEqual(before);
  });

  it('replaying a refresh that does not exist is a clear error', async () => {
    const { code, stderr } = await cli('replay', '--model', model, '--version', '99');
    expect(code).toBe(2);
    expect(stderr).toMatch(new RegExp(`no refresh workflow refresh/${model}/v99 on the server: nothing to replay`));
  });

  it('check-history: a recorded run replays deterministically; an older incompatible history reports its divergence', async () => {
    const ok = await cli('check-history', versionRefreshWorkflowId(model, dataset, 2));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^deterministic: refresh\/.*\/v2 \(\d+ events\)/);
    const old = await cli('check-history', '--file', path.join(repoRoot, 'test/replay/incompatible/refresh-version-v0-skeleton.json'));
    expect(old.code).toBe(3);
    expect(old.stdout).toMatch(/^NOT deterministic: .* diverges from the current workflow code: /);
    // The old name still works.
    const missing = await cli('replay-history', 'refresh/nope/v1');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no workflow refresh\/nope\/v1 on the server/);
  });
});

describe('promote, rollback, pause, resume', () => {
  it('rollback and promote move production, and refuse unknown candidates', async () => {
    const v1 = `${model}_${dataset}_v1-scratch`;
    const v2 = `${model}_${dataset}_v2-warm`;
    const rolled = await cli('rollback', '--model', model, '--candidate', v1, '--reason', 'canary regression', '--by', 'ana');
    expect(rolled.code).toBe(0);
    expect(rolled.stdout).toMatch(new RegExp(`rollback: production of ${model} is now ${v1} \\(dataset v1\\)`));
    expect((await readProduction(h.store, model))!.pointer.candidateId).toBe(v1);
    expect((await cli('promote', '--model', model, '--candidate', v2, '--reason', 'fixed', '--by', 'ana')).code).toBe(0);
    expect((await readProduction(h.store, model))!.pointer.candidateId).toBe(v2);
    const unknown = await cli('rollback', '--model', model, '--candidate', 'nope', '--reason', 'x');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/nope was never promoted/);
    expect((await cli('promote', '--model', model, '--candidate', v2)).stderr).toMatch(/--reason is required/);
  });

  it('pause and resume show in status', async () => {
    expect((await cli('pause', '--model', model, '--reason', 'incident 42', '--by', 'ana')).code).toBe(0);
    expect((await cli('status', '--model', model)).stdout).toMatch(/PAUSED by ana: incident 42/);
    expect((await cli('resume', '--model', model)).code).toBe(0);
    expect((await cli('status', '--model', model)).stdout).toMatch(/refresh workflow: running/);
  });
});

describe('report', () => {
  it('writes a static HTML report whose charts render in headless Chromium and whose numbers match the ledger', async () => {
    const file = path.join(scratchDir, 'report.html');
    const { code, stdout } = await cli('report', '--model', model, '--out', file);
    expect(code).toBe(0);
    expect(stdout).toContain(file);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\//);

    // Rendered DOM: three charts with drawn marks, and every number equal to the ledger's.
    const dom = await dumpDom(file);
    for (const id of ['accuracy-chart', 'compute-chart', 'cumulative-chart']) expect(dom).toMatch(new RegExp(`<figure id="${id}"[^]*?<svg`));
    expect((dom.match(/<circle /g) ?? []).length).toBeGreaterThanOrEqual(8);
    expect((dom.match(/<rect [^>]*data-series="warm start"/g) ?? []).length).toBe(2);
    const entries = await listAuditEntries(h.store, model);
    const value = (field: string, version: number) => new RegExp(`<tr data-version="${version}"[^]*?data-field="${field}" data-value="([^"]*)"`).exec(dom)?.[1];
    for (const entry of entries.filter((e) => !e.replayOf)) {
      expect(Number(value('accuracy', entry.datasetVersion))).toBe(entry.attempts.at(-1)!.evaluation.candidate.combined!.accuracy);
      expect(Number(value('gflop', entry.datasetVersion))).toBe(entry.compute.flops);
      expect(Number(value('saved-gflop', entry.datasetVersion))).toBe(entry.saved.flops);
    }
    const total = /data-field="total-saved-gflop" data-value="([^"]*)"/.exec(dom)?.[1];
    expect(Number(total)).toBeCloseTo(entries.reduce((sum, e) => sum + e.saved.flops, 0), 0);

    // Screenshot: the page is not blank.
    const png = path.join(scratchDir, 'report.png');
    await screenshot(file, png);
    const ink = inkShare(decodePng(readFileSync(png)));
    expect(ink).toBeGreaterThan(0.02);
  });
});

describe('watch (a Temporal Schedule polls the store)', () => {
  it('hands the newest version to the refresh workflow; later polls do not refresh it again', async () => {
    const watched = h.newModel('watched');
    await h.publish('mnist-watch', 'first', 1500);
    const started = await cli('watch', '--model', watched, '--dataset', 'mnist-watch', '--every', '1h', '--now');
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(new RegExp(`schedule watch/${watched}/mnist-watch: every 3600s`));
    const v1 = await waitForOutcome(h.client, watched, 'mnist-watch', 1, { timeoutMs: 120_000 });
    expect(v1).toMatchObject({ status: 'promoted', mode: 'scratch' });

    // A second poll with nothing new signals version 1 again; the model workflow ignores it.
    await triggerWatch(h.client, watched, 'mnist-watch');
    const schedule = h.client.schedule.getHandle(watchScheduleId(watched, 'mnist-watch'));
    let second: Awaited<ReturnType<typeof schedule.describe>>['info']['recentActions'][number] | undefined;
    for (let i = 0; i < 600 && !second; i++) {
      second = (await schedule.describe()).info.recentActions[1];
      if (!second) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(second, 'the schedule took a second action').toBeDefined();
    const poll = h.client.workflow.getHandle(second!.action.workflow.workflowId, second!.action.workflow.firstExecutionRunId);
    expect(await poll.result()).toEqual({ version: 1 });
    const signals = (await h.client.workflow.getHandle(modelRefreshWorkflowId(watched)).fetchHistory()).events!.filter((e) => e.workflowExecutionSignaledEventAttributes);
    expect(signals).toHaveLength(2);
    const state = await queryRefreshState(h.client, watched);
    expect(state.outcomes).toHaveLength(1);
    expect(state.pending).toEqual([]);

    expect((await cli('watch', '--model', watched, '--dataset', 'mnist-watch')).stderr).toMatch(/already exists/);
    expect((await cli('unwatch', '--model', watched, '--dataset', 'mnist-watch')).code).toBe(0);
    expect((await cli('unwatch', '--model', watched, '--dataset', 'mnist-watch')).stderr).toMatch(/nothing to unwatch/);
    expect((await cli('watch', '--model', watched, '--dataset', 'mnist-watch', '--every', '2s')).stderr).toMatch(/polls too often/);
  });
});
