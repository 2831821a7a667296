import { unwatchDataset } from '../../temporal/schedules.js';
import { defineCommand } from '../command.js';
import { DATASET, MODEL, STORE } from '../common-options.js';

export const unwatchCli = defineCommand({
  name: 'unwatch',
  group: 'refreshing',
  summary: "delete the dataset's watch schedule",
  options: { model: MODEL, dataset: DATASET, ...STORE },
  async run({ values: { model, dataset }, withClient, out }) {
    await withClient((client) => unwatchDataset(client, model, dataset));
    out(`stopped watching ${dataset} for ${model}`);
  },
});
