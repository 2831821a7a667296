import type { Client } from '@temporalio/client';
import { SimplePlugin } from '@temporalio/plugin';
import type { Worker, WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { trainingTaskQueue } from '../../workflows/activities.js';
import { loadConfig, type WarmstartConfig } from '../config.js';
import type { ObjectStore } from '../storage/object-store.js';
import { openStore } from '../storage/open-store.js';
import { connectClient, signalVersionLanded } from './client.js';
import { workflowsPath } from './workflows-path.js';

/**
 * Which of warmstart's activities a worker serves. `control`: validation, evaluation, promotion,
 * audit, the store watcher and `announceVersion`, on the queue that runs the workflows; `training`:
 * `trainCandidate` only, on `<queue>-training` (GPU machines).
 */
export type PluginRole = 'control' | 'training';

export interface WarmstartPluginOptions {
  /** Where datasets, models and the ledger live; by default the store that WARMSTART_STORE names. */
  store?: ObjectStore;
  /** Temporal address and namespace for the client that announces versions; by default from the environment. */
  config?: WarmstartConfig;
  /** A client for signal-with-start; by default one is connected on first use and closed with the worker. */
  client?: Client;
  /** Force a role; by default a worker on a queue ending in `-training` trains and any other is a control worker. */
  role?: PluginRole;
}

/**
 * warmstart as a Temporal worker plugin: add it to your own Worker and it registers warmstart's
 * activities (the control set, or training on the training queue). Your workflows file re-exports
 * `warmstart/workflows` so the same worker runs warmstart's workflows beside yours; a worker with no
 * workflows of its own gets warmstart's.
 *
 *   const plugin = new WarmstartPlugin();
 *   await Worker.create({ connection, taskQueue: 'pipeline', workflowsPath, plugins: [plugin] });
 *   await Worker.create({ connection, taskQueue: trainingTaskQueue('pipeline'), plugins: [plugin] });
 */
export class WarmstartPlugin extends SimplePlugin {
  private readonly settings: WarmstartPluginOptions;
  private storeInstance: ObjectStore | undefined;
  private ownClient: Promise<Client> | undefined;

  constructor(options: WarmstartPluginOptions = {}) {
    super({ name: 'warmstart' });
    this.settings = options;
    this.storeInstance = options.store;
  }

  private config(): WarmstartConfig {
    return this.settings.config ?? loadConfig(process.env);
  }

  private store(): ObjectStore {
    if (!this.storeInstance) {
      const config = this.config();
      this.storeInstance = openStore(config.store, config.s3);
    }
    return this.storeInstance;
  }

  private client(): Promise<Client> {
    if (this.settings.client) return Promise.resolve(this.settings.client);
    this.ownClient ??= connectClient(this.config());
    return this.ownClient;
  }

  /** The activities a worker on `taskQueue` serves, keyed by the names warmstart's workflows call. */
  activitiesFor(taskQueue: string): Record<string, (...args: never[]) => Promise<unknown>> {
    const signalVersion = async (request: { model: string; dataset: string; version: number }) => {
      await signalVersionLanded(await this.client(), { ...request, taskQueue });
    };
    const { trainCandidate, ...control } = createActivities({ store: this.store(), signalVersion });
    return this.roleOf(taskQueue) === 'training' ? { trainCandidate } : control;
  }

  roleOf(taskQueue: string): PluginRole {
    return this.settings.role ?? (taskQueue.endsWith(trainingTaskQueue('')) ? 'training' : 'control');
  }

  override configureWorker(options: WorkerOptions): WorkerOptions {
    const configured = super.configureWorker(options);
    const training = this.roleOf(options.taskQueue) === 'training';
    const hasWorkflows = configured.workflowsPath !== undefined || configured.workflowBundle !== undefined;
    return {
      ...configured,
      activities: { ...configured.activities, ...this.activitiesFor(options.taskQueue) },
      // A control worker with no workflows of its own runs warmstart's.
      ...(!training && !hasWorkflows ? { workflowsPath: workflowsPath() } : {}),
      // Training saturates the CPU (or the GPU): one run at a time per process unless WARMSTART_TRAINING_SLOTS or the worker says otherwise.
      ...(training && configured.maxConcurrentActivityTaskExecutions === undefined ? { maxConcurrentActivityTaskExecutions: this.config().worker.trainingSlots } : {}),
      // Heartbeats reach the server at most every 80% of the heartbeat timeout (48 s at the default 60 s);
      // every 10 s keeps `warmstart status` and the Web UI close to the run at a few small writes a minute.
      ...(training && configured.maxHeartbeatThrottleInterval === undefined ? { maxHeartbeatThrottleInterval: '10 seconds' } : {}),
    };
  }

  override async runWorker(worker: Worker, next: (w: Worker) => Promise<void>): Promise<void> {
    try {
      await super.runWorker(worker, next);
    } finally {
      await this.close();
    }
  }

  /** Closes the client the plugin opened itself (a client passed in stays open). */
  async close(): Promise<void> {
    const own = this.ownClient;
    this.ownClient = undefined;
    if (own) await (await own.catch(() => undefined))?.connection.close();
  }
}
