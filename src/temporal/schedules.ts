import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client } from '@temporalio/client';
import { WarmstartError } from '../errors.js';
import { watchDatasetWorkflow } from '../../workflows/watch-dataset.js';

/** A Temporal Schedule polls the store for new versions of a dataset (for stores without S3 events). */
export function watchScheduleId(model: string, dataset: string): string {
  return `watch/${model}/${dataset}`;
}

/** Parses "30s", "5m", "1h" into seconds. */
export function parseInterval(text: string): number {
  const match = /^(\d+)(s|m|h)$/.exec(text.trim());
  if (!match) throw new WarmstartError('CONFIG_INVALID', `--every must look like 30s, 5m or 1h (got "${text}")`, '--every');
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
  if (seconds < 10) throw new WarmstartError('CONFIG_INVALID', `--every ${text} polls too often; use 10s or more`, '--every');
  return seconds;
}

export async function watchDataset(client: Client, request: { model: string; dataset: string; everySeconds: number; taskQueue: string }): Promise<string> {
  const scheduleId = watchScheduleId(request.model, request.dataset);
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: `${request.everySeconds}s` }] },
      action: {
        type: 'startWorkflow',
        workflowType: watchDatasetWorkflow,
        args: [{ model: request.model, dataset: request.dataset }],
        taskQueue: request.taskQueue,
      },
      // A poll that overlaps the previous one is skipped: polls are idempotent anyway.
      policies: { overlap: 'SKIP' },
    });
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) {
      throw new WarmstartError('VERSION_EXISTS', `schedule ${scheduleId} already exists; \`warmstart unwatch\` it first to change the interval`, scheduleId, { cause: error });
    }
    throw error;
  }
  return scheduleId;
}

export async function triggerWatch(client: Client, model: string, dataset: string): Promise<void> {
  await client.schedule.getHandle(watchScheduleId(model, dataset)).trigger();
}

export async function unwatchDataset(client: Client, model: string, dataset: string): Promise<void> {
  try {
    await client.schedule.getHandle(watchScheduleId(model, dataset)).delete();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) {
      throw new WarmstartError('MODEL_NOT_FOUND', `no schedule ${watchScheduleId(model, dataset)}: nothing to unwatch`, model, { cause: error });
    }
    throw error;
  }
}
