import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainCandidateActivity, type TrainCandidateInput, type TrainCandidateResult, type TrainHeartbeat } from '../../activities/train.js';
import { publishVersion } from '../../src/data/publish.js';
import { resolveRefreshSettings } from '../../src/refresh/settings.js';
import { toyRows } from '../helpers/toy-rows.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import { FAILURE_TYPES } from '../../src/errors.js';
import type { LeverSettingsInput } from '../../src/training/levers.js';

const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-train-activity-')));
const activity = trainCandidateActivity({ store });
const trainCandidate = (input: TrainCandidateInput): Promise<TrainCandidateResult> => activity(input);
const train = (env: MockActivityEnvironment, input: TrainCandidateInput) => env.run(trainCandidate, input) as Promise<TrainCandidateResult>;
const settings = resolveRefreshSettings({ modelSpec: { kind: 'mlp', hidden: [8] }, scratchSteps: 40, warmSteps: 20, batchSize: 16, learningRate: 0.01, warmupSteps: 2, seed: 3 });


const base = (candidateId: string, overrides: Partial<TrainCandidateInput> = {}): TrainCandidateInput => ({ model: 'm', dataset: 'toy', version: 2, candidateId, mode: 'warm', initFromPrefix: 'models/m/candidates/v1', settings, ...overrides });

beforeAll(async () => {
  const request = { dataset: 'toy', columns: { id: 'id', label: 'label', features: 'x' }, features: { encoding: 'uint8-binary' as const, shape: [6], scale: 1 / 255 }, split: { kind: 'hash' as const, testFraction: 0.2, validationFraction: 0.1 }, rowsPerShard: 200 };
  await publishVersion(store, { ...request, rows: toyRows(0, 300, 2), classes: ['a', 'b'] });
  // v2 adds a class: the warm start grows the head.
  await publishVersion(store, { ...request, rows: toyRows(300, 150, 3), classes: ['a', 'b', 'c'] });
  await train(new MockActivityEnvironment(), base('v1', { version: 1, mode: 'scratch', initFromPrefix: null }));
});

