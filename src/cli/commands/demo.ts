import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../config.js';
import { parseVersionPlan, planMnistVersions } from '../../data/mnist.js';
import { loadManifest } from '../../data/versions.js';
import { readProduction } from '../../registry/production.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { openStore } from '../../storage/open-store.js';
import { connectClient, signalVersionLanded, waitForOutcome } from '../../temporal/client.js';
import { createWorkers } from '../../temporal/worker.js';
import { defineCommand } from '../command.js';
import type { CliIo } from '../io.js';
import { ensureLocalServices } from '../local-services.js';
import { pct } from '../output.js';
import { auditCommand } from './audit.js';
import { publishMnistRows } from './import-mnist.js';
import { reportCommand } from './report.js';

/** Flips bytes in the middle of a version's new shard: what a truncated or corrupted upload looks like. */
async function corruptNewShard(store: ObjectStore, dataset: string, version: number): Promise<string> {
  const manifest = await loadManifest(store, dataset, version);
  const shard = manifest.shards.find((s) => s.addedInVersion === version)!;
  const bytes = (await store.get(shard.key))!.body.slice();
  for (let i = 0; i < 64; i++) bytes[Math.floor(bytes.length / 2) + i] = 0xff - bytes[Math.floor(bytes.length / 2) + i]!;
  await store.put(shard.key, bytes);
  return shard.key;
}

/**
 * The scratch recipe at 6 epochs, not the default 15: the demo stays about as long as with its former
 * 400 scratch steps on 2 cores (v1's 4200 training rows: 394 steps); warm starts are a fraction of it.
 */
export const DEMO_SETTINGS = { scratchEpochs: 6 };

/**
 * The main job on the embedded defaults: local Temporal + SeaweedFS S3, real MNIST digits published
 * as several versions, an in-process worker, one refresh per version (scratch first, then warm
 * starts), one corrupted version that is rejected, then the production model, the compute ledger
 * with what was saved against retraining from scratch, and the HTML report.
 */
export async function demoCommand(options: { versions: string; report: string }, io: CliIo): Promise<void> {
  const say = (line: string) => io.stdout.write(`${line}\n`);
  const localEnv = ensureLocalServices(say);
  // Explicit settings in the environment win over the local defaults.
  const env = { ...localEnv, ...io.env };
  // The AWS SDK's credential chain reads process.env.
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) process.env[name] ??= env[name];
  const config = loadConfig(env);
  const store = openStore(config.store, config.s3);
  await store.check();
  const runId = `${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}-${randomBytes(2).toString('hex')}`;
  const model = `digits-${runId}`;
  const dataset = `mnist-${runId}`;
  const webUi = config.temporal.address === localEnv.TEMPORAL_ADDRESS && localEnv.WARMSTART_TEMPORAL_UI ? ` (Web UI ${localEnv.WARMSTART_TEMPORAL_UI})` : '';
  say(`store ${store.uri}, Temporal ${config.temporal.address}${webUi}, model ${model}`);

  const workers = await createWorkers({ config, store });
  const running = workers.run();
  const client = await connectClient(config);
  const refresh = async (version: number) => {
    await signalVersionLanded(client, { model, dataset, version, taskQueue: config.temporal.taskQueue, settings: DEMO_SETTINGS });
    const started = Date.now();
    const outcome = await waitForOutcome(client, model, dataset, version, {
      onPoll: () => io.stderr.isTTY && io.stderr.write(`\r  refresh/${model}/${dataset}/v${version}: running ${Math.round((Date.now() - started) / 1000)}s`),
    });
    if (io.stderr.isTTY) io.stderr.write('\n');
    say(`  v${outcome.version}: ${outcome.status} (${outcome.mode}), test accuracy ${pct(outcome.accuracy)}`);
    for (const reason of outcome.reasons) say(`    - ${reason}`);
  };
  try {
    const parts = planMnistVersions(parseVersionPlan(options.versions));
    for (const rows of parts) {
      const published = await publishMnistRows(store, dataset, rows, io.stderr);
      say(`published ${dataset} v${published.version}: ${published.rows} new rows, ${published.newShards} new + ${published.inheritedShards} inherited shards`);
      await refresh(published.version);
    }
    const bad = await publishMnistRows(store, dataset, parts.at(-1)!.slice(0, 300), io.stderr);
    const key = await corruptNewShard(store, dataset, bad.version);
    say(`published ${dataset} v${bad.version}, then corrupted ${key} (a broken upload)`);
    await refresh(bad.version);

    const production = await readProduction(store, model);
    say(`\nproduction model: ${production ? `${production.pointer.candidateId} (v${production.pointer.datasetVersion}, ${production.pointer.mode}, test accuracy ${pct(production.pointer.testAccuracy)})` : 'none'}`);
    say('\naudit ledger:');
    say(await auditCommand(store, model, { env }));
    say(`\nreport: ${await reportCommand(store, model, options.report, env)}`);
  } finally {
    workers.shutdown();
    await running;
    await workers.close();
    await client.connection.close();
  }
}

export const demoCli = defineCommand({
  name: 'demo',
  group: 'refreshing',
  summary: 'the main job: local services, MNIST versions (one corrupted), refreshes, ledger, report',
  options: {
    versions: { type: 'string', value: '60%,15%,15%,10%', help: 'the shares of MNIST each version brings (default 60%,15%,15%,10%)' },
    report: { type: 'string', value: '<file>', help: 'where to write the HTML report (default warmstart-report.html)' },
  },
  quiet: true,
  async run({ values, io }) {
    await demoCommand({ versions: values.versions ?? '60%,15%,15%,10%', report: values.report ?? 'warmstart-report.html' }, io);
  },
});
