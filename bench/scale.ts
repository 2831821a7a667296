/**
 * The load test of issue 16 (`npm run bench:scale`): many models, each receiving dataset versions at
 * staggered times, refreshed by separate worker processes (one control, two training) against the
 * local Temporal dev server and SeaweedFS; halfway through, one training worker is SIGKILLed and
 * restarted. Data and schedules are tiny, so what is measured is orchestration, not training.
 *
 * Prints a table and one JSON line: refreshes per minute; arrival-to-outcome p50/p95/max (and for
 * an idle single refresh first); the time outside every activity as a share of a refresh's wall time
 * (what Temporal and the workers add: task dispatch, queueing, round-trips); workflow and activity
 * tasks per refresh; and the checks: no version lost or refreshed twice, every production pointer at
 * the model's newest promoted version, one ledger entry per refresh that ran.
 *
 *   npm run bench:scale -- [--models 50] [--versions 5] [--stagger-ms 400] [--no-kill]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { listAuditEntries, type AuditEntry } from '../src/audit/ledger.js';
import { ensureLocalServices } from '../src/cli/local-services.js';
import { loadConfig } from '../src/config.js';
import { publishFiles } from '../src/data/publish-files.js';
import type { RefreshSettingsInput } from '../src/refresh/settings.js';
import { readProduction } from '../src/registry/production.js';
import { openStore } from '../src/storage/open-store.js';
import { connectClient, queryRefreshState, signalVersionLanded } from '../src/temporal/client.js';
import { modelRefreshWorkflowId } from '../workflows/definitions.js';

const { values: args } = parseArgs({
  options: { models: { type: 'string', default: '50' }, versions: { type: 'string', default: '5' }, 'stagger-ms': { type: 'string', default: '400' }, 'no-kill': { type: 'boolean', default: false } },
});
const MODELS = Number(args.models);
const VERSIONS = Number(args.versions);
const STAGGER_MS = Number(args['stagger-ms']);
const repoRoot = path.resolve(import.meta.dirname, '..');
const run = `scale-${Date.now().toString(36)}`;

// Tiny and fast: orchestration is what is measured.
// A 10 s heartbeat timeout, so the SIGKILLed worker's run is retried on the other one within seconds.
const SETTINGS: RefreshSettingsInput = { modelSpec: { kind: 'mlp', hidden: [8] }, scratchSteps: 30, batchSize: 16, checkpointEvery: 10, progressEvaluations: 0, trainingHeartbeatSeconds: 10 };

const env = { ...process.env, ...ensureLocalServices((line) => console.error(line)) };
Object.assign(process.env, { AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY });
const storeUri = `${env.WARMSTART_STORE}/${run}`;
const taskQueue = `${run}-q`;
const workerEnv = { ...env, WARMSTART_STORE: storeUri, WARMSTART_TASK_QUEUE: taskQueue, WARMSTART_LOG_LEVEL: 'ERROR' };
const config = loadConfig(workerEnv);
const store = openStore(config.store, config.s3);
const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-scale-'));

/** Rows with a known signal: the label is whether a + b > 10. */
function csv(name: string, from: number, rows: number): string {
  const lines = ['id,a,b,label'];
  for (let i = from; i < from + rows; i++) {
    const a = (i * 7) % 11;
    const b = (i * 5) % 13;
    lines.push(`${i},${a},${b},${a + b > 10 ? 'high' : 'low'}`);
  }
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function startWorker(role: 'control' | 'training'): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/bin.ts'), 'worker', '--role', role], { cwd: repoRoot, env: workerEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  return child;
}

interface Arrival {
  model: string;
  dataset: string;
  version: number;
  at: number;
}

async function publishAndAnnounce(client: Client, model: string, version: number, arrivals: Arrival[]): Promise<void> {
  const dataset = `${model}-data`;
  await publishFiles(store, { dataset, files: [csv(`${model}-v${version}.csv`, version * 1000, 80)], label: 'label', features: ['a', 'b'], idColumn: 'id' });
  arrivals.push({ model, dataset, version, at: Date.now() });
  await signalVersionLanded(client, { model, dataset, version, taskQueue, settings: SETTINGS });
}

