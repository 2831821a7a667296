import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/audit/ledger.js';
import { versionRefreshWorkflowId, type RefreshOutcome } from '../../workflows/definitions.js';
import { startHarness, TEST_SETTINGS, type Harness } from '../helpers/refresh-harness.js';
import { repoRoot } from '../helpers/services.js';

// A training worker that disappears mid-run (SIGKILL: no goodbye to the server) is noticed by its
// missing heartbeats; the retry on another worker resumes from the newest checkpoint it saved.
let h: Harness;
const workers: ChildProcess[] = [];

/** A separate training-only worker process, as on a GPU machine; `script` swaps in a test worker. */
function startTrainingWorker(script?: { path: string; env: Record<string, string> }): ChildProcess {
  const args = script ? [script.path] : [path.join(repoRoot, 'src/cli/bin.ts'), 'worker', '--role', 'training'];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...h.env, ...script?.env },
    stdio: 'ignore',
  });
  workers.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<NodeJS.Signals | number | null> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
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
    const settings = { ...TEST_SETTINGS, scratchSteps: 900, checkpointEvery: 60, trainingHeartbeatSeconds: 5 };
    // The first worker dies (SIGKILL) right after saving the checkpoint of step 120.
    const first = startTrainingWorker({ path: path.join(repoRoot, 'test/helpers/training-worker-that-dies.ts'), env: { DIE_AFTER_CHECKPOINT_STEP: '120' } });
    const firstExit = exited(first);
    const handle = await h.client.workflow.start('refreshVersionWorkflow', {
      workflowId: versionRefreshWorkflowId(model, 'mnist-heartbeat', 1),
      taskQueue: h.taskQueue,
      args: [{ model, dataset: 'mnist-heartbeat', version: 1, settings }],
    });
    expect(await firstExit).toBe('SIGKILL');
    const prefix = `models/${model}/checkpoints/`;
    expect((await h.store.list(prefix)).some((key) => key.endsWith('step-00000120/state.json'))).toBe(true);
    // Only missing heartbeats tell the server; the retry goes to whichever training worker polls next.
    startTrainingWorker();

    const outcome = (await handle.result()) as RefreshOutcome;
    expect(outcome.status).toBe('promoted');
    const [entry] = await listAuditEntries(h.store, model);
    const training = entry!.attempts[0]!.training;
    expect(training.resumedFromStep).toBe(120);
    expect(training.steps).toBe(900);
    // The server saw a second attempt of the training activity.
    const history = await handle.fetchHistory();
    const started = history.events!.filter((e) => e.activityTaskStartedEventAttributes && e.activityTaskStartedEventAttributes.attempt && e.activityTaskStartedEventAttributes.attempt > 1);
    expect(started.length).toBeGreaterThanOrEqual(1);
    // Checkpoints are cleaned up after a successful run.
    expect(await h.store.list(prefix)).toEqual([]);
  });
});