describe('trainCandidate', () => {
  const levers: LeverSettingsInput = {
    init: { kind: 'shrink-perturb', lambda: 0.7, sigma: 0.05 },
    regularization: { kind: 'l2-to-old', strength: 1e-3 },
    selection: { kind: 'easy-hard', score: 'loss', dropEasiest: 0.2, dropHardest: 0.05, mode: 'drop', newFraction: 0.3 },
    schedule: { stepsFraction: 1, peakLearningRate: 0.01, evaluateEvery: 10 },
  };

  it('without levers keeps the plain warm start of warmSteps', async () => {
    const result = await train(new MockActivityEnvironment(), base('plain'));
    expect(result).toMatchObject({ steps: 20, examples: 20 * 16, grownClasses: ['c'], selection: null, levers: { init: { kind: 'warm' } }, resumedFromStep: null });
    expect(result.compute).toMatchObject({ steps: 20, scoringExamples: 0, scoringFlops: 0 });
  });

  it('heartbeats from the start, while it loads data and scores old examples, before the first step', async () => {
    const env = new MockActivityEnvironment();
    const beats: TrainHeartbeat[] = [];
    env.on('heartbeat', (details: TrainHeartbeat) => beats.push(details));
    await train(env, base('beats', { levers }));
    const beforeTraining = beats.slice(0, beats.findIndex((beat) => beat.step > 0));
    // At the start, after the train and validation rows are loaded, before the checkpoint lookup, per scoring batch.
    expect(beforeTraining.length).toBeGreaterThanOrEqual(5);
    expect(beforeTraining.every((beat) => beat.step === 0 && beat.checkpointKey === null)).toBe(true);
  });

  it('resumes a cancelled attempt from its last checkpoint and ends with the weights of an uninterrupted run', async () => {
    const full = await train(new MockActivityEnvironment(), base('full', { levers, checkpointEvery: 10 }));

    const first = new MockActivityEnvironment();
    let last: TrainHeartbeat | undefined;
    first.on('heartbeat', (details: TrainHeartbeat) => {
      last = details;
      if (details.checkpointKey?.endsWith('step-00000020')) first.cancel();
    });
    await expect(train(first, base('interrupted', { levers, checkpointEvery: 10 }))).rejects.toThrow();
    expect(last).toMatchObject({ step: 25, checkpointKey: 'models/m/checkpoints/interrupted/step-00000020' });
    // The heartbeat also says how far the run got, for `warmstart status`.
    expect(last!.progress).toMatchObject({ phase: 'training', step: 25, plannedSteps: full.steps, attempt: 1, resumedFromStep: 0 });

    const retry = await train(new MockActivityEnvironment({ heartbeatDetails: last }), base('interrupted', { levers, checkpointEvery: 10 }));
    expect(retry.resumedFromStep).toBe(20);
    expect(retry).toMatchObject({ steps: full.steps, examples: full.examples, flops: full.flops, selection: full.selection, grownClasses: ['c'] });
    expect(retry.curve.map((p) => [p.step, p.accuracy])).toEqual(full.curve.map((p) => [p.step, p.accuracy]));
    const weights = async (id: string) => Array.from((await store.get(`models/m/candidates/${id}/weights.bin`))!.body);
    expect(await weights('interrupted')).toEqual(await weights('full'));
    // The finished run cleans its checkpoints up.
    expect(await store.list('models/m/checkpoints/interrupted/')).toEqual([]);
  });

  it('resumes from the newest complete checkpoint when the last heartbeat names one that is gone', async () => {
    // A stalled (not dead) attempt that the server timed out keeps writing checkpoints and pruning
    // old ones while its heartbeats are refused: the server's details then name a pruned checkpoint.
    const full = await train(new MockActivityEnvironment(), base('full-stale', { levers, checkpointEvery: 10 }));
    const zombie = new MockActivityEnvironment();
    zombie.on('heartbeat', (details: TrainHeartbeat) => {
      if (details.checkpointKey?.endsWith('step-00000030')) zombie.cancel();
    });
    await expect(train(zombie, base('stale', { levers, checkpointEvery: 10 }))).rejects.toThrow();
    expect(await store.list('models/m/checkpoints/stale/step-00000010/')).toEqual([]);

    const stale: TrainHeartbeat = { step: 12, checkpointKey: 'models/m/checkpoints/stale/step-00000010' };
    const retry = await train(new MockActivityEnvironment({ heartbeatDetails: stale }), base('stale', { levers, checkpointEvery: 10 }));
    expect(retry.resumedFromStep).toBe(30);
    const weights = async (id: string) => Array.from((await store.get(`models/m/candidates/${id}/weights.bin`))!.body);
    expect(await weights('stale')).toEqual(await weights('full-stale'));
    expect(retry.steps).toBe(full.steps);
  });

  it('never resumes from a checkpoint of a run with other inputs', async () => {
    const first = new MockActivityEnvironment();
    first.on('heartbeat', (details: TrainHeartbeat) => {
      if (details.checkpointKey?.endsWith('step-00000010')) first.cancel();
    });
    await expect(train(first, base('changed', { levers, checkpointEvery: 10 }))).rejects.toThrow();
    const otherLevers: LeverSettingsInput = { ...levers, regularization: { kind: 'none' } };
    const rerun = await train(new MockActivityEnvironment(), base('changed', { levers: otherLevers, checkpointEvery: 10 }));
    expect(rerun.resumedFromStep).toBeNull();
  });

  it('refuses a bad configuration before training, as a non-retryable failure naming the setting', async () => {
    const run = train(new MockActivityEnvironment(), base('bad', { levers: { selection: { kind: 'easy-hard', score: 'loss', dropEasiest: 0.7, dropHardest: 0.3, mode: 'drop' } } }));
    await expect(run).rejects.toMatchObject({ type: FAILURE_TYPES.badTrainingConfig, nonRetryable: true, message: expect.stringContaining('levers.selection.dropEasiest') });
    const mismatch = train(new MockActivityEnvironment(), base('arch', { settings: { ...settings, modelSpec: { kind: 'mlp', hidden: [9] } } }));
    await expect(mismatch).rejects.toMatchObject({ type: FAILURE_TYPES.badTrainingConfig, message: expect.stringMatching(/^modelSpec: /) });
  });
});
