import { defineCommand } from '../command.js';
import { JSON_OUTPUT, STORE } from '../common-options.js';

export const checkCli = defineCommand({
  name: 'check',
  group: 'operating',
  summary: 'validate configuration and reach the store',
  options: { ...STORE, ...JSON_OUTPUT },
  async run({ values: { json }, context, out }) {
    const { config, store } = await context();
    const { address, namespace } = config.temporal;
    out(json ? JSON.stringify({ store: store.uri, temporal: address, namespace }) : `ok: store ${store.uri} reachable; Temporal ${address}, namespace ${namespace}`);
  },
});
