import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainHeartbeat } from '../../activities/train.js';
import { listAuditEntries } from '../../src/audit/ledger.js';
import { refreshVersionWorkflow } from '../../workflows/refresh-version.js';
import { versionRefreshWorkflowId } from '../../workflows/definitions.js';
import { startHarness, TEST_SETTINGS, type Harness } from '../helpers/refresh-harness.js';
import { repoRoot } from '../helpers/services.js';

// A training worker told to stop (SIGTERM, as Kubernetes does before it deletes a pod) saves a
// checkpoint at the step it has reached and hands the run back; the retry on another worker resumes
// from exactly there, so nothing is lost, although the checkpoint cadence would have lost ~all of it.
let h: Harness;
const workers: ChildProcess[] = [];

function startTrainingWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/bin.ts'), 'worker', '--role', 'training'], { cwd: repoRoot, env: { ...process.env, ...h.env }, stdio: 'ignore' });
  workers.push(child);
  return child;
}

beforeAll(async () => {
  h = await startHarness({ role: 'control' });
});
afterAll(async () => {
  for (const child of workers) child.kill('SIGKILL');
  await h?.stop();
});

describe('training worker drain on SIGTERM', () => {
  it('checkpoints at the current step, exits 0, and the retry resumes from that step', async () => {
    const model = h.newModel();
    await h.publish('mnist-drain', 'first', 2000);
    // The cadence checkpoint (every 2800 steps) would come far too late: only the shutdown one can help.
    const settings = { ...TEST_SETTINGS, scratchSteps: 3000, checkpointEvery: 2800, trainingHeartbeatSeconds: 5, progressEvaluations: 0 };
    const first = startTrainingWorker();
    const exited = new Promise<number | null>((resolve) => first.once('exit', (code) => resolve(code)));
    const handle = await h.client.workflow.start(refreshVersionWorkflow, { workflowId: versionRefreshWorkflowId(model, 'mnist-drain', 1), taskQueue: h.taskQueue, args: [{ model, dataset: 'mnist-drain', version: 1, settings }] });

    // Wait until the server has heard the run past step 100, then ask the worker to stop.
    const deadline = Date.now() + 120_000;
    let heardStep = 0;
    while (heardStep < 100 && Date.now() < deadline) {
      const pending = (await handle.describe()).raw.pendingActivities ?? [];
      const payload = pending.find((a) => a.activityType?.name === 'trainCandidate')?.heartbeatDetails?.payloads?.[0];
      heardStep = payload ? (defaultPayloadConverter.fromPayload<TrainHeartbeat>(payload).step ?? 0) : 0;
      if (heardStep < 100) await new Promise((r) => setTimeout(r, 300));
    }
    expect(heardStep).toBeGreaterThanOrEqual(100);
    first.kill('SIGTERM');
    expect(await exited).toBe(0);
    const checkpoints = (await h.store.list(`models/${model}/checkpoints/`)).filter((key) => key.endsWith('/state.json'));
    expect(checkpoints).toHaveLength(1);
    const savedStep = Number(/step-(\d+)\/state\.json$/.exec(checkpoints[0]!)![1]);
    expect(savedStep).toBeGreaterThanOrEqual(heardStep);
    expect(savedStep).toBeLessThan(2800);

    startTrainingWorker();
    const outcome = await handle.result();
    expect(outcome.status).toBe('promoted');
    const [entry] = await listAuditEntries(h.store, model);
    const training = entry!.attempts[0]!.training;
    expect(training.resumedFromStep).toBe(savedStep);
    expect(training.steps).toBe(3000);
    // Steps done by the stopped attempt all count; none was lost and redone.
    expect(training.work).toMatchObject({ stepsLost: 0, stepsRedone: 0, attempts: 2 });
  }, 300_000);
});
