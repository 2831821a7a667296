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
 * Also where orchestration goes: per round-trip (one workflow task, named by what woke the workflow)
 * its dispatch and run times, and history events by type.
 *
 *   npm run bench:scale -- [--models 50] [--versions 5] [--stagger-ms 1500] [--scratch-steps 30] [--no-kill]
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
import { summarizeRoundTrips, timingOf, type RefreshTiming } from './scale-history.js';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: '50' },
    versions: { type: 'string', default: '5' },
    'stagger-ms': { type: 'string', default: '1500' },
    'no-kill': { type: 'boolean', default: false },
    'scratch-steps': { type: 'string', default: '30' },
  },
});
for (const name of ['models', 'versions', 'stagger-ms', 'scratch-steps'] as const) {
  if (!(Number(args[name]) > 0)) {
    console.error(`--${name} ${args[name]} is not a positive number; pass e.g. --${name} 10`);
    process.exit(2);
  }
}
const MODELS = Number(args.models);
const VERSIONS = Number(args.versions);
const STAGGER_MS = Number(args['stagger-ms']);
const repoRoot = path.resolve(import.meta.dirname, '..');
const run = `scale-${Date.now().toString(36)}`;

// Tiny and fast: orchestration is what is measured.
// A 10 s heartbeat timeout, so the SIGKILLed worker's run is retried on the other one within seconds.
// --scratch-steps sizes the training (a warm start runs a fraction of it): 30 measures orchestration,
// a few thousand a refresh whose training takes seconds; checkpoints stay a handful per run.
const SCRATCH_STEPS = Number(args['scratch-steps']);
// A gate every candidate passes: 30 steps teach these tiny models nothing, so under the default gate
// every refresh was a rejected scratch run; with this one refreshes promote and later versions
// warm-start, the path a production refresh takes (the gate's rules are not what is measured here).
const GATE: RefreshSettingsInput['gate'] = { thresholds: [{ metric: 'accuracy', slice: 'combined', lowerBound: 0, direction: 'higher-is-better' }], pairedTest: null, binaryOrImbalanced: null, bootstrapTest: null };
const SETTINGS: RefreshSettingsInput = { modelSpec: { kind: 'mlp', hidden: [8] }, scratchSteps: SCRATCH_STEPS, batchSize: 16, checkpointEvery: Math.max(10, Math.ceil(SCRATCH_STEPS / 3)), progressEvaluations: 0, trainingHeartbeatSeconds: 10, gate: GATE };

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

const countBy = (values: string[]) => values.reduce<Record<string, number>>((counts, v) => ({ ...counts, [v]: (counts[v] ?? 0) + 1 }), {});

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
};

