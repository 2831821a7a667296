import type { Client } from '@temporalio/client';
import { barText, durationText } from '../../refresh/progress.js';
import { signalVersionLanded, waitForOutcome } from '../../temporal/client.js';
import { describeRunningRefresh } from '../../temporal/running-refresh.js';
import type { RefreshOutcome } from '../../../workflows/definitions.js';
import { loadManifest } from '../../data/versions.js';
import { defineCommand } from '../command.js';
import { DATASET, JSON_OUTPUT, MODEL, STORE, TASK_QUEUE, VERSION } from '../common-options.js';
import type { Writer } from '../io.js';
import { pct } from '../output.js';

export interface RefreshRequest {
  model: string;
  dataset: string;
  version: number;
  taskQueue: string;
  wait: boolean;
  json: boolean;
}

/** Exit code when the refresh finished without a new production model (rejected, failed, superseded). */
export const NOT_PROMOTED_EXIT = 4;

/** One status line for the terminal while a refresh runs (stderr, TTY only). */
async function progressLine(client: Client, request: RefreshRequest, started: number): Promise<string> {
  const running = await describeRunningRefresh(client, request.model, { dataset: request.dataset, version: request.version }).catch(() => null);
  const elapsed = durationText((Date.now() - started) / 1000);
  const progress = running?.progress;
  if (!running) return `${request.dataset} v${request.version}: queued (${elapsed})`;
  const phase = running.phase ?? progress?.phase ?? 'starting';
  if (!progress || phase !== 'training') return `${request.dataset} v${request.version}: ${phase} (${elapsed})`;
  const metric = progress.curve.at(-1) ? `, val ${pct(progress.curve.at(-1)!.accuracy)}` : '';
  const late = running.activity?.late ? ', heartbeat LATE' : '';
  return `${request.dataset} v${request.version}: training ${barText(progress.step, progress.plannedSteps, 24)} ETA ${durationText(progress.etaSeconds)}${metric}${late}`;
}

/**
 * `warmstart refresh`: signal-with-start the model's refresh workflow, then (unless --no-wait) wait
 * for this version's outcome, with a progress line on a terminal.
 */
export async function refreshCommand(client: Client, request: RefreshRequest, terminal: Writer = process.stderr): Promise<{ text: string; code: number }> {
  const { workflowId } = await signalVersionLanded(client, request);
  if (!request.wait) {
    return { text: request.json ? JSON.stringify({ workflowId, model: request.model, dataset: request.dataset, version: request.version }) : `signalled ${workflowId}: ${request.dataset} v${request.version}`, code: 0 };
  }
  const tty = terminal.isTTY === true;
  const started = Date.now();
  let drawing = false;
  const outcome: RefreshOutcome = await waitForOutcome(client, request.model, request.dataset, request.version, {
    timeoutMs: Number.POSITIVE_INFINITY,
    onPoll: () => {
      if (!tty || drawing) return;
      drawing = true;
      void progressLine(client, request, started)
        .then((line) => terminal.write(`\r\x1b[2K${line}`))
        .finally(() => {
          drawing = false;
        });
    },
  });
  if (tty) terminal.write('\r\x1b[2K');
  const code = outcome.status === 'promoted' || outcome.status === 'duplicate' || outcome.status === 'skipped' ? 0 : NOT_PROMOTED_EXIT;
  if (request.json) return { text: JSON.stringify(outcome, null, 2), code };
  return { text: [`${outcome.workflowId}: ${outcome.status} (${outcome.mode}), test accuracy ${pct(outcome.accuracy)}`, ...outcome.reasons.map((r) => `  - ${r}`)].join('\n'), code };
}

export const refreshCli = defineCommand({
  name: 'refresh',
  group: 'refreshing',
  summary: [
    'validate the version, signal-with-start the model\'s refresh workflow, and wait',
    'for the outcome (a progress line on a terminal); --no-wait returns at once',
  ].join('\n'),
  options: { model: MODEL, dataset: DATASET, version: VERSION, 'no-wait': { type: 'boolean', help: 'return once signalled' }, ...TASK_QUEUE, ...STORE, ...JSON_OUTPUT },
  async run({ values, io, context, withClient, out }) {
    const { model, dataset, version } = values;
    // A manifest that does not parse is refused here, before anything is signalled.
    await loadManifest((await context()).store, dataset, version);
    const result = await withClient((client, { config }) =>
      refreshCommand(client, { model, dataset, version, taskQueue: values['task-queue'] ?? config.temporal.taskQueue, wait: !values['no-wait'], json: values.json ?? false }, io.stderr),
    );
    out(result.text);
    return result.code;
  },
});
