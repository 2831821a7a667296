import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { trainingTaskQueue } from '../../workflows/activities.js';
import type { WarmstartConfig } from '../config.js';
import type { ObjectStore } from '../storage/object-store.js';
import { signalVersionLanded, temporalUnreachable } from './client.js';

/** workflows/index.ts when running from source (tsx, vitest), workflows/index.js when compiled. */
export function workflowsPath(): string {
  for (const ext of ['.ts', '.js']) {
    const candidate = fileURLToPath(new URL(`../../workflows/index${ext}`, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('cannot find workflows/index.ts or workflows/index.js next to the package');
}

/** Bundles workflow code (today's by default) without the bundler's log output: tests and replays bundle often. */
export function bundleWorkflows(path = workflowsPath()): ReturnType<typeof bundleWorkflowCode> {
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  return bundleWorkflowCode({ workflowsPath: path, logger: quiet });
}

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

async function connect(config: WarmstartConfig): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect({ address: config.temporal.address });
  } catch (error) {
    throw temporalUnreachable(config.temporal.address, error);
  }
}

/** Creates the workers of a role on one connection. */
export async function createWorkers(options: WarmstartWorkerOptions): Promise<WarmstartWorkers> {
  const connection = await connect(options.config);
  const role = options.role ?? 'all';
  const taskQueue = options.taskQueue ?? options.config.temporal.taskQueue;
  // The store watcher's activity signals model workflows through a client of its own.
  const client = role !== 'training' ? new Client({ connection: await Connection.connect({ address: options.config.temporal.address }), namespace: options.config.temporal.namespace }) : null;
  const signalVersion = client
    ? async (request: { model: string; dataset: string; version: number }) => {
        await signalVersionLanded(client, { ...request, taskQueue });
      }
    : undefined;
  const { trainCandidate, ...controlActivities } = createActivities({ store: options.store, signalVersion });
  const workers: Worker[] = [];
  try {
    if (role !== 'training') {
      workers.push(
        await Worker.create({
          connection,
          namespace: options.config.temporal.namespace,
          taskQueue,
          ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: workflowsPath() }),
          activities: controlActivities,
          maxConcurrentActivityTaskExecutions: 4,
          ...(options.interceptors ? { interceptors: options.interceptors } : {}),
        }),
      );
    }
    if (role !== 'control') {
      workers.push(
        await Worker.create({
          connection,
          namespace: options.config.temporal.namespace,
          taskQueue: trainingTaskQueue(taskQueue),
          activities: { trainCandidate },
          // Training saturates the CPU (or the GPU): one run at a time per process.
          maxConcurrentActivityTaskExecutions: 1,
          ...(options.interceptors ? { interceptors: options.interceptors } : {}),
        }),
      );
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
