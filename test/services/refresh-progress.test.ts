import type { Context } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainHeartbeat } from '../../activities/train.js';
import { statusCommand } from '../../src/cli/commands/status.js';
import type { RunningRefresh } from '../../src/temporal/running-refresh.js';
import { signalVersionLanded, waitForOutcome } from '../../src/temporal/client.js';
import { startHarness, TEST_SETTINGS, type Harness } from '../helpers/refresh-harness.js';

// A running refresh is visible from the server alone: `status --json` shows phase, step, ETA and the
// live validation metric while training runs, the workflow's current details and WarmstartPhase say
// where it is, and afterwards status shows it finished. Training is slowed by an activity
// interceptor (each training heartbeat blocks 250 ms), so the test sees it mid-run on any machine.
// The heartbeat timeout is 5 s: the SDK sends heartbeats to the server at most every 80% of it.
function slowTraining(ctx: Context) {
  const heartbeat = ctx.heartbeat.bind(ctx);
  Object.defineProperty(ctx, 'heartbeat', {
    value: (details: TrainHeartbeat) => {
      heartbeat(details);
      if (details?.progress?.phase === 'training' && details.step > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    },
  });
  return {};
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ interceptors: { activity: [slowTraining] } });
});
afterAll(() => h?.stop());

async function statusJson(model: string): Promise<{ running: RunningRefresh | null; refresh: { outcomes: { status: string }[]; current: unknown } }> {
  return JSON.parse(await statusCommand(h.store, h.client, model, true));
}

async function listed(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of h.client.workflow.list({ query })) ids.push(execution.workflowId);
  return ids;
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

describe('a running refresh', () => {
  it('shows phase, step, ETA and the validation metric while training, then shows it finished', async () => {
    const model = h.newModel('progress');
    const dataset = 'mnist-progress';
    const { version } = await h.publish(dataset, 'first', 1500);
    await signalVersionLanded(h.client, { model, dataset, version, taskQueue: h.taskQueue, settings: { ...TEST_SETTINGS, scratchSteps: 600, trainingHeartbeatSeconds: 5 } });

    // Two polls at different steps: the step advances while the refresh runs.
    const first = await eventually(async () => {
      const { running } = await statusJson(model);
      return running?.progress?.phase === 'training' && running.progress.step > 0 && running.progress.curve.length > 0 ? running : undefined;
    }, 'training progress');
    const later = await eventually(async () => {
      const { running } = await statusJson(model);
      return running?.progress && running.progress.step > first.progress!.step ? running : undefined;
    }, 'the step to advance');

    expect(later.progress).toMatchObject({ phase: 'training', plannedSteps: 600, attempt: 1, resumedFromStep: 0 });
    expect(later.progress!.step).toBeLessThan(600);
    // The ETA is the steps left at the measured rate (64 examples a step).
    expect(later.progress!.examplesPerSecond).toBeGreaterThan(0);
    expect(later.progress!.etaSeconds).toBeCloseTo(((600 - later.progress!.step) * 64) / later.progress!.examplesPerSecond!, 6);
    expect(later.progress!.curve[0]).toMatchObject({ step: 0 });
    expect(later.progress!.curve[0]!.accuracy).toBeGreaterThanOrEqual(0);
    expect(later.activity).toMatchObject({ type: 'trainCandidate', state: 'started', attempt: 1, late: false });
    // The workflow's current details, read through the client (the SDK's metadata query).
    expect(later.details).toMatch(new RegExp(`^training scratch on ${dataset} v1 \\(candidate `));
    const text = await statusCommand(h.store, h.client, model, false);
    expect(text).toMatch(/\[#*-*\] \d+\/600 {2}ETA /);
    expect(text).toMatch(/validation accuracy \d+\.\d\d% at step \d+/);
    // The phase search attribute, through a list query (visibility is eventually consistent).
    const training = await eventually(async () => {
      const ids = await listed(`WarmstartModel = '${model}' AND WarmstartPhase = 'training'`);
      return ids.length > 0 ? ids : undefined;
    }, 'WarmstartPhase = training in visibility');
    expect(training).toEqual([later.workflowId]);

    const outcome = await waitForOutcome(h.client, model, dataset, version, { timeoutMs: 180_000 });
    expect(outcome.status).toBe('promoted');
    const after = await statusJson(model);
    expect(after.running).toBeNull();
    expect(after.refresh.current).toBeNull();
    expect(after.refresh.outcomes.map((o) => o.status)).toEqual(['promoted']);
    const done = await eventually(async () => {
      const ids = await listed(`WarmstartModel = '${model}' AND WarmstartPhase = 'done'`);
      return ids.length > 0 ? ids : undefined;
    }, 'WarmstartPhase = done in visibility');
    expect(done).toEqual([later.workflowId]);
  });
});
