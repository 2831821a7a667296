import type { Client } from '@temporalio/client';
import { defineCommand, type Command } from '../command.js';
import { BY, JSON_OUTPUT, MODEL, operator, REASON, STORE } from '../common-options.js';

type Move = (client: Client, model: string, request: { candidateId: string; by: string; reason: string }) => Promise<{ candidateId?: string; datasetVersion?: number } | null | undefined>;

/** promote and rollback: both point production at a stored candidate through the model workflow, audited. */
export function productionMoveCommand(name: 'promote' | 'rollback', summary: string, move: Move): Command {
  return defineCommand({
    name,
    group: 'operating',
    summary,
    options: {
      model: MODEL,
      candidate: { type: 'string', value: '<id>', required: true, name: 'candidate', help: 'the stored candidate, e.g. <model>_<dataset>_v2-warm' },
      reason: REASON,
      ...BY,
      ...STORE,
      ...JSON_OUTPUT,
    },
    async run({ values: { model, candidate, reason, by, json }, io, withClient, out }) {
      const request = { candidateId: candidate, by: operator(by, io.env), reason };
      const view = await withClient((client) => move(client, model, request));
      out(json ? JSON.stringify(view) : `${name}: production of ${model} is now ${view?.candidateId} (dataset v${view?.datasetVersion})`);
    },
  });
}
