import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../config.js';
import { parseVersionPlan, planMnistVersions } from '../../data/mnist.js';
import { readProduction } from '../../registry/production.js';
import { openStore } from '../../storage/open-store.js';
import { connectClient, signalVersionLanded, waitForOutcome } from '../../temporal/client.js';
import { createWorkers } from '../../temporal/worker.js';
import { ensureLocalServices } from '../local-services.js';
import { pct } from '../output.js';
import { auditCommand } from './audit.js';
import { publishMnistRows } from './import-mnist.js';

/**
 * The main job on the embedded defaults: local Temporal + SeaweedFS S3, MNIST digits in two
 * versions (70% then 30%), an in-process worker, one refresh per version, then the production
 * model and the audit ledger.
 */
export async function demoCommand(options: { versions: string }): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const localEnv = ensureLocalServices(say);
  // Explicit settings in the environment win over the local defaults; the AWS SDK reads credentials from process.env.
  for (const [name, value] of Object.entries(localEnv)) process.env[name] ??= value;
  const config = loadConfig(process.env);
  const store = openStore(config.store, config.s3);
  await store.check();
  const runId = `${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}-${randomBytes(2).toString('hex')}`;
  const model = `digits-${runId}`;
  const dataset = `mnist-${runId}`;
  say(`store ${store.uri}, Temporal ${config.temporal.address} (Web UI http://127.0.0.1:8233), model ${model}`);

  const workers = await createWorkers({ config, store });
  const running = workers.run();
  const client = await connectClient(config);
  try {
    const parts = planMnistVersions(parseVersionPlan(options.versions));
    for (const rows of parts) {
      const published = await publishMnistRows(store, dataset, rows);
      say(`published ${dataset} v${published.version}: ${published.rows} new rows, ${published.newShards} new + ${published.inheritedShards} inherited shards`);
      await signalVersionLanded(client, { model, dataset, version: published.version, taskQueue: config.temporal.taskQueue });
      say(`signalled model-refresh/${model}; waiting for refresh/${model}/v${published.version} ...`);
      const outcome = await waitForOutcome(client, model, dataset, published.version);
      say(`  v${outcome.version}: ${outcome.status} (${outcome.mode}), test accuracy ${pct(outcome.accuracy)}`);
      for (const reason of outcome.reasons) say(`    - ${reason}`);
    }
    const production = await readProduction(store, model);
    say('\nproduction model:');
    say(production ? JSON.stringify(production.pointer, null, 2) : '  none');
    say('\naudit ledger:');
    say(await auditCommand(store, model, false));
  } finally {
    workers.shutdown();
    await running;
    await workers.close();
    await client.connection.close();
  }
}
