/**
 * Does the shadow scratch run's low priority (priorityKey 5) let a refresh's training task overtake
 * it on a busy training queue? (`npm run bench:shadow-priority`). On a Temporal dev server of its own
 * (spare ports, a temporary SQLite file; the shared one on 7233 is not touched), one worker with one
 * activity slot runs a blocker; three shadow-like tasks are scheduled while it runs, then one
 * refresh-like task at the default priority. Counted: how often the refresh-like task is the first
 * to run after the blocker, with and without the shadows' priority, on a task queue of one partition
 * and on the server's default partitions (priority orders the tasks of one partition).
 *
 * Prints a table and one JSON line.
 *
 *   npm run bench:shadow-priority -- [--rounds 6] [--port 7533]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '6' }, port: { type: 'string', default: '7533' } } });
const ROUNDS = Number(args.rounds);
const PORT = Number(args.port);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || !Number.isInteger(PORT) || PORT < 1024) {
  console.error('bench:shadow-priority: --rounds must be a positive integer and --port a free port above 1023 (e.g. --rounds 6 --port 7533)');
  process.exit(2);
}
Runtime.install({ logger: new DefaultLogger('WARN') });
const repoRoot = path.resolve(import.meta.dirname, '..');
const temporalBin = path.join(repoRoot, '.tools/bin/temporal');
const SHADOW_PRIORITY_KEY = 5;

/** A dev server with the given dynamic config; resolves once the namespace answers. */
async function startServer(dynamicConfig: string[]): Promise<{ address: string; stop: () => void }> {
  const state = mkdtempSync(path.join(tmpdir(), 'warmstart-priority-'));
  const child = spawn(temporalBin, ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(PORT), '--ui-port', String(PORT + 1000), '--db-filename', path.join(state, 't.sqlite'), '--log-level', 'error', ...dynamicConfig.flatMap((v) => ['--dynamic-config-value', v])], { stdio: 'ignore', detached: true });
  const address = `127.0.0.1:${PORT}`;
  const stop = () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  for (let tries = 0; tries < 120; tries++) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.describeNamespace({ namespace: 'default' });
      await connection.close();
      return { address, stop };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  stop();
  throw new Error(`the Temporal dev server on ${address} did not start within 60 s (is ${temporalBin} installed? infra/services.sh install)`);
}

const workflowBundle = await bundleWorkflowCode({ workflowsPath: path.join(import.meta.dirname, 'shadow-priority-workflow.ts'), logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } as never });

async function rounds(address: string, shadowPriorityKey: number | null): Promise<string[][]> {
  const connection = await NativeConnection.connect({ address });
  const client = new Client({ connection: await Connection.connect({ address }) });
  const orders: string[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const taskQueue = `priority-${shadowPriorityKey ?? 'none'}-${round}-${Date.now()}`;
    const worker = await Worker.create({
      connection,
      taskQueue,
      workflowBundle,
      maxConcurrentActivityTaskExecutions: 1,
      activities: { work: async ({ name, ms }: { name: string; ms: number }) => new Promise<string>((resolve) => setTimeout(() => resolve(name), ms)) },
    });
    orders.push(await worker.runUntil(client.workflow.execute('priorityOrderWorkflow', { taskQueue, workflowId: taskQueue, args: [{ shadowPriorityKey }] })));
  }
  await client.connection.close();
  await connection.close();
  return orders;
}

const ONE_PARTITION = ['matching.numTaskqueueReadPartitions=1', 'matching.numTaskqueueWritePartitions=1'];
const results: { partitions: string; shadowPriority: string; rounds: number; refreshFirst: number; refreshLast: number }[] = [];
for (const [partitions, config] of [['1', ONE_PARTITION], ['default', []]] as const) {
  const server = await startServer([...config]);
  try {
    for (const key of [null, SHADOW_PRIORITY_KEY]) {
      const orders = await rounds(server.address, key);
      const after = orders.map((o) => o.filter((name) => name !== 'blocker'));
      results.push({ partitions, shadowPriority: key === null ? 'default (3)' : String(key), rounds: orders.length, refreshFirst: after.filter((o) => o[0] === 'refresh').length, refreshLast: after.filter((o) => o.at(-1) === 'refresh').length });
    }
  } finally {
    server.stop();
  }
}

const header = ['partitions', 'shadow priority', 'rounds', 'refresh ran first', 'refresh ran last'];
const rows = results.map((r) => [r.partitions, r.shadowPriority, String(r.rounds), String(r.refreshFirst), String(r.refreshLast)]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const row of [header, widths.map((w) => '-'.repeat(w)), ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
console.log(JSON.stringify({ bench: 'shadow-priority', server: 'temporal dev server (CLI 1.9.1, server 1.32.0)', rounds: ROUNDS, results }));
