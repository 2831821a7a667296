import type { Client } from '@temporalio/client';
import { WarmstartError, isWarmstartError } from '../../errors.js';
import { readProduction } from '../../registry/production.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { queryRefreshState } from '../../temporal/client.js';
import { describeRunningRefresh, type RunningRefresh } from '../../temporal/running-refresh.js';
import { runningRefreshLines } from './running-view.js';
import type { ModelRefreshState, VersionLanded } from '../../../workflows/definitions.js';
import { defineCommand } from '../command.js';
import { JSON_OUTPUT, MODEL, STORE } from '../common-options.js';
import { pct, table } from '../output.js';

const QUERY_DEADLINE_MS = 8000;

interface ModelStatus {
  model: string;
  production: Awaited<ReturnType<typeof readProduction>>;
  state: ModelRefreshState | null;
  /** Why the model workflow answered no query, when it exists but no worker serves it. */
  unanswered: string | null;
  running: RunningRefresh | null;
}

/** Reads one model's status: the production pointer from the store, the rest from the server. */
async function readStatus(store: ObjectStore, client: Client, model: string): Promise<ModelStatus> {
  const production = await readProduction(store, model);
  // A model workflow whose workers are all gone exists but answers no query: say so, and still show
  // the running refresh, which the server itself describes.
  let unanswered: string | null = null;
  // Without a deadline a query to a workflow no worker serves waits about half a minute.
  const state = await client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => queryRefreshState(client, model)).catch((error: unknown) => {
    if (isWarmstartError(error, 'MODEL_NOT_FOUND')) return null;
    unanswered = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
    return null;
  });
  if (!production && !state && !unanswered) {
    throw new WarmstartError('MODEL_NOT_FOUND', `unknown model ${model}: no production pointer in ${store.uri} and no refresh workflow; check the name`, model);
  }
  // The running refresh comes from the server (pending activity, heartbeat progress), not the store.
  const current = state?.current ?? (unanswered ? await runningRefreshFromVisibility(client, model) : null);
  const running = current ? await describeRunningRefresh(client, model, current) : null;
  return { model, production, state, unanswered, running };
}

/** Production candidate, pause state, queue, running refresh and recent outcomes of one model. */
export async function statusCommand(store: ObjectStore, client: Client, model: string, json: boolean): Promise<string> {
  return renderStatus(await readStatus(store, client, model), json);
}

function renderStatus({ model, production, state, unanswered, running }: ModelStatus, json: boolean): string {
  if (json) return JSON.stringify({ model, production: production?.pointer ?? null, refresh: state, running, ...(unanswered ? { unanswered } : {}) }, null, 2);
  const lines = [`model ${model}`];
  lines.push(
    production
      ? `production: ${production.pointer.candidateId} (${production.pointer.dataset} v${production.pointer.datasetVersion}, ${production.pointer.mode ?? '?'}, test accuracy ${pct(production.pointer.testAccuracy)}, promoted by ${production.pointer.promotedBy} at ${production.pointer.promotedAt})`
      : 'production: none',
  );
  if (!state) {
    if (!unanswered) lines.push('refresh workflow: not running');
    else {
      lines.push(`refresh workflow: running, but it answers no query (${unanswered}): no worker polls its task queue; start one (warmstart worker)`);
      if (running) lines.push(...runningRefreshLines(running));
    }
    return lines.join('\n');
  }
  lines.push(`refresh workflow: ${state.paused ? `PAUSED by ${state.paused.by}: ${state.paused.reason}` : 'running'}`);
  if (running) lines.push(...runningRefreshLines(running));
  else lines.push(`refreshing now: ${state.current ? `${state.current.dataset} v${state.current.version} (starting)` : 'nothing'}`);
  lines.push(`queue: ${state.pending.length ? state.pending.map((p) => `${p.dataset} v${p.version}`).join(', ') : 'empty'}`);
  if (state.outcomes.length > 0) {
    lines.push('', table(['version', 'status', 'mode', 'accuracy', 'candidate'], state.outcomes.map((o) => [`${o.dataset} v${o.version}`, o.status, o.mode, pct(o.accuracy), o.candidateId ?? '-'])));
  }
  return lines.join('\n');
}

/** The model's running refresh by the search attributes every refresh carries (needs no worker). */
async function runningRefreshFromVisibility(client: Client, model: string): Promise<VersionLanded | null> {
  const query = `WarmstartModel = '${model}' AND WorkflowType = 'refreshVersionWorkflow' AND ExecutionStatus = 'Running'`;
  for await (const execution of client.workflow.list({ query, pageSize: 1 })) {
    const dataset = execution.searchAttributes.WarmstartDataset?.[0];
    const version = execution.searchAttributes.WarmstartVersion?.[0];
    if (typeof dataset === 'string' && typeof version === 'number') return { dataset, version };
  }
  return null;
}

/**
 * `warmstart status --watch`: redraws the status every interval (in place on a TTY) until nothing is
 * running or queued, then prints it once more and returns.
 */
export async function watchStatus(store: ObjectStore, client: Client, model: string, options: { json: boolean; intervalMs?: number; write: (text: string) => void; signal?: AbortSignal; tty?: boolean }): Promise<void> {
  const tty = (options.tty ?? process.stdout.isTTY) && !options.json;
  for (;;) {
    const status = await readStatus(store, client, model);
    const text = renderStatus(status, options.json);
    options.write(tty ? `\x1b[H\x1b[2J${text}` : `${text}\n`);
    // Keep watching a workflow whose workers are gone: they may come back, and the retry shows here.
    const { state, unanswered } = status;
    const idle = state ? !state.current && state.pending.length === 0 : !unanswered;
    if (idle || options.signal?.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 2000));
  }
}

export const statusCli = defineCommand({
  name: 'status',
  group: 'operating',
  summary: [
    'production model, pause state, queue, the running refresh (phase, step, ETA,',
    'live validation accuracy, heartbeat age), recent outcomes; --watch redraws it',
  ].join('\n'),
  options: { model: MODEL, watch: { type: 'boolean', help: 'redraw every 2s until nothing runs or waits' }, ...STORE, ...JSON_OUTPUT },
  async run({ values: { model, watch, json = false }, io, withClient, out }) {
    const write = (text: string) => io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    await withClient(async (client, { store }) =>
      watch ? watchStatus(store, client, model, { json, write, tty: io.stdout.isTTY === true }) : out(await statusCommand(store, client, model, json)),
    );
  },
});
