/**
 * The demo's refreshes with a shadow scratch run beside every warm start (`npm run bench:shadow`):
 * measured, not estimated, scratch cost and accuracy per version. On the local services (started if
 * none answer), an in-process worker pair, the demo's MNIST version plan and settings plus
 * `shadowScratch: { everyVersions: 1 }`. Each version's shadow is awaited before the next version is
 * published, so every scratch run trains alone and its seconds are comparable.
 *
 * Prints a table (per warm start: refresh and scratch accuracy, the warm-start gap with McNemar's
 * one-sided p that the warm start is worse, scratch GFLOP and seconds estimated and measured, saved
 * estimated and measured) and one JSON line; writes the HTML report.
 *
 *   npm run bench:shadow -- [--versions 60%,15%,15%,10%] [--report file]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { listAuditEntries } from '../src/audit/ledger.js';
import { joinShadowRecords, shadowTotals } from '../src/audit/shadow.js';
import { listShadowScratchRecords } from '../src/audit/shadow-ledger.js';
import { DEMO_SETTINGS } from '../src/cli/commands/demo.js';
import { publishMnistRows } from '../src/cli/commands/import-mnist.js';
import { reportCommand } from '../src/cli/commands/report.js';
import { ensureLocalServices } from '../src/cli/local-services.js';
import { loadConfig } from '../src/config.js';
import { parseVersionPlan, planMnistVersions } from '../src/data/mnist.js';
import { openStore } from '../src/storage/open-store.js';
import { connectClient, signalVersionLanded, waitForOutcome } from '../src/temporal/client.js';
import { createWorkers } from '../src/temporal/worker.js';
import { shadowScratchWorkflowId } from '../workflows/definitions.js';

// Worker logs at WARN: the table is the output.
Runtime.install({ logger: new DefaultLogger('WARN') });
const { values: args } = parseArgs({ options: { versions: { type: 'string', default: '60%,15%,15%,10%' }, report: { type: 'string', default: 'warmstart-report-shadow.html' } } });
const env = { ...ensureLocalServices((line) => console.error(line)), ...process.env } as Record<string, string | undefined>;
for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) process.env[name] ??= env[name];
const runId = `${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}-${randomBytes(2).toString('hex')}`;
const model = `digits-shadow-${runId}`;
const dataset = `mnist-shadow-${runId}`;
const config = loadConfig({ ...env, WARMSTART_TASK_QUEUE: `bench-shadow-${runId}` });
const store = openStore(config.store, config.s3);
const settings = { ...DEMO_SETTINGS, shadowScratch: { everyVersions: 1 } };

const workers = await createWorkers({ config, store });
const running = workers.run();
const client = await connectClient(config);
try {
  for (const rows of planMnistVersions(parseVersionPlan(args.versions))) {
    const { version } = await publishMnistRows(store, dataset, rows);
    await signalVersionLanded(client, { model, dataset, version, taskQueue: config.temporal.taskQueue, settings });
    const outcome = await waitForOutcome(client, model, dataset, version, { timeoutMs: 30 * 60_000 });
    console.error(`v${version}: ${outcome.status} (${outcome.mode})`);
    if (outcome.mode !== 'warm') continue;
    // Started by the model workflow right after the outcome was recorded; wait until the server has it, then for its result.
    const shadow = client.workflow.getHandle(shadowScratchWorkflowId(outcome.workflowId));
    for (let tries = 0; ; tries++) {
      try {
        await shadow.describe();
        break;
      } catch (error) {
        if (tries > 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    await shadow.result();
  }
  const comparisons = joinShadowRecords(await listAuditEntries(store, model), await listShadowScratchRecords(store, model));
  const g = (flops: number) => (flops / 1e9).toFixed(2);
  const p = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(2)}%`);
  const header = ['version', 'refresh acc', 'scratch acc', 'gap (pts)', 'p worse', 'scratch GFLOP est', 'measured', 'scratch s est', 'measured', 'saved GFLOP est', 'measured'];
  const rows = comparisons.map((c) => [
    `v${c.datasetVersion}`,
    p(c.refresh.accuracy),
    p(c.measured.accuracy),
    c.accuracyGap === null ? '-' : (100 * c.accuracyGap).toFixed(2),
    c.pWorseThanScratch === null ? '-' : c.pWorseThanScratch.toFixed(3),
    g(c.estimated.flops),
    `${g(c.measured.flops)} (${c.measured.steps} steps)`,
    c.estimated.trainSeconds.toFixed(1),
    c.measured.trainSeconds.toFixed(1),
    g(c.estimated.saved.flops),
    g(c.saved.flops),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, widths.map((w) => '-'.repeat(w)), ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
  console.error(`report: ${await reportCommand(store, model, args.report, env)}`);
  console.log(JSON.stringify({ bench: 'shadow-scratch', model, versions: args.versions, settings, totals: shadowTotals(comparisons), comparisons }));
} finally {
  workers.shutdown();
  await running;
  await workers.close();
  await client.connection.close();
}