/** Every model has an outcome for its last version and nothing running or queued. */
async function allSettled(client: Client, models: string[], versions: number): Promise<number> {
  let settled = 0;
  for (const model of models) {
    const state = await queryRefreshState(client, model).catch(() => undefined);
    if (state && !state.current && state.pending.length === 0 && (state.lastVersion[`${model}-data`] ?? 0) >= versions) settled++;
  }
  return settled;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
};

async function refreshTasks(client: Client, entries: AuditEntry[]): Promise<{ workflowTasks: number; activityTasks: number; events: number }> {
  let workflowTasks = 0;
  let activityTasks = 0;
  let events = 0;
  for (const entry of entries) {
    const history = await client.workflow.getHandle(entry.workflowId).fetchHistory();
    for (const event of history.events ?? []) {
      events++;
      if (event.workflowTaskCompletedEventAttributes) workflowTasks++;
      if (event.activityTaskScheduledEventAttributes) activityTasks++;
    }
  }
  const n = Math.max(1, entries.length);
  return { workflowTasks: workflowTasks / n, activityTasks: activityTasks / n, events: events / n };
}

/** Wall time of a refresh outside every activity it ran: what orchestration adds. */
function overheadShare(entry: AuditEntry): { wall: number; outside: number } {
  const wall = (Date.parse(entry.finishedAt) - Date.parse(entry.startedAt)) / 1000;
  const inside = (entry.usage?.activities ?? []).reduce((sum, a) => sum + a.usage.wallSeconds, 0);
  return { wall, outside: Math.max(0, wall - inside) };
}

