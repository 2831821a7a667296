import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/training/backend.js';
import { decide, startSchedule, takeReading, resolvedAdaptive } from '../../src/training/adaptive-schedule.js';
import { loadCheckpoint } from '../../src/training/checkpoint.js';
import { LeverSettingsError, resolveLevers, type LeverSettingsInput } from '../../src/training/levers.js';
import { runTraining, type RunProgressState, type RunTrainingOptions } from '../../src/training/run-training.js';
import { SeededRandom } from '../../src/random.js';
import { trainUntilWorkerLost } from '../helpers/lost-worker.js';
import { blobs, weightsOf } from './training-fixtures.js';

const spec = { kind: 'mlp' as const, hidden: [16] };
const classes = ['a', 'b', 'c'];
const train = blobs(900, 1);
const validation = blobs(300, 2);
const test = blobs(300, 3);

beforeAll(async () => {
  await selectBackend();
});

/**
 * A scratch-initialised run on a base of 4% of scratch's 1000 steps: underfit, so validation keeps
 * improving across the first extensions (93%, 95%, 99.7%), then levels off at 100%.
 */
function options(adaptive: LeverSettingsInput['schedule'], extra: Partial<RunTrainingOptions> = {}): RunTrainingOptions {
  const levers = resolveLevers({ init: { kind: 'scratch' }, schedule: { stepsFraction: 0.04, warmupFraction: 0, peakLearningRate: 5e-3, evaluateEvery: 10, ...adaptive } });
  return { spec, inputShape: [8], classes, train, levers, scratchSteps: 1000, batchSize: 16, seed: 7, evaluation: test, validation, ...extra };
}

