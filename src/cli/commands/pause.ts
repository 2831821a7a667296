import { pauseRefreshes } from '../../temporal/operations.js';
import { defineCommand } from '../command.js';
import { BY, MODEL, operator, REASON, STORE } from '../common-options.js';

export const pauseCli = defineCommand({
  name: 'pause',
  group: 'operating',
  summary: "stop starting refreshes of the model (new versions queue up); audited",
  options: { model: MODEL, reason: REASON, ...BY, ...STORE },
  async run({ values: { model, reason, by }, io, withClient, out }) {
    await withClient((client) => pauseRefreshes(client, model, operator(by, io.env), reason));
    out(`paused refreshes of ${model}`);
  },
});
