import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import type { WarmstartConfig } from '../config.js';
import { WarmstartError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';

/** workflows/index.ts when running from source (tsx, vitest), workflows/index.js when compiled. */
export function workflowsPath(): string {
  for (const ext of ['.ts', '.js']) {
    const candidate = fileURLToPath(new URL(`../../workflows/index${ext}`, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('cannot find workflows/index.ts or workflows/index.js next to the package');
}

export interface WarmstartWorkerOptions {
  config: WarmstartConfig;
  store: ObjectStore;
  taskQueue?: string;
  /** A prebuilt bundle (tests bundle once and start many workers). */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** Creates a worker that hosts the refresh workflows and activities on one task queue. */
export async function createWorker(options: WarmstartWorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address: options.config.temporal.address });
  } catch (error) {
    throw new WarmstartError(
      'TEMPORAL_UNREACHABLE',
      `cannot reach Temporal at ${options.config.temporal.address} (${(error as Error).message.split('\n')[0]}); start it (infra/services.sh start) or fix TEMPORAL_ADDRESS`,
      'TEMPORAL_ADDRESS',
      { cause: error },
    );
  }
  try {
    const worker = await Worker.create({
      connection,
      namespace: options.config.temporal.namespace,
      taskQueue: options.taskQueue ?? options.config.temporal.taskQueue,
      ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: workflowsPath() }),
      activities: createActivities({ store: options.store }),
      // Training is CPU-bound on 2 cores: one at a time per worker.
      maxConcurrentActivityTaskExecutions: 2,
    });
    return { worker, connection };
  } catch (error) {
    // A failed Worker.create leaves the connection open and the process alive: close it.
    await connection.close();
    throw error;
  }
}