describe('runTraining with the adaptive schedule', () => {
  it('extends while validation improves by more than the margin and stops at the cap on extensions, recording why', async () => {
    const run = await runTraining(options({ adaptive: { margin: 0, patience: 1, maxExtensions: 2 } }));
    const { stop } = run;
    // Base 40 steps, then extensions of 20 (half the base's 4% of scratch): at most 80 steps.
    expect(stop.baseSteps).toBe(40);
    expect(stop.extensions).toBe(2);
    expect(stop.reason).toBe('max-extensions');
    expect(stop.steps).toBe(80);
    expect(run.compute.steps).toBe(80);
    // The readings are the base's tail probe (step 30) and each cycle's end, and each cycle end gained on the best before it.
    expect(stop.readings!.map((r) => r.step)).toEqual([30, 40, 60, 80]);
    const accuracies = stop.readings!.map((r) => r.accuracy);
    for (let i = 1; i < 3; i++) expect(accuracies[i]).toBeGreaterThan(Math.max(...accuracies.slice(0, i)));
    // The curve (on test) runs to the run's last step: the loop trained the extensions.
    expect(run.curve.at(-1)!.step).toBe(80);
    run.model.dispose();
  });

  it('stops on a plateau once validation levels off', async () => {
    const settings = options({ adaptive: { margin: 0.001, patience: 1, maxExtensions: 50 } });
    const run = await runTraining(settings);
    const { stop } = run;
    expect(stop.reason).toBe('plateau');
    expect(stop.extensions).toBeGreaterThanOrEqual(1);
    expect(stop.steps).toBe(40 + 20 * stop.extensions);
    // The recorded readings replayed through the pure rule give the same decision at the same step.
    const lever = resolvedAdaptive(settings.levers.schedule)!;
    const replay = startSchedule(settings.levers.schedule, stop.baseSteps);
    const readings = stop.readings!;
    for (const reading of readings.slice(0, -1)) takeReading(replay, reading, lever, 1000);
    expect(decide(replay, readings.at(-1)!, lever, 1000)).toMatchObject({ kind: 'stop', reason: 'plateau' });
    run.model.dispose();
  });

  it('never runs past scratch`s budget: the last extension is cut to fit', async () => {
    const run = await runTraining(options({ adaptive: { margin: 0, patience: 1, maxExtensions: 50, extensionFraction: 0.3 } }, { scratchSteps: 60 }));
    // Base 2 steps (4% of 60, too short for a tail probe), then extensions of 18 steps: 20, 38, 56, and 4 more to 60.
    expect(run.stop).toMatchObject({ reason: 'scratch-budget', baseSteps: 2, extensions: 4, steps: 60 });
    expect(run.compute.steps).toBe(60);
    run.model.dispose();
  });

  it('a fixed schedule records fixed-schedule and its steps', async () => {
    const run = await runTraining(options({}));
    expect(run.stop).toEqual({ reason: 'fixed-schedule', extensions: 0, steps: 40, baseSteps: 40 });
    run.model.dispose();
  });

  it('refuses an adaptive run with nothing to decide on', async () => {
    await expect(runTraining(options({ adaptive: { margin: 0, patience: 1, maxExtensions: 1 } }, { evaluation: undefined, validation: undefined }))).rejects.toThrow(LeverSettingsError);
  });

  it('a run interrupted inside an extension and resumed from its checkpoint takes the same steps and ends with the same weights', async () => {
    const adaptive = { adaptive: { margin: 0, patience: 1, maxExtensions: 2 } };
    const straight = await runTraining(options(adaptive));
    // Step 55 is inside the first extension (steps 40-60): the decision to extend is in the checkpoint of step 50.
    const { store, latest } = await trainUntilWorkerLost(options(adaptive), { checkpointEvery: 10, progressEvery: 5, lostAt: 55 });
    expect(latest).toMatchObject({ step: 50 });
    const checkpoint = await loadCheckpoint(store, latest!);
    expect((checkpoint.extra as RunProgressState).adaptive?.cycles).toHaveLength(2);
    const resumed = await runTraining(options(adaptive, { resume: { model: checkpoint.model, snapshot: checkpoint.snapshot, state: checkpoint.extra as RunProgressState } }));
    expect(resumed.stop).toEqual(straight.stop);
    expect(resumed.compute.steps).toBe(straight.compute.steps);
    expect(resumed.curve).toEqual(straight.curve);
    expect(weightsOf(resumed.model)).toEqual(weightsOf(straight.model));
    for (const m of [straight.model, resumed.model, checkpoint.model]) m.dispose();
  });

  describe('ending with the best cycle`s weights', () => {
    // Blobs blurred by noise (validation peaks near 94%, not 100%), and extensions of 3 steps re-warmed to
    // 10x the base's peak (0.5 with Adam): each knocks the model off, so validation falls after the
    // base's end (by about 8 points, then 11); patience 2 lets a second extension run and lose too.
    const blurred = (count: number, seed: number) => {
      const examples = blobs(count, seed);
      const random = new SeededRandom(seed + 100);
      for (let i = 0; i < examples.x.length; i++) examples.x[i] = examples.x[i]! + 3 * (random.next() - 0.5);
      return examples;
    };
    const data = { train: blurred(900, 1), validation: blurred(300, 2), evaluation: blurred(300, 3) };
    const losing = { peakLearningRate: 0.05, adaptive: { margin: 0, patience: 2, maxExtensions: 2, peakFactor: 10, extensionFraction: 0.003 } };
    const predictions = (model: tf.LayersModel) => tf.tidy(() => Array.from((model.predict(tf.tensor2d(data.evaluation.x, [data.evaluation.count, data.evaluation.featureSize])) as tf.Tensor).dataSync()));

    it('an adaptive run whose extension loses ends with the weights and predictions of its best cycle end, and frees the copy', async () => {
      const before = tf.memory().numTensors;
      const run = await runTraining(options(losing, data));
      const { stop } = run;
      expect(stop).toMatchObject({ reason: 'plateau', extensions: 2, steps: 46, baseSteps: 40 });
      const [, baseEnd, ...extensionEnds] = stop.readings!;
      // The test is only meaningful if the extensions lost on validation.
      for (const end of extensionEnds) expect(end.accuracy).toBeLessThan(baseEnd!.accuracy);
      expect(stop.kept).toEqual(baseEnd);
      // The base schedule alone is the same run up to step 40 (readings do not touch the weights).
      const fixed = await runTraining(options({ peakLearningRate: 0.05 }, data));
      expect(fixed.stop.steps).toBe(40);
      expect(weightsOf(run.model)).toEqual(weightsOf(fixed.model));
      expect(predictions(run.model)).toEqual(predictions(fixed.model));
      // The curve ends with the delivered model: the base end's evaluation, at the run's last step.
      const atBaseEnd = run.curve.find((p) => p.step === 40)!;
      expect(run.curve.at(-1)).toEqual({ ...atBaseEnd, step: 46, keptFrom: 40 });
      expect(run.curve.at(-2)!.step).toBe(46);
      expect(run.curve.at(-2)!.accuracy).toBeLessThan(atBaseEnd.accuracy);
      run.model.dispose();
      fixed.model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });

    it('a run whose cycles all gain keeps its last weights and records them as kept', async () => {
      const run = await runTraining(options({ adaptive: { margin: 0, patience: 1, maxExtensions: 2 } }));
      expect(run.stop.kept).toEqual(run.stop.readings!.at(-1));
      expect(run.curve.some((p) => p.keptFrom !== undefined)).toBe(false);
      run.model.dispose();
    });

    it('killed inside the losing extension and resumed, it ends with exactly the uninterrupted run`s weights', async () => {
      const straight = await runTraining(options(losing, data));
      // Step 45 is inside the second extension (steps 43-46), after the first one lost.
      const { store, latest } = await trainUntilWorkerLost(options(losing, data), { checkpointEvery: 2, progressEvery: 1, lostAt: 45 });
      expect(latest).toMatchObject({ step: 44 });
      expect(await store.get(`${latest!.checkpointKey}/kept.bin`)).not.toBeNull();
      const before = tf.memory().numTensors;
      const checkpoint = await loadCheckpoint(store, latest!);
      expect(checkpoint.snapshot.keptWeights).toHaveLength(checkpoint.model.getWeights().length);
      const resumed = await runTraining(options(losing, { ...data, resume: { model: checkpoint.model, snapshot: checkpoint.snapshot, state: checkpoint.extra as RunProgressState } }));
      expect(resumed.stop).toEqual(straight.stop);
      expect(resumed.stop.kept!.step).toBe(40);
      expect(resumed.curve).toEqual(straight.curve);
      expect(weightsOf(resumed.model)).toEqual(weightsOf(straight.model));
      // The run disposed the kept weights it adopted; the caller disposes the model and optimizer moments it loaded.
      for (const m of [resumed.model, checkpoint.model]) m.dispose();
      for (const t of [...checkpoint.snapshot.optimizer.m, ...checkpoint.snapshot.optimizer.v]) t.dispose();
      expect(tf.memory().numTensors).toBe(before);
      straight.model.dispose();
    });
  });
});