/** A refresh's history, timed (bench/scale-history.ts). */
async function refreshTiming(client: Client, workflowId: string): Promise<RefreshTiming> {
  return timingOf((await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []);
}

interface LoadRun {
  client: Client;
  idleModel: string;
  models: string[];
  arrivals: Arrival[];
  idleWarm: number;
  wallSeconds: number;
  killedAt: number | null;
}

/** Lost, refreshed twice, production pointer, ledger: per model, from its workflow state and the store. */
async function checkModels(run: LoadRun) {
  const checks = { lost: 0, refreshedTwice: 0, skipped: 0, productionPointerWrong: 0, ledgerEntriesMismatch: 0 };
  const entries: AuditEntry[] = [];
  for (const model of run.models) {
    const state = await queryRefreshState(run.client, model);
    const ledger = (await listAuditEntries(store, model)).filter((e) => !e.replayOf);
    entries.push(...ledger);
    for (let v = 1; v <= VERSIONS; v++) {
      const outcomes = state.outcomes.filter((o) => o.version === v);
      const ran = outcomes.filter((o) => o.status !== 'skipped' && o.status !== 'duplicate');
      const written = ledger.filter((e) => e.datasetVersion === v).length;
      if (outcomes.length === 0) checks.lost++;
      if (ran.length > 1 || written > 1) checks.refreshedTwice++;
      if (outcomes.some((o) => o.status === 'skipped')) checks.skipped++;
      if (ran.length !== written) checks.ledgerEntriesMismatch++;
    }
    const newestPromoted = [...state.outcomes].filter((o) => o.status === 'promoted').sort((a, b) => a.version - b.version).at(-1);
    const pointer = await readProduction(store, model);
    if ((pointer?.pointer.candidateId ?? null) !== (newestPromoted?.candidateId ?? null)) checks.productionPointerWrong++;
  }
  return { checks, entries };
}

async function analyse(run: LoadRun) {
  const { checks, entries } = await checkModels(run);
  const latencies: number[] = [];
  const withoutQueueing: number[] = [];
  const shares: number[] = [];
  const sum = { wall: 0, orchestration: 0, activityWait: 0, activityRun: 0, localActivityRun: 0, workflowTasks: 0, activities: 0, localActivities: 0, events: 0 };
  const timings: RefreshTiming[] = [];
  for (const entry of entries) {
    const arrival = run.arrivals.find((a) => a.model === entry.model && a.version === entry.datasetVersion)!;
    const timing = await refreshTiming(run.client, entry.workflowId);
    timings.push(timing);
    const latency = (Date.parse(entry.finishedAt) - arrival.at) / 1000;
    // Queueing: waiting in the model's queue behind its previous refresh, and for a worker slot.
    const modelQueue = Math.max(0, (Date.parse(entry.startedAt) - arrival.at) / 1000);
    latencies.push(latency);
    withoutQueueing.push(latency - modelQueue - timing.activityWait);
    if (timing.wall > 0) shares.push(timing.orchestration / timing.wall);
    for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += timing[key];
  }
  const n = Math.max(1, entries.length);
  return {
    benchmark: 'scale', models: MODELS, versionsPerModel: VERSIONS, staggerMs: STAGGER_MS, workers: { control: 1, training: 2 }, killedTrainingWorkerAtSeconds: run.killedAt,
    wallSeconds: run.wallSeconds, refreshes: entries.length, skipped: checks.skipped, refreshesPerMinute: (entries.length / run.wallSeconds) * 60,
    arrivalToOutcomeSeconds: { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), max: Math.max(...latencies) },
    withoutQueueingSeconds: { p50: percentile(withoutQueueing, 0.5), p95: percentile(withoutQueueing, 0.95) },
    idleWarmRefreshSeconds: run.idleWarm,
    orchestrationShare: { overall: sum.orchestration / Math.max(1e-9, sum.wall), p50: percentile(shares, 0.5), p95: percentile(shares, 0.95) },
    orchestrationSecondsPerRefresh: sum.orchestration / n,
    activityQueueShare: sum.activityWait / Math.max(1e-9, sum.wall),
    perRefresh: { workflowTasks: sum.workflowTasks / n, activities: sum.activities / n, localActivities: sum.localActivities / n, events: sum.events / n },
    activitySecondsPerRefresh: (sum.activityRun + sum.localActivityRun) / n,
    trainSecondsPerRefresh: entries.reduce((s, e) => s + e.compute.trainSeconds, 0) / n,
    scratchSteps: SCRATCH_STEPS,
    statuses: countBy(entries.map((e) => `${e.status} (${e.decision.mode})`)),
    scratchReasons: countBy(entries.filter((e) => e.decision.mode === 'scratch').flatMap((e) => e.decision.reasons.map(reasonKind))),
    ...summarizeRoundTrips(timings),
    checks: { lost: checks.lost, refreshedTwice: checks.refreshedTwice, productionPointerWrong: checks.productionPointerWrong, ledgerEntriesMismatch: checks.ledgerEntriesMismatch },
  };
}

