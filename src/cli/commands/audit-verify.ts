import { defineCommand } from '../command.js';
import { JSON_OUTPUT, MODEL, STORE } from '../common-options.js';
import { verifyCommand } from './audit.js';

export const auditVerifyCli = defineCommand({
  name: 'audit verify',
  group: 'operating',
  summary: "recompute the ledger's hash chain; exit 2 naming the first broken record",
  options: { model: MODEL, ...STORE, ...JSON_OUTPUT },
  async run({ values: { model, json }, context, out }) {
    const { store } = await context();
    out(await verifyCommand(store, model, json));
  },
});
