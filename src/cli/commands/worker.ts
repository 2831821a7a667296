import { createWorkers, type WorkerRole } from '../../temporal/worker.js';
import { defineCommand } from '../command.js';
import { STORE, TASK_QUEUE } from '../common-options.js';
import { UsageError } from '../usage-error.js';

const ROLES: readonly WorkerRole[] = ['all', 'control', 'training'];

export const workerCli = defineCommand({
  name: 'worker',
  group: 'refreshing',
  summary: 'run workers: control = workflows + storage/evaluation activities,\ntraining = the training activity on <queue>-training (GPU machines)',
  options: {
    role: { type: 'string', value: 'all|control|training', help: 'which workers to run (default all)' },
    ...TASK_QUEUE,
    ...STORE,
  },
  windsDown: { notice: 'draining the workers (a second signal exits at once)' },
  async run({ values, context, io, out }) {
    const role = (values.role ?? 'all') as WorkerRole;
    if (!ROLES.includes(role)) throw new UsageError(`--role must be all, control or training (got "${role}")`);
    const { config, store } = await context();
    const taskQueue = values['task-queue'] ?? config.temporal.taskQueue;
    const workers = await createWorkers({ config, store, taskQueue, role });
    const queues = { all: `${taskQueue} and ${taskQueue}-training`, control: taskQueue, training: `${taskQueue}-training` }[role];
    out(`worker (${role}) on task queue ${queues} (Temporal ${config.temporal.address}, store ${store.uri}); Ctrl-C to stop`);
    // The first SIGINT/SIGTERM drains: running activities get the shutdown grace time; a second exits at once.
    io.signal?.addEventListener('abort', () => workers.shutdown(), { once: true });
    await workers.run();
    await workers.close();
  },
});