async function main(): Promise<void> {
  const client = await connectClient(config);
  const workers = { control: startWorker('control'), training: [startWorker('training'), startWorker('training')] };
  const stopAll = () => [workers.control, ...workers.training].forEach((w) => w.kill('SIGKILL'));
  process.on('exit', stopAll);
  try {
    // An idle single refresh first (scratch, then a warm one), on its own model.
    const idle: Arrival[] = [];
    const idleModel = `${run}-idle`;
    for (let v = 1; v <= 2; v++) {
      await publishAndAnnounce(client, idleModel, v, idle);
      while ((await allSettled(client, [idleModel], v)) < 1) await new Promise((r) => setTimeout(r, 250));
    }
    const idleEntries = await listAuditEntries(store, idleModel);
    const idleLatency = (entry: AuditEntry) => (Date.parse(entry.finishedAt) - idle.find((a) => a.version === entry.datasetVersion)!.at) / 1000;
    const idleWarm = idleLatency(idleEntries.find((e) => e.datasetVersion === 2)!);

    const models = Array.from({ length: MODELS }, (_, i) => `${run}-m${String(i).padStart(3, '0')}`);
    const arrivals: Arrival[] = [];
    const started = Date.now();
    // Version v of model i lands at (v - 1) * MODELS * STAGGER_MS + i * STAGGER_MS: every model's versions are spread over the run.
    const landings = models.flatMap((model, i) => Array.from({ length: VERSIONS }, (_, k) => ({ model, version: k + 1, due: (k * MODELS + i) * STAGGER_MS })));
    landings.sort((a, b) => a.due - b.due);
    let killed: { at: number; restartedAt: number } | null = null;
    for (const landing of landings) {
      const wait = started + landing.due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await publishAndAnnounce(client, landing.model, landing.version, arrivals);
      if (!args['no-kill'] && !killed && arrivals.length >= landings.length / 2) {
        const at = Date.now();
        workers.training[0]!.kill('SIGKILL');
        workers.training[0] = startWorker('training');
        killed = { at: at - started, restartedAt: Date.now() - started };
        console.error(`killed a training worker (SIGKILL) at ${(killed.at / 1000).toFixed(1)} s and restarted it`);
      }
    }
    const deadline = Date.now() + 30 * 60_000;
    for (let settled = 0; settled < MODELS && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 3000));
      settled = await allSettled(client, models, VERSIONS);
      console.error(`  ${settled}/${MODELS} models settled, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    const wallSeconds = (Date.now() - started) / 1000;

    // Outcomes, ledger and production pointers.
    const latencies: number[] = [];
    const shares: number[] = [];
    const allEntries: AuditEntry[] = [];
    let lost = 0;
    let twice = 0;
    let skipped = 0;
    let pointerWrong = 0;
    let ledgerMismatch = 0;
    for (const model of models) {
      const state = await queryRefreshState(client, model);
      const entries = (await listAuditEntries(store, model)).filter((e) => !e.replayOf);
      allEntries.push(...entries);
      for (let v = 1; v <= VERSIONS; v++) {
        const outcomes = state.outcomes.filter((o) => o.version === v);
        const ran = outcomes.filter((o) => o.status !== 'skipped' && o.status !== 'duplicate');
        if (outcomes.length === 0) lost++;
        if (ran.length > 1 || entries.filter((e) => e.datasetVersion === v).length > 1) twice++;
        if (outcomes.some((o) => o.status === 'skipped')) skipped++;
        if (ran.length !== entries.filter((e) => e.datasetVersion === v).length) ledgerMismatch++;
      }
      const newestPromoted = [...state.outcomes].filter((o) => o.status === 'promoted').sort((a, b) => a.version - b.version).at(-1);
      const pointer = await readProduction(store, model);
      if ((pointer?.pointer.candidateId ?? null) !== (newestPromoted?.candidateId ?? null)) pointerWrong++;
      for (const entry of entries) {
        const arrival = arrivals.find((a) => a.model === model && a.version === entry.datasetVersion);
        if (arrival) latencies.push((Date.parse(entry.finishedAt) - arrival.at) / 1000);
        const { wall, outside } = overheadShare(entry);
        if (wall > 0) shares.push(outside / wall);
      }
    }
    const tasks = await refreshTasks(client, allEntries);
    const totals = allEntries.reduce((sum, e) => { const { wall, outside } = overheadShare(e); return { wall: sum.wall + wall, outside: sum.outside + outside }; }, { wall: 0, outside: 0 });
    const result = {
      benchmark: 'scale', models: MODELS, versionsPerModel: VERSIONS, workers: { control: 1, training: 2 }, killedTrainingWorkerAtSeconds: killed ? killed.at / 1000 : null,
      wallSeconds, refreshes: allEntries.length, skipped, refreshesPerMinute: (allEntries.length / wallSeconds) * 60,
      arrivalToOutcomeSeconds: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), max: Math.max(...latencies) }, idleWarmRefreshSeconds: idleWarm,
      orchestrationShare: { overall: totals.outside / Math.max(1e-9, totals.wall), p50: percentile(shares, 0.5), p95: percentile(shares, 0.95) },
      perRefresh: tasks,
      checks: { lost, refreshedTwice: twice, productionPointerWrong: pointerWrong, ledgerEntriesMismatch: ledgerMismatch },
    };
    const row = (name: string, value: string) => console.log(`${name.padEnd(44)}${value}`);
    console.log(`\nload test: ${MODELS} models x ${VERSIONS} versions, 1 control + 2 training worker processes${killed ? `, one training worker SIGKILLed at ${(killed.at / 1000).toFixed(0)} s` : ''}`);
    row('refreshes (ran / skipped as superseded)', `${allEntries.length} / ${skipped}`);
    row('wall time', `${wallSeconds.toFixed(0)} s`);
    row('refreshes per minute', result.refreshesPerMinute.toFixed(1));
    row('arrival -> outcome p50 / p95 / max', `${result.arrivalToOutcomeSeconds.p50.toFixed(1)} / ${result.arrivalToOutcomeSeconds.p95.toFixed(1)} / ${result.arrivalToOutcomeSeconds.max.toFixed(1)} s`);
    row('idle single warm refresh', `${idleWarm.toFixed(1)} s`);
    row('time outside activities (overall / p50 / p95)', `${(100 * result.orchestrationShare.overall).toFixed(1)}% / ${(100 * result.orchestrationShare.p50).toFixed(1)}% / ${(100 * result.orchestrationShare.p95).toFixed(1)}%`);
    row('per refresh: workflow tasks / activities / events', `${tasks.workflowTasks.toFixed(1)} / ${tasks.activityTasks.toFixed(1)} / ${tasks.events.toFixed(1)}`);
    row('lost / refreshed twice / pointer wrong / ledger mismatch', `${lost} / ${twice} / ${pointerWrong} / ${ledgerMismatch}`);
    console.log(JSON.stringify(result));
    // The model workflows would wait for versions forever: end them, the ledger and the store stay.
    for (const model of [idleModel, ...models]) await client.workflow.getHandle(modelRefreshWorkflowId(model)).terminate('load test finished').catch(() => undefined);
    await client.connection.close();
  } finally {
    stopAll();
  }
}

await main();
process.exit(0);
