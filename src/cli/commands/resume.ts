import { resumeRefreshes } from '../../temporal/operations.js';
import { defineCommand } from '../command.js';
import { BY, MODEL, operator, STORE } from '../common-options.js';

export const resumeCli = defineCommand({
  name: 'resume',
  group: 'operating',
  summary: 'start refreshes of a paused model again, beginning with the queued versions',
  options: { model: MODEL, ...BY, ...STORE },
  async run({ values: { model, by }, io, withClient, out }) {
    await withClient((client) => resumeRefreshes(client, model, operator(by, io.env)));
    out(`resumed refreshes of ${model}`);
  },
});
