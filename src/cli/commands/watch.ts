import { parseInterval, triggerWatch, watchDataset } from '../../temporal/schedules.js';
import { defineCommand } from '../command.js';
import { DATASET, MODEL, STORE, TASK_QUEUE } from '../common-options.js';

export const watchCli = defineCommand({
  name: 'watch',
  group: 'refreshing',
  summary: 'a Temporal Schedule polls the store and hands each new version to the refresh workflow',
  options: {
    model: MODEL,
    dataset: DATASET,
    every: { type: 'string', value: '5m', help: 'how often to poll (default 5m; at least 10s)' },
    now: { type: 'boolean', help: 'poll once right away' },
    ...TASK_QUEUE,
    ...STORE,
  },
  async run({ values: { model, dataset, every, now, 'task-queue': taskQueue }, withClient, out }) {
    await withClient(async (client, { config }) => {
      const everySeconds = parseInterval(every ?? '5m');
      const scheduleId = await watchDataset(client, { model, dataset, everySeconds, taskQueue: taskQueue ?? config.temporal.taskQueue });
      if (now) await triggerWatch(client, model, dataset);
      out(`schedule ${scheduleId}: every ${everySeconds}s the newest version of ${dataset} goes to model-refresh/${model}`);
    });
  },
});
