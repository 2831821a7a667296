import type * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Examples } from '../../src/data/examples.js';
import { evaluateAccuracy } from '../../src/evaluation/evaluate.js';
import { selectBackend } from '../../src/training/backend.js';
import { completeCheckpoints, loadCheckpoint } from '../../src/training/checkpoint.js';
import { estimateFlops } from '../../src/training/flops.js';
import { resolveLevers, type LeverSettingsInput } from '../../src/training/levers.js';
import { buildModel } from '../../src/training/build-model.js';
import { runTraining, type RunProgressState, type RunTrainingOptions } from '../../src/training/run-training.js';
import { trainModel } from '../helpers/train-model.js';
import { trainUntilWorkerLost } from '../helpers/lost-worker.js';
import { blobs } from './training-fixtures.js';

const spec = { kind: 'mlp' as const, hidden: [12] };
const classes = ['a', 'b', 'c'];

/** Keeps the rows whose label passes `keep`, marking them old (0) or new (1). */
function only(data: Examples, keep: (label: number) => boolean, isNew: (label: number) => boolean): Examples {
  const rows = Array.from(data.y.keys()).filter((i) => keep(data.y[i]!));
  const x = new Float32Array(rows.length * data.featureSize);
  rows.forEach((r, i) => x.set(data.x.subarray(r * data.featureSize, (r + 1) * data.featureSize), i * data.featureSize));
  return { count: rows.length, featureSize: data.featureSize, x, y: Int32Array.from(rows, (r) => data.y[r]!), isNew: Uint8Array.from(rows, (r) => (isNew(data.y[r]!) ? 1 : 0)), ids: rows };
}

// Class-incremental: the previous model knows a and b; c arrives as new data.
const train = only(blobs(600, 1), () => true, (label) => label === 2);
const test = only(blobs(300, 2), () => true, (label) => label === 2);
let previous: tf.LayersModel;

beforeAll(async () => {
  await selectBackend();
  previous = buildModel(spec, 8, 2, 3);
  await trainModel(previous, only(blobs(400, 4), (label) => label < 2, () => false), { steps: 60, batchSize: 32, learningRate: 0.01, warmupSteps: 0, seed: 1 });
});

function options(levers: LeverSettingsInput, extra: Partial<RunTrainingOptions> = {}): RunTrainingOptions {
  return { spec, inputShape: [8], classes, train, previous: { model: previous, classes: ['a', 'b'] }, levers: resolveLevers(levers), scratchSteps: 100, batchSize: 32, seed: 5, ...extra };
}

