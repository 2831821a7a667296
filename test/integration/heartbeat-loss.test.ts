import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/audit/ledger.js';
import { versionRefreshWorkflowId, type RefreshOutcome } from '../../workflows/definitions.js';
import { startHarness, TEST_SETTINGS, type Harness } from '../helpers/refresh-harness.js';
import { repoRoot } from '../helpers/services.js';

// A training worker that disappears mid-run (SIGKILL: no goodbye to the server) is noticed by its
// missing heartbeats; the retry on another worker resumes from the last checkpoint it reported.
let h: Harness;
const workers: ChildProcess[] = [];

/** A separate training-only worker process, as on a GPU machine. */
function startTrainingWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), 'worker', '--role', 'training'], {
    cwd: repoRoot,
    env: { ...process.env, ...h.env },
    stdio: 'ignore',
  });
  workers.push(child);
  return child;
}

beforeAll(async () => {
  // This process hosts workflows and the storage/evaluation activities only: training runs elsewhere.
  h = await startHarness({ role: 'control' });
});
afterAll(async () => {
  for (const child of workers) child.kill('SIGKILL');
  await h?.stop();
});

describe('heartbeat loss', () => {
  it('a training activity whose worker is killed is retried and resumes from its last checkpoint', async () => {
    const model = h.newModel();
    await h.publish('mnist-heartbeat', 'first', 2000);
    const settings = { ...TEST_SETTINGS, scratchSteps: 900, checkpointEvery: 60, trainingHeartbeatSeconds: 3 };
    const first = startTrainingWorker();
    const handle = await h.client.workflow.start('refreshVersionWorkflow', {
      workflowId: versionRefreshWorkflowId(model, 1),
      taskQueue: h.taskQueue,
      args: [{ model, dataset: 'mnist-heartbeat', version: 1, settings }],
    });

    // Wait until the server holds a heartbeat that names a checkpoint, then pull the plug.
    const prefix = `models/${model}/checkpoints/`;
    let heartbeat: { step: number; checkpointKey: string | null } | undefined;
    for (let i = 0; i < 600 && !heartbeat?.checkpointKey; i++) {
      const pending = (await handle.describe()).raw.pendingActivities?.[0];
      const payload = pending?.heartbeatDetails?.payloads?.[0];
      heartbeat = payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
      if (!heartbeat?.checkpointKey) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(heartbeat?.checkpointKey, 'the first worker reported a checkpoint').toBeTruthy();
    first.kill('SIGKILL');
    startTrainingWorker();

    const outcome = (await handle.result()) as RefreshOutcome;
    expect(outcome.status).toBe('promoted');
    const [entry] = await listAuditEntries(h.store, model);
    const training = entry!.attempts[0]!.training;
    // It resumed from a checkpoint (every 60 steps) no later than the last step the server heard of.
    expect(training.resumedFromStep).toBeGreaterThanOrEqual(60);
    expect(training.resumedFromStep).toBeLessThanOrEqual(heartbeat!.step);
    expect(training.resumedFromStep! % 60).toBe(0);
    expect(training.steps).toBe(900);
    // The server saw a second attempt of the training activity.
    const history = await handle.fetchHistory();
    const started = history.events!.filter((e) => e.activityTaskStartedEventAttributes && e.activityTaskStartedEventAttributes.attempt && e.activityTaskStartedEventAttributes.attempt > 1);
    expect(started.length).toBeGreaterThanOrEqual(1);
    // Checkpoints are cleaned up after a successful run.
    expect(await h.store.list(prefix)).toEqual([]);
  });
});
