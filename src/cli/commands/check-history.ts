import type { Client } from '@temporalio/client';
import { checkDeterminism } from '../../temporal/operations.js';
import { defineCommand } from '../command.js';
import { JSON_OUTPUT, STORE } from '../common-options.js';
import { UsageError } from '../usage-error.js';

/** Exit 0 when the history replays against the current workflow code, 3 with the first divergence otherwise. */
export async function checkHistory(source: { client: Client; workflowId: string } | { file: string }, json: boolean): Promise<{ text: string; code: number }> {
  const verdict = await checkDeterminism(source);
  const name = 'file' in source ? source.file : source.workflowId;
  if (json) return { text: JSON.stringify({ source: name, ...verdict }), code: verdict.deterministic ? 0 : 3 };
  return verdict.deterministic
    ? { text: `deterministic: ${name} (${verdict.events} events) replays against the current workflow code`, code: 0 }
    : { text: `NOT deterministic: ${name} (${verdict.events} events) diverges from the current workflow code: ${verdict.divergence}`, code: 3 };
}

export const checkHistoryCli = defineCommand({
  name: 'check-history',
  // "replay" means re-running a refresh; the old name of this command still works.
  aliases: ['replay-history'],
  group: 'operating',
  summary: 'replay a recorded Temporal history against the current workflow code (exit 3 on divergence)',
  synopsis: '<workflowId> | --file <history.json>',
  args: { usage: '[<workflowId>]' },
  options: { file: { type: 'string', value: '<history.json>', help: 'a history exported as JSON, instead of fetching one from the server' }, ...STORE, ...JSON_OUTPUT },
  quiet: true,
  async run({ values: { file, json }, args: [workflowId], withClient, out }) {
    if (!file && !workflowId) throw new UsageError('usage: warmstart check-history <workflowId> | --file <history.json>');
    const result = file ? await checkHistory({ file }, json ?? false) : await withClient((client) => checkHistory({ client, workflowId: workflowId! }, json ?? false));
    out(result.text);
    return result.code;
  },
});
