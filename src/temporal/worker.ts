import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { trainingTaskQueue } from '../../workflows/activities.js';
import type { WarmstartConfig } from '../config.js';
import type { ObjectStore } from '../storage/object-store.js';
import { connectClient, temporalUnreachable } from './client.js';
import { connectOptions, temporalConnection, type TemporalConnectionSettings } from './connection.js';
import { WarmstartPlugin } from './plugin.js';
import { workerTuning } from './worker-tuning.js';
import { workflowsPath } from './workflows-path.js';

export { bundleWorkflows, workflowsPath } from './workflows-path.js';

/**
 * Which queues a process serves. `control`: workflows plus storage and evaluation activities (CPU
 * machines); `training`: the training activity only, on `<queue>-training` (GPU machines); `all`: both.
 */
export type WorkerRole = 'all' | 'control' | 'training';

export interface WarmstartWorkerOptions {
  config: WarmstartConfig;
  store: ObjectStore;
  taskQueue?: string;
  role?: WorkerRole;
  /** A prebuilt bundle (tests bundle once and start many workers). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Interceptors for every worker of the role (tracing, metrics, fault injection in tests). */
  interceptors?: WorkerOptions['interceptors'];
}

export interface WarmstartWorkers {
  workers: Worker[];
  /** Runs until shutdown(); rejects if a worker fails. */
  run(): Promise<void>;
  shutdown(): void;
  close(): Promise<void>;
}

async function connect(settings: TemporalConnectionSettings): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(connectOptions(settings));
  } catch (error) {
    throw temporalUnreachable(settings.address, error);
  }
}

/** Creates the workers of a role on one connection. */
export async function createWorkers(options: WarmstartWorkerOptions): Promise<WarmstartWorkers> {
  const settings = temporalConnection(options.config);
  const connection = await connect(settings);
  const role = options.role ?? 'all';
  const taskQueue = options.taskQueue ?? options.config.temporal.taskQueue;
  // Control workers signal model workflows (store watcher, announceVersion) through a client of their own.
  const client = role !== 'training' ? await connectClient(options.config) : undefined;
  // The ready-made worker is the plugin on two workers: the same activities a user's own worker gets.
  const plugin = new WarmstartPlugin({ store: options.store, config: options.config, client });
  const common = { connection, namespace: settings.namespace, plugins: [plugin], ...(options.interceptors ? { interceptors: options.interceptors } : {}) };
  const workers: Worker[] = [];
  try {
    if (role !== 'training') {
      workers.push(
        await Worker.create({
          ...common,
          taskQueue,
          ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: workflowsPath() }),
          ...workerTuning(options.config.worker, 'control'),
        }),
      );
    }
    if (role !== 'control') {
      // One training run at a time per process unless WARMSTART_TRAINING_SLOTS says otherwise.
      workers.push(await Worker.create({ ...common, taskQueue: trainingTaskQueue(taskQueue), ...workerTuning(options.config.worker, 'training') }));
    }
  } catch (error) {
    // A failed Worker.create leaves the connection open and the process alive: close it.
    await connection.close();
    await client?.connection.close();
    throw error;
  }
  return {
    workers,
    run: async () => {
      await Promise.all(workers.map((worker) => worker.run()));
    },
    shutdown: () => workers.forEach((worker) => worker.shutdown()),
    close: async () => {
      await connection.close();
      await client?.connection.close();
    },
  };
}
