import type { Client } from '@temporalio/client';
import type { WarmstartConfig } from '../../config.js';
import { WarmstartError } from '../../errors.js';
import { checkDeterminism, startReplay } from '../../temporal/operations.js';
import type { RefreshOverrides } from '../../../workflows/definitions.js';
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

/** `warmstart replay`: re-runs a version under a new workflow ID with overrides, and waits for it. */
export async function replayCommand(client: Client, config: WarmstartConfig, options: ReplayOptions): Promise<{ text: string; code: number }> {
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

/** `warmstart replay-history`: exit 0 when deterministic, 3 with the first divergence otherwise. */
export async function replayHistoryCommand(source: { client: Client; workflowId: string } | { file: string }, json: boolean): Promise<{ text: string; code: number }> {
  const verdict = await checkDeterminism(source);
  const name = 'file' in source ? source.file : source.workflowId;
  if (json) return { text: JSON.stringify({ source: name, ...verdict }), code: verdict.deterministic ? 0 : 3 };
  return verdict.deterministic
    ? { text: `deterministic: ${name} (${verdict.events} events) replays against the current workflow code`, code: 0 }
    : { text: `NOT deterministic: ${name} (${verdict.events} events) diverges from the current workflow code: ${verdict.divergence}`, code: 3 };
}
