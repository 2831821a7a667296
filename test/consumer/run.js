// The team's worker process: its own Worker with the warmstart plugin, a training worker, and a
// client that runs two ingests. Prints one JSON line with what it saw.
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { listAuditEntries, loadConfig, openStore, readProduction } from 'warmstart';
import { WarmstartPlugin, trainingTaskQueue, waitForOutcome } from 'warmstart/plugin';
import * as activities from './activities.js';

const { model, dataset, taskQueue } = JSON.parse(process.argv[2]);
const settings = {
  scratchSteps: 150,
  warmSteps: 60,
  warmLevers: null,
  gate: {
    thresholds: [{ metric: 'accuracy', slice: 'combined', lowerBound: 0.7, absoluteChange: -0.05, direction: 'higher-is-better' }],
    pairedTest: null,
  },
};
const config = loadConfig(process.env);
const connection = await NativeConnection.connect({ address: config.temporal.address });
const plugin = new WarmstartPlugin();
const workflowsPath = fileURLToPath(new URL('./workflows.js', import.meta.url));
const control = await Worker.create({ connection, taskQueue, workflowsPath, activities, plugins: [plugin] });
const training = await Worker.create({ connection, taskQueue: trainingTaskQueue(taskQueue), plugins: [plugin] });
const running = Promise.all([control.run(), training.run()]);
const client = new Client({ connection: await Connection.connect({ address: config.temporal.address }) });
try {
  const first = await client.workflow.execute('ingestWorkflow', { taskQueue, workflowId: `ingest/${dataset}/1`, args: [{ model, dataset, batch: 1, handOff: 'child', settings }] });
  const second = await client.workflow.execute('ingestWorkflow', { taskQueue, workflowId: `ingest/${dataset}/2`, args: [{ model, dataset, batch: 2, handOff: 'announce', settings }] });
  const announced = await waitForOutcome(client, model, dataset, second.version, { timeoutMs: 180_000 });
  const store = openStore(config.store, config.s3);
  const production = await readProduction(store, model);
  const ledger = await listAuditEntries(store, model);
  process.stdout.write(
    `${JSON.stringify({
      first: { version: first.version, status: first.outcome.status, mode: first.outcome.mode },
      second: { version: second.version, status: announced.status, mode: announced.mode },
      production: production?.pointer ?? null,
      ledger: ledger.map((e) => ({ dataset: e.dataset, version: e.datasetVersion, status: e.status, mode: e.decision.mode })),
    })}\n`,
  );
} finally {
  control.shutdown();
  training.shutdown();
  await running;
  await client.connection.close();
  await connection.close();
}
