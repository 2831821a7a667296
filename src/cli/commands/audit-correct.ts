import { defineCommand } from '../command.js';
import { BY, MODEL, operator, REASON, STORE } from '../common-options.js';
import { correctCommand } from './audit.js';

export const auditCorrectCli = defineCommand({
  name: 'audit correct',
  group: 'operating',
  summary: 'append a correction pointing at a ledger record (records are never edited)',
  args: { usage: '<record key> <field>=<value>...' },
  options: { model: MODEL, reason: REASON, ...BY, ...STORE },
  async run({ values: { model, reason, by }, args, io, context, out }) {
    const { store } = await context();
    out(await correctCommand(store, model, args, { by: operator(by, io.env), reason }));
  },
});