describe('runTraining', () => {
  it('warm-starts with a grown head, learns the new class, and accounts for training and scoring compute', async () => {
    const levers = { init: { kind: 'warm' as const }, selection: { kind: 'easy-hard' as const, score: 'loss' as const, dropEasiest: 0.3, dropHardest: 0.05, mode: 'drop' as const, newFraction: 0.5 }, schedule: { stepsFraction: 0.4, peakLearningRate: 0.01 } };
    const run = await runTraining(options(levers, { evaluation: test, backend: { name: 'test-backend', device: 'test-device' } }));
    expect(run.grownClasses).toEqual(['c']);
    const metrics = evaluateAccuracy(run.model, test);
    expect(metrics.newAccuracy).toBeGreaterThan(0.9);
    expect(metrics.oldAccuracy).toBeGreaterThan(0.9);
    const oldCount = train.count - train.isNew.reduce((n, v) => n + v, 0);
    expect(run.selection).toMatchObject({ scored: oldCount, easiest: Math.floor(0.3 * oldCount), hardest: Math.floor(0.05 * oldCount) });
    const flops = estimateFlops(run.model);
    expect(run.compute).toMatchObject({
      steps: 40,
      examples: 40 * 32,
      flops: 40 * 32 * flops.trainPerExample,
      scoringExamples: oldCount,
      scoringFlops: oldCount * estimateFlops(previous).forwardPerExample,
      backend: 'test-backend',
      device: 'test-device',
    });
    // Evaluated at the start (the warm model knows nothing of c yet) and every 2 steps (1/20 of 40).
    expect(run.curve[0]).toMatchObject({ step: 0, newAccuracy: 0 });
    expect(run.curve.map((p) => p.step)).toEqual(Array.from({ length: 21 }, (_, i) => 2 * i));
    run.model.dispose();
  });

  it('stops at the first evaluation that reaches the target accuracy', async () => {
    const run = await runTraining(options({ schedule: { stepsFraction: 1, peakLearningRate: 0.01, stopAtAccuracy: 0.8, evaluateEvery: 5 } }, { evaluation: test }));
    expect(run.stoppedEarly).toBe(true);
    expect(run.compute.steps).toBeLessThan(100);
    expect(run.compute.steps % 5).toBe(0);
    expect(run.curve.at(-1)!.accuracy).toBeGreaterThanOrEqual(0.8);
    expect(run.curve.slice(0, -1).every((p) => p.accuracy < 0.8)).toBe(true);
    run.model.dispose();
  });

  it("trains with the dataset's example weights: a class weighted 0 is never learnt", async () => {
    const scratch = { init: { kind: 'scratch' as const }, schedule: { stepsFraction: 1, peakLearningRate: 0.01 } };
    const unweighted = await runTraining(options(scratch, { previous: null }));
    const weights = Float32Array.from(train.y, (label) => (label === 2 ? 0 : 1));
    const weighted = await runTraining(options(scratch, { previous: null, train: { ...train, weights } }));
    expect(evaluateAccuracy(unweighted.model, test).newAccuracy).toBeGreaterThan(0.9);
    expect(evaluateAccuracy(weighted.model, test).newAccuracy).toBeLessThan(0.1);
    for (const run of [unweighted, weighted]) run.model.dispose();
  });

  it('counts a learning-speed probe run as scoring compute', async () => {
    const run = await runTraining(options({ init: { kind: 'scratch' }, selection: { kind: 'easy-hard', score: 'learning-speed', dropEasiest: 0.2, dropHardest: 0, mode: 'down-weight', probeStepsFraction: 0.2, probeEvaluations: 4 }, schedule: { stepsFraction: 0.2 } }, { previous: null }));
    const oldCount = train.count - train.isNew.reduce((n, v) => n + v, 0);
    const perExample = estimateFlops(run.model);
    // 20 probe steps of 32, then 4 evaluations of every old example.
    expect(run.compute.scoringExamples).toBe(20 * 32 + 4 * oldCount);
    expect(run.compute.scoringFlops).toBe(20 * 32 * perExample.trainPerExample + 4 * oldCount * perExample.forwardPerExample);
    expect(run.selection).toMatchObject({ mode: 'down-weight', easiest: Math.floor(0.2 * oldCount) });
    run.model.dispose();
  });
});

describe('checkpoints and resume', () => {
  it('a run interrupted after a checkpoint and resumed ends with the same weights as one that was not', async () => {
    const levers = { init: { kind: 'shrink-perturb' as const, lambda: 0.6, sigma: 0.05 }, regularization: { kind: 'l2-to-old' as const, strength: 1e-3 }, selection: { kind: 'easy-hard' as const, score: 'margin' as const, dropEasiest: 0.2, dropHardest: 0.05, mode: 'down-weight' as const, newFraction: 0.4 }, schedule: { stepsFraction: 0.6, peakLearningRate: 0.01 } };
    const straight = await runTraining(options(levers));
    const expected = straight.model.getWeights().map((w) => Array.from(w.dataSync()));

    const { store, prefix, latest } = await trainUntilWorkerLost(options(levers), { checkpointEvery: 20, progressEvery: 5, lostAt: 45 });
    expect(latest).toEqual({ step: 40, checkpointKey: `${prefix}/step-00000040` });
    // The latest two checkpoints are kept (the server may not have heard of the newest yet).
    expect(await completeCheckpoints(store, prefix)).toEqual([latest, { step: 20, checkpointKey: `${prefix}/step-00000020` }]);
    expect((await store.list(`${prefix}/`)).every((key) => /step-000000[24]0\//.test(key))).toBe(true);

    const checkpoint = await loadCheckpoint(store, latest!);
    const resumed = await runTraining(options(levers, { resume: { model: checkpoint.model, snapshot: checkpoint.snapshot, state: checkpoint.extra as RunProgressState, selectionWeights: checkpoint.selectionWeights } }));
    expect(resumed.model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(expected);
    expect(resumed.compute.steps).toBe(straight.compute.steps);
    expect(resumed.compute.examples).toBe(straight.compute.examples);
    expect(resumed.compute.scoringExamples).toBe(straight.compute.scoringExamples);
    expect(resumed.selection).toEqual(straight.selection);
    for (const m of [straight.model, resumed.model, checkpoint.model]) m.dispose();
  });
});
