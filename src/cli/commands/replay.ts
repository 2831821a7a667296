import type { Client } from '@temporalio/client';
import type { WarmstartConfig } from '../../config.js';
import { WarmstartError } from '../../errors.js';
import { startReplay } from '../../temporal/operations.js';
import type { RefreshOverrides } from '../../../workflows/definitions.js';
import { defineCommand } from '../command.js';
import { BY, JSON_OUTPUT, MODEL, operator, STORE, VERSION } from '../common-options.js';
import { pct } from '../output.js';

export interface ReplayOptions {
  model: string;
  version: number;
  dataset?: string;
  force?: string;
  promote: boolean;
  by: string;
  overrideReason?: string;
  scratchSteps?: number;
  warmSteps?: number;
  wait: boolean;
  json: boolean;
}

/** Re-runs a version under a new workflow ID with overrides, and waits for it. */
export async function replayRefresh(client: Client, config: WarmstartConfig, options: ReplayOptions): Promise<{ text: string; code: number }> {
  if (options.force !== undefined && options.force !== 'scratch' && options.force !== 'warm') {
    throw new WarmstartError('CONFIG_INVALID', `--force must be scratch or warm (got "${options.force}")`, '--force');
  }
  const overrides: RefreshOverrides = {
    force: options.force as RefreshOverrides['force'],
    requestedBy: options.by,
    promote: options.promote,
    ...(options.overrideReason ? { overrideGate: { by: options.by, reason: options.overrideReason } } : {}),
  };
  const settings = {
    ...(options.scratchSteps ? { scratchSteps: options.scratchSteps } : {}),
    ...(options.warmSteps ? { warmSteps: options.warmSteps } : {}),
  };
  const replay = await startReplay(client, { model: options.model, version: options.version, dataset: options.dataset, taskQueue: config.temporal.taskQueue, overrides, settings });
  if (!options.wait) return { text: options.json ? JSON.stringify({ workflowId: replay.workflowId }) : `started ${replay.workflowId}`, code: 0 };
  const outcome = await replay.result();
  if (options.json) return { text: JSON.stringify(outcome, null, 2), code: 0 };
  return {
    text: [`${replay.workflowId}: ${outcome.status} (${outcome.mode}), test accuracy ${pct(outcome.accuracy)}`, ...outcome.reasons.map((r) => `  - ${r}`)].join('\n'),
    code: 0,
  };
}

export const replayCli = defineCommand({
  name: 'replay',
  group: 'operating',
  summary: "re-run a version's refresh under a new workflow ID; the ledger links it to the original",
  options: {
    model: MODEL,
    version: VERSION,
    dataset: { type: 'string', value: '<d>', name: 'dataset', help: 'the dataset, when the model was refreshed on several' },
    force: { type: 'string', value: 'scratch|warm', help: 'train this way whatever the policy decides' },
    'no-promote': { type: 'boolean', help: 'a dry run: evaluate and record, never touch production' },
    'override-gate': { type: 'string', value: '<reason>', help: 'promote even if the gate rejects, recording why' },
    'scratch-steps': { type: 'integer', value: 'N', help: 'optimizer steps of a scratch run' },
    'warm-steps': { type: 'integer', value: 'N', help: 'optimizer steps of a warm start' },
    'no-wait': { type: 'boolean', help: 'return once started, with the workflow ID' },
    ...BY,
    ...STORE,
    ...JSON_OUTPUT,
  },
  async run({ values, io, withClient, out }) {
    const result = await withClient((client, { config }) =>
      replayRefresh(client, config, {
        model: values.model,
        version: values.version,
        dataset: values.dataset,
        force: values.force,
        promote: !values['no-promote'],
        by: operator(values.by, io.env),
        overrideReason: values['override-gate'],
        scratchSteps: values['scratch-steps'],
        warmSteps: values['warm-steps'],
        wait: !values['no-wait'],
        json: values.json ?? false,
      }),
    );
    out(result.text);
    return result.code;
  },
});
