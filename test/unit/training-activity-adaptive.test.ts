import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainCandidateActivity, type TrainCandidateInput, type TrainCandidateResult, type TrainHeartbeat } from '../../activities/train.js';
import { trainingRecord } from '../../src/audit/records.js';
import { publishVersion } from '../../src/data/publish.js';
import { FAILURE_TYPES } from '../../src/errors.js';
import { resolveRefreshSettings } from '../../src/refresh/settings.js';
import { toyRows } from '../helpers/toy-rows.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import type { LeverSettingsInput } from '../../src/training/levers.js';

const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-train-adaptive-')));
const activity = trainCandidateActivity({ store });
const train = (env: MockActivityEnvironment, input: TrainCandidateInput) => env.run(activity, input) as Promise<TrainCandidateResult>;
const settings = resolveRefreshSettings({ modelSpec: { kind: 'mlp', hidden: [8] }, scratchSteps: 80, warmSteps: 20, batchSize: 16, learningRate: 0.01, warmupSteps: 2, seed: 3 });


const base = (candidateId: string, overrides: Partial<TrainCandidateInput> = {}): TrainCandidateInput => ({ model: 'm', dataset: 'toy', version: 2, candidateId, mode: 'warm', initFromPrefix: 'models/m/candidates/v1', settings, ...overrides });

// Base 20 steps (a quarter of scratch's 80), extensions of 10; patience 3 with margin 0 extends to the cap.
const levers: LeverSettingsInput = { schedule: { stepsFraction: 0.25, peakLearningRate: 0.01, adaptive: { margin: 0, patience: 3, maxExtensions: 2 } } };

beforeAll(async () => {
  const request = { dataset: 'toy', columns: { id: 'id', label: 'label', features: 'x' }, features: { encoding: 'uint8-binary' as const, shape: [6], scale: 1 / 255 }, split: { kind: 'hash' as const, testFraction: 0.2, validationFraction: 0.2 }, rowsPerShard: 200 };
  await publishVersion(store, { ...request, rows: toyRows(0, 300, 3), classes: ['a', 'b', 'c'] });
  await publishVersion(store, { ...request, rows: toyRows(300, 150, 3), classes: ['a', 'b', 'c'] });
  await train(new MockActivityEnvironment(), base('v1', { version: 1, mode: 'scratch', initFromPrefix: null }));
});

describe('trainCandidate with the adaptive schedule', () => {
  it('records where it stopped and why, in its result and in the ledger`s training record', async () => {
    const result = await train(new MockActivityEnvironment(), base('adaptive', { levers }));
    expect(result.stop).toMatchObject({ reason: 'max-extensions', extensions: 2, baseSteps: 20, steps: 40 });
    expect(result.steps).toBe(40);
    expect(result.levers.schedule.adaptive).toEqual({ margin: 0, patience: 3, maxExtensions: 2 });
    expect(trainingRecord(result, 'v1').stop).toEqual(result.stop);
    const fixed = await train(new MockActivityEnvironment(), base('fixed'));
    expect(fixed.stop).toEqual({ reason: 'fixed-schedule', extensions: 0, steps: 20, baseSteps: 20 });
  });

  it('a retry resumes the same decisions from the checkpoint and ends with the weights of an uninterrupted run', async () => {
    const full = await train(new MockActivityEnvironment(), base('full', { levers, checkpointEvery: 5 }));
    const first = new MockActivityEnvironment();
    let last: TrainHeartbeat | undefined;
    first.on('heartbeat', (details: TrainHeartbeat) => {
      last = details;
      // Inside the first extension (steps 20-30).
      if (details.checkpointKey?.endsWith('step-00000025')) first.cancel();
    });
    await expect(train(first, base('interrupted', { levers, checkpointEvery: 5 }))).rejects.toThrow();
    expect(last?.checkpointKey).toMatch(/step-00000025$/);
    const retry = await train(new MockActivityEnvironment({ heartbeatDetails: last }), base('interrupted', { levers, checkpointEvery: 5 }));
    expect(retry.resumedFromStep).toBe(25);
    expect(retry.stop).toEqual(full.stop);
    expect(retry.steps).toBe(full.steps);
    const weights = async (id: string) => Array.from((await store.get(`models/m/candidates/${id}/weights.bin`))!.body);
    expect(await weights('interrupted')).toEqual(await weights('full'));
  });

  it('refuses a bad adaptive setting before training, as a non-retryable failure naming the field', async () => {
    const run = train(new MockActivityEnvironment(), base('bad', { levers: { schedule: { adaptive: { patience: 0 } } } }));
    await expect(run).rejects.toMatchObject({ type: FAILURE_TYPES.badTrainingConfig, nonRetryable: true, message: expect.stringContaining('levers.schedule.adaptive.patience: must be an integer >= 1') });
  });
});
