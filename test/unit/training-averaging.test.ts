import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import { selectBackend } from '../../src/training/backend.js';
import { loadCheckpoint, saveCheckpoint, type CheckpointRef } from '../../src/training/checkpoint.js';
import { resolveLevers, validateLevers, type LeverSettingsInput } from '../../src/training/levers.js';
import { runTraining, type RunProgressState, type RunTrainingOptions } from '../../src/training/run-training.js';
import { WeightAverage } from '../../src/training/weight-average.js';
import { adaptiveLevers } from '../../src/bench/variants.js';
import { trainUntilWorkerLost } from '../helpers/lost-worker.js';
import { evaluateAccuracy } from '../../src/evaluation/evaluate.js';
import { blobs, weightsOf } from './training-fixtures.js';

const spec = { kind: 'mlp' as const, hidden: [16] };
const classes = ['a', 'b', 'c'];
const train = blobs(900, 1);
const test = blobs(300, 3);

beforeAll(async () => {
  await selectBackend();
});

function options(schedule: LeverSettingsInput['schedule'], extra: Partial<RunTrainingOptions> = {}): RunTrainingOptions {
  const levers = resolveLevers({ init: { kind: 'scratch' }, schedule: { stepsFraction: 0.06, warmupFraction: 0, peakLearningRate: 2e-2, evaluateEvery: 10, ...schedule } });
  return { spec, inputShape: [8], classes, train, levers, scratchSteps: 1000, batchSize: 16, seed: 7, evaluation: test, ...extra };
}

describe('WeightAverage', () => {
  it('is the bias-corrected exponential average of the steps taken in, swapped in for a call, and left in the variables at the end', async () => {
    const v = tf.variable(tf.tensor1d([0, 10]));
    const average = new WeightAverage([v], 0.5);
    // Before any step there is no average: the variables keep their values.
    expect(await average.swappedIn(() => Array.from(v.dataSync()))).toEqual([0, 10]);
    const steps = [[4, 2], [8, 6], [2, 2]];
    for (const value of steps) {
      v.assign(tf.tensor1d(value));
      average.update();
    }
    // Weights 0.25, 0.5, 1 (decay 0.5 per step back), normalised: the starting [0, 10] has no weight.
    const expected = [0, 1].map((i) => (0.25 * steps[0]![i]! + 0.5 * steps[1]![i]! + steps[2]![i]!) / 1.75);
    const seen = await average.swappedIn(() => Array.from(v.dataSync()));
    seen.forEach((s, i) => expect(s).toBeCloseTo(expected[i]!, 5));
    expect(Array.from(v.dataSync())).toEqual([2, 2]);
    average.applyToVariables();
    Array.from(v.dataSync()).forEach((s, i) => expect(s).toBeCloseTo(expected[i]!, 5));
    average.dispose();
    v.dispose();
  });

  it('refuses bad decays and the adaptive schedule, naming the setting', () => {
    const levers = resolveLevers({ schedule: { averaging: { decay: 0.99 } } });
    expect(validateLevers(levers)).toEqual([]);
    expect(validateLevers({ ...levers, schedule: { ...levers.schedule, averaging: { decay: 1 } } })[0]!.setting).toBe('levers.schedule.averaging.decay');
    expect(() => resolveLevers({ schedule: { averaging: { decay: 0.99 }, adaptive: {} } })).toThrow(/levers.schedule.averaging: cannot be combined with schedule.adaptive/);
    // The benchmark's adaptive variant of an averaged combination drops the average rather than failing.
    expect(validateLevers(adaptiveLevers(levers))).toEqual([]);
    expect(adaptiveLevers(levers).schedule.averaging).toBeUndefined();
    // null turns a default's averaging off.
    expect(resolveLevers({ schedule: { averaging: null } }, levers).schedule.averaging).toBeUndefined();
  });
});

describe('runTraining with weight averaging', () => {
  it('delivers the average, not the last weights, and its curve scores the average', async () => {
    const before = tf.memory().numTensors;
    const averaged = await runTraining(options({ averaging: { decay: 0.9 } }));
    const last = await runTraining(options({}));
    // Same data order and steps: only what is delivered and scored differs.
    expect(averaged.compute.steps).toBe(last.compute.steps);
    expect(weightsOf(averaged.model)).not.toEqual(weightsOf(last.model));
    expect(averaged.curve.at(-1)!.accuracy).toBeCloseTo(evaluateAccuracy(averaged.model, test).accuracy, 6);
    expect(last.curve.at(-1)!.accuracy).toBeCloseTo(evaluateAccuracy(last.model, test).accuracy, 6);
    averaged.model.dispose();
    last.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('killed mid-run and resumed from its checkpoint (averaged.bin), it ends with exactly the uninterrupted run`s weights', async () => {
    const schedule = { averaging: { decay: 0.9 } };
    const straight = await runTraining(options(schedule));
    const { store, latest } = await trainUntilWorkerLost(options(schedule), { checkpointEvery: 10, progressEvery: 5, lostAt: 35 });
    expect(latest).toMatchObject({ step: 30 });
    expect(await store.get(`${latest!.checkpointKey}/averaged.bin`)).not.toBeNull();
    const checkpoint = await loadCheckpoint(store, latest!);
    expect(checkpoint.snapshot.averaged?.updates).toBe(30);
    const resumed = await runTraining(options(schedule, { resume: { model: checkpoint.model, snapshot: checkpoint.snapshot, state: checkpoint.extra as RunProgressState } }));
    expect(resumed.curve).toEqual(straight.curve);
    expect(weightsOf(resumed.model)).toEqual(weightsOf(straight.model));
    for (const m of [straight.model, resumed.model, checkpoint.model]) m.dispose();
    for (const t of [...checkpoint.snapshot.optimizer.m, ...checkpoint.snapshot.optimizer.v]) t.dispose();
  });

  it('refuses to resume a checkpoint written without averaging', async () => {
    const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-averaging-mix-')));
    let latest: CheckpointRef | null = null;
    const run = await runTraining(options({}, { checkpointEvery: 10, onCheckpoint: async (model, snapshot, state) => void (latest = await saveCheckpoint(store, 'p', model, snapshot, state)) }));
    run.model.dispose();
    const checkpoint = await loadCheckpoint(store, latest!);
    await expect(runTraining(options({ averaging: { decay: 0.9 } }, { resume: { model: checkpoint.model, snapshot: checkpoint.snapshot, state: checkpoint.extra as RunProgressState } }))).rejects.toThrow(
      /written by a run without weight averaging/,
    );
    checkpoint.model.dispose();
  });
});