function printResult(result: Awaited<ReturnType<typeof analyse>>): void {
  const row = (name: string, value: string) => console.log(`${name.padEnd(60)}${value}`);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const { arrivalToOutcomeSeconds: a, withoutQueueingSeconds: q, orchestrationShare: o, perRefresh: r, checks: c } = result;
  console.log(`\nload test: ${MODELS} models x ${VERSIONS} versions, 1 control + 2 training worker processes${result.killedTrainingWorkerAtSeconds !== null ? `, one training worker SIGKILLed at ${result.killedTrainingWorkerAtSeconds.toFixed(0)} s` : ''}`);
  row('refreshes (ran / skipped as superseded in the queue)', `${result.refreshes} / ${result.skipped}`);
  row('wall time', `${result.wallSeconds.toFixed(0)} s`);
  row('refreshes per minute', result.refreshesPerMinute.toFixed(1));
  row('arrival -> outcome p50 / p95 / max', `${a.p50.toFixed(1)} / ${a.p95.toFixed(1)} / ${a.max.toFixed(1)} s`);
  row('the same without queueing p50 / p95', `${q.p50.toFixed(1)} / ${q.p95.toFixed(1)} s`);
  row('idle single warm refresh', `${result.idleWarmRefreshSeconds.toFixed(1)} s`);
  row('orchestration share of refresh wall (all / p50 / p95)', `${pct(o.overall)} / ${pct(o.p50)} / ${pct(o.p95)}`);
  row('orchestration seconds per refresh', result.orchestrationSecondsPerRefresh.toFixed(2));
  row('activities waiting for a worker slot (share of wall)', pct(result.activityQueueShare));
  row('activity seconds per refresh (run, local included)', result.activitySecondsPerRefresh.toFixed(2));
  row('training seconds per refresh (the ledger\'s)', result.trainSecondsPerRefresh.toFixed(2));
  row('per refresh: workflow tasks / activities (local) / events', `${r.workflowTasks.toFixed(1)} / ${r.activities.toFixed(1)} (${r.localActivities.toFixed(1)}) / ${r.events.toFixed(1)}`);
  row('lost / refreshed twice / pointer wrong / ledger mismatch', `${c.lost} / ${c.refreshedTwice} / ${c.productionPointerWrong} / ${c.ledgerEntriesMismatch}`);
  const split = result.orchestrationSplitSeconds;
  console.log(`\nrefresh outcomes: ${Object.entries(result.statuses).map(([s, n]) => `${s} ${n}`).join(', ')}`);
  console.log(`why scratch: ${Object.entries(result.scratchReasons).map(([s, n]) => `${s} ${n}`).join(', ') || '-'}`);
  console.log(`orchestration per refresh: workflow-task dispatch ${ms(split.workflowTaskDispatch)}, workflow-task run ${ms(split.workflowTaskRun)}, other ${ms(split.other)}`);
  console.log(`${'round-trip (workflow task after ...)'.padEnd(72)}${'per refresh'.padStart(12)}${'dispatch ms'.padStart(13)}${'run ms'.padStart(9)}`);
  for (const trip of result.roundTrips) console.log(`${trip.after.padEnd(72)}${trip.perRefresh.toFixed(2).padStart(12)}${trip.dispatchMs.toFixed(1).padStart(13)}${trip.runMs.toFixed(1).padStart(9)}`);
  console.log(`events per refresh: ${Object.entries(result.eventsPerRefresh).map(([t, n]) => `${t} ${n.toFixed(1)}`).join(', ')}`);
  console.log(JSON.stringify(result));
}

/** A decision reason without its numbers ("new data dominates: 41 new vs 37 old ..." -> "new data dominates"), to count them. */
const reasonKind = (reason: string) => reason.split(/[:(]/)[0]!.trim();

const ms = (seconds: number) => `${(1000 * seconds).toFixed(0)} ms`;

async function runLoad(workers: { control: ChildProcess; training: ChildProcess[] }): Promise<LoadRun> {
  const client = await connectClient(config);
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
  return { client, idleModel, models, arrivals, idleWarm, wallSeconds, killedAt: killed ? killed.at / 1000 : null };
}

async function main(): Promise<void> {
  const workers = { control: startWorker('control'), training: [startWorker('training'), startWorker('training')] };
  const stopAll = () => [workers.control, ...workers.training].forEach((w) => w.kill('SIGKILL'));
  process.on('exit', stopAll);
  try {
    const run = await runLoad(workers);
    printResult(await analyse(run));
    // The model workflows would wait for versions forever: end them; the ledger and the store stay.
    for (const model of [run.idleModel, ...run.models]) await run.client.workflow.getHandle(modelRefreshWorkflowId(model)).terminate('load test finished').catch(() => undefined);
    await run.client.connection.close();
  } finally {
    stopAll();
  }
}

await main();
process.exit(0);
