import { Client, Connection } from '@temporalio/client';
import { parseVersionPlan, planMnistVersions } from '../../src/data/mnist.js';
import type { RefreshSettingsInput } from '../../src/refresh/settings.js';
import { signalVersionLanded, waitForOutcome } from '../../src/temporal/client.js';
import { bundleWorkflows, createWorkers, type WarmstartWorkerOptions, type WarmstartWorkers, type WorkerRole } from '../../src/temporal/worker.js';
import { publishMnistRows } from '../../src/cli/commands/import-mnist.js';
import { modelRefreshWorkflowId } from '../../workflows/definitions.js';
import { testS3, uniqueName } from './services.js';


/**
 * The default checks, sized for small test runs: a lower floor, and a paired test at alpha 0.001 so a
 * candidate as good as production is not blocked by a chance result. Dataset names inside a test's
 * fresh store prefix are fixed, so splits, data order and outcomes repeat from run to run.
 */
export const TEST_SETTINGS: RefreshSettingsInput = {
  scratchSteps: 200,
  // A plain warm copy of 80 steps; the benchmark's levers are exercised by the demo test.
  warmSteps: 80,
  warmLevers: null,
  gate: {
    thresholds: [
      { metric: 'accuracy', slice: 'combined', lowerBound: 0.7, absoluteChange: -0.03, direction: 'higher-is-better' },
      { metric: 'accuracy', slice: 'old', absoluteChange: -0.04, direction: 'higher-is-better' },
    ],
    pairedTest: { alpha: 0.001, confidence: 0.95, waiveInsignificantDrops: false },
  },
};

/** Real workers on a fresh task queue, a client, and a fresh S3 prefix: one per test file. */
export async function startHarness(options: { role?: WorkerRole; interceptors?: WarmstartWorkerOptions['interceptors'] } = {}) {
  const { config, store, env } = testS3();
  const workflowBundle = await bundleWorkflows();
  const workers: WarmstartWorkers = await createWorkers({ config, store, workflowBundle, role: options.role, interceptors: options.interceptors });
  const running = workers.run();
  const client = new Client({ connection: await Connection.connect({ address: config.temporal.address }), namespace: config.temporal.namespace });
  const models: string[] = [];
  const [share70, share30] = planMnistVersions(parseVersionPlan('70%,30%'));

  return {
    config,
    store,
    /** Environment for a CLI or worker process that should share this harness's store and queue. */
    env: { ...env, WARMSTART_TASK_QUEUE: config.temporal.taskQueue },
    client,
    taskQueue: config.temporal.taskQueue,
    newModel(prefix = 'digits') {
      const model = uniqueName(prefix);
      models.push(model);
      return model;
    },
    /** Publishes the next version of `dataset` from MNIST rows (70% share first, then the 30% share). */
    async publish(dataset: string, part: 'first' | 'second', limit = 2500) {
      return publishMnistRows(store, dataset, (part === 'first' ? share70 : share30)!.slice(0, limit));
    },
    async refresh(model: string, dataset: string, version: number, settings: RefreshSettingsInput = TEST_SETTINGS) {
      await signalVersionLanded(client, { model, dataset, version, taskQueue: config.temporal.taskQueue, settings });
      return waitForOutcome(client, model, dataset, version, { timeoutMs: 5 * 60_000 });
    },
    async stop() {
      for (const model of models) await client.workflow.getHandle(modelRefreshWorkflowId(model)).terminate('test finished').catch(() => undefined);
      workers.shutdown();
      await running;
      await workers.close();
      await client.connection.close();
      store.destroy();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;
