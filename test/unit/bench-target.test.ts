import { describe, expect, it } from 'vitest';
import { summarize, type SeedOutcome } from '../../src/bench/continual.js';
import { sample } from '../../src/bench/data.js';
import { continualTable } from '../../src/bench/format.js';
import { finalAccuracy, finalValue, majorityBaseline, noBetterThanMajority, relaxedTarget, speedUp, spread, stepsToReach, stepsToReachMetric, WINDOW } from '../../src/bench/target.js';
import type { Examples } from '../../src/data/examples.js';

const curve = (accuracies: number[], every = 10) => accuracies.map((accuracy, i) => ({ step: i * every, accuracy }));

describe('the reached-target rule', () => {
  it('does not reward a single spike above the target', () => {
    const run = curve([0.5, 0.8, 0.95, 0.8, 0.85, 0.9, 0.92, 0.93, 0.94]);
    // 0.95 at step 20 is a spike; the first window of 3 with mean >= 0.92 ends at step 80 (0.92, 0.93, 0.94 -> 0.93).
    expect(stepsToReach(run, 0.92)).toBe(80);
    expect(stepsToReach(run, 0.93)).toBe(80);
    expect(stepsToReach(run, 0.95)).toBeNull();
  });

  it('counts 0 steps when the old model is already at the target before training, and only then', () => {
    expect(stepsToReach(curve([0.97, 0.96, 0.97, 0.97]), 0.96)).toBe(0);
    expect(stepsToReach(curve([0.9, 0.97, 0.97, 0.97]), 0.96)).toBe(30);
  });

  it('A* is the mean of the last evaluations, and scratch always reaches its own A* by its end', () => {
    const run = curve([0.2, 0.6, 0.9, 0.91, 0.93, 0.92, 0.94]);
    expect(WINDOW).toBe(3);
    expect(finalAccuracy(run)).toBeCloseTo((0.93 + 0.92 + 0.94) / 3, 12);
    expect(stepsToReach(run, finalAccuracy(run))).toBe(60);
    // Same three values twice: the tolerance keeps float summation order from missing the target.
    expect(stepsToReach(curve([0.1, 0.3, 0.7, 0.1, 0.3, 0.7]), finalAccuracy(curve([0.7, 0.1, 0.3])))).toBe(20);
  });

  it('speed-ups: ratio, 0 steps (not infinite) and missed', () => {
    expect(speedUp(900, 300)).toEqual({ kind: 'ratio', value: 3 });
    expect(speedUp(900, 0)).toEqual({ kind: 'zero' });
    expect(speedUp(900, null)).toEqual({ kind: 'missed' });
    // Scratch's random init already at A* (AUC on easy data): nothing to speed up, never a 0x ratio.
    expect(speedUp(0, 6)).toEqual({ kind: 'trivial' });
    expect(spread([1, 3, 2])).toEqual({ mean: 2, min: 1, max: 3, n: 3 });
    expect(spread([])).toBeNull();
  });
});

describe('the table', () => {
  const seed = (over: Partial<SeedOutcome>): SeedOutcome => ({
    seed: 1,
    target: 0.95,
    steps100: 100,
    steps99: 0,
    speedUp100: { kind: 'ratio', value: 3 },
    speedUp99: { kind: 'zero' },
    flopsSpeedUp100: 3,
    finalAccuracy: 0.951,
    finalValue: 0.951,
    majorityClass: false,
    finalOld: 0.96,
    finalNew: 0.94,
    endedBelow: false,
    wallSeconds: 1,
    steps: 300,
    examples: 19200,
    flops: 1e9,
    ...over,
  });

  it('says when L_99 is 0 steps, when a seed missed A*, and when a run ended below A*', () => {
    const summaries = [
      summarize('scratch', 'reference', null, [seed({ steps99: 500, speedUp99: { kind: 'ratio', value: 1 } })]),
      summarize('combined', 'x', null, [seed({}), seed({ seed: 2, steps100: null, speedUp100: { kind: 'missed' }, finalAccuracy: 0.94 }), seed({ seed: 3, endedBelow: true, finalAccuracy: 0.949 })]),
    ];
    const table = continualTable({
      kind: 'continual',
      dataset: 'd',
      oldVersion: 1,
      newVersion: 2,
      evaluationSplit: 'test',
      metric: 'accuracy',
      majority: majorityBaseline([0, 1, 1], 2),
      settings: { spec: { kind: 'mlp', hidden: [4] }, batchSize: 64, epochs: 1, evaluationsPerEpoch: 10, seeds: [1, 2, 3], trainRows: { old: 1, new: 2 }, evaluationRows: 3, classes: { old: ['a'], new: ['a', 'b'] } },
      summaries,
      runs: [],
    });
    const row = table.split('\n').find((line) => line.startsWith('| combined'))!;
    expect(row).toContain('3.00 (3.00-3.00)x; missed in 1/3');
    expect(row).toContain('0 steps in 3/3');
    expect(row).toContain('| 1/3 |');
    expect(row).not.toContain('Infinity');
  });

  it('per seed: each seed\'s A*, steps and final - A*, and a goal verdict that names the seeds failing it', () => {
    const scratch = [1, 2, 3].map((n) => seed({ seed: n, target: 0.95 + n / 1000, finalValue: 0.95 + n / 1000, speedUp100: { kind: 'ratio', value: 1 } }));
    const combined = [
      seed({ seed: 1, target: 0.951, finalValue: 0.952 }),
      // Within the tolerance but never reached A*; then reached at once but ended 0.2 points below.
      seed({ seed: 2, target: 0.952, steps100: null, speedUp100: { kind: 'missed' }, finalValue: 0.9515 }),
      seed({ seed: 3, target: 0.953, steps100: 0, speedUp100: { kind: 'zero' }, finalValue: 0.951, endedBelow: true }),
    ];
    const good = [1, 2, 3].map((n) => seed({ seed: n, target: 0.95 + n / 1000, finalValue: 0.95 + n / 1000 - 0.0009 }));
    const table = continualTable({
      kind: 'continual', dataset: 'd', oldVersion: 1, newVersion: 2, evaluationSplit: 'test', metric: 'accuracy', majority: majorityBaseline([0, 1, 1], 2),
      settings: { spec: { kind: 'mlp', hidden: [4] }, batchSize: 64, epochs: 1, evaluationsPerEpoch: 10, seeds: [1, 2, 3], trainRows: { old: 1, new: 2 }, evaluationRows: 3, classes: { old: ['a'], new: ['a', 'b'] } },
      summaries: [summarize('scratch', 'reference', null, scratch), summarize('combined', 'x', null, combined), summarize('good', 'y', null, good)],
      runs: [],
    });
    const lines = table.split('\n');
    expect(lines).toContain('| variant | seed 1 | seed 2 | seed 3 | goal |');
    expect(lines).toContain('| scratch: A* | 95.10% | 95.20% | 95.30% | - |');
    expect(lines).toContain('| combined | 100 (3.00x), +0.10 | missed, -0.05 | 0 steps, -0.20 | not met: seed 2 never reached A*; seed 3 ended below A* - 0.1 points |');
    // 0.09 points below A* in every seed, every seed reached: inside the tolerance.
    expect(lines.filter((l) => l.startsWith('| good |')).at(-1)).toMatch(/-0\.09 \| met \|$/);
  });
});

describe('targets on other metrics', () => {
  const points = (values: number[], metric: 'auc' | 'logLoss', every = 10) => values.map((value, i) => ({ step: i * every, accuracy: 0.8, metrics: { [metric]: value } }));

  it('log-loss is reached going down: the first window whose mean is at or below the target', () => {
    const run = points([0.9, 0.5, 0.3, 0.45, 0.35, 0.3, 0.28, 0.27], 'logLoss');
    // A* = mean of 0.3, 0.28, 0.27 = 0.2833; window (0.3, 0.28, 0.27) ends at step 70; 0.3 at step 20 is a dip alone.
    expect(finalValue(run, 'logLoss')).toBeCloseTo((0.3 + 0.28 + 0.27) / 3, 12);
    expect(stepsToReachMetric(run, finalValue(run, 'logLoss'), 'logLoss')).toBe(70);
    // L_99 for log-loss: 1% worse than A*, A* / 0.99; reached by (0.35, 0.3, 0.28) at step 60.
    expect(relaxedTarget(0.2833, 0.99, 'lower-is-better')).toBeCloseTo(0.2833 / 0.99, 12);
    expect(stepsToReachMetric(run, 0.3111, 'logLoss')).toBe(60);
    expect(stepsToReachMetric(run, 0.2, 'logLoss')).toBeNull();
  });

  it('AUC is reached going up, 0 steps when the old model is there already, and an unmeasured metric never reaches', () => {
    expect(stepsToReachMetric(points([0.9, 0.7, 0.8, 0.85, 0.86], 'auc'), 0.8, 'auc')).toBe(0);
    expect(stepsToReachMetric(points([0.6, 0.7, 0.8, 0.85, 0.86], 'auc'), 0.83, 'auc')).toBe(40);
    expect(stepsToReachMetric(curve([0.9, 0.9, 0.9]), 0.5, 'auc')).toBeNull();
    // Accuracy through the generic rule is the old rule.
    const run = curve([0.5, 0.8, 0.95, 0.8, 0.85, 0.9, 0.92, 0.93, 0.94]);
    expect(stepsToReachMetric(run, 0.92, 'accuracy')).toBe(stepsToReach(run, 0.92));
  });

  it('the majority-class model: its scores, and who is no better than it', () => {
    const labels = [0, 0, 0, 0, 1];
    const majority = majorityBaseline(labels, 2);
    expect(majority).toMatchObject({ majorityShare: 0.8, accuracy: 0.8, auc: 0.5, logLossSkill: 0 });
    expect(majority.logLoss).toBeCloseTo(-(0.8 * Math.log(0.8) + 0.2 * Math.log(0.2)), 9);
    expect(majority.macroF1).toBeCloseTo((2 * 0.8) / 1.8 / 2, 12);
    expect(noBetterThanMajority('accuracy', 0.803, majority)).toBe(true);
    expect(noBetterThanMajority('accuracy', 0.81, majority)).toBe(false);
    expect(noBetterThanMajority('auc', 0.52, majority)).toBe(true);
    expect(noBetterThanMajority('auc', 0.7, majority)).toBe(false);
    expect(noBetterThanMajority('logLoss', majority.logLoss, majority)).toBe(true);
    expect(noBetterThanMajority('logLoss', 0.8 * majority.logLoss, majority)).toBe(false);
  });

  it('the table flags a majority-class model instead of reporting a speed-up, and carries the target metric', () => {
    const seed = (over: Partial<SeedOutcome>): SeedOutcome => ({
      seed: 1, target: 0.5, steps100: 0, steps99: 0, speedUp100: { kind: 'zero' }, speedUp99: { kind: 'zero' }, flopsSpeedUp100: 1,
      finalAccuracy: 0.78, finalValue: 0.5, majorityClass: true, finalOld: 0.78, finalNew: 0.78, endedBelow: false, wallSeconds: 1, steps: 10, examples: 640, flops: 1e9, ...over,
    });
    const table = continualTable({
      kind: 'continual', dataset: 'tabular', oldVersion: 1, newVersion: 2, evaluationSplit: 'test', metric: 'auc', majority: majorityBaseline([0, 0, 0, 1], 2),
      settings: { spec: { kind: 'mlp', hidden: [4] }, batchSize: 64, epochs: 1, evaluationsPerEpoch: 10, seeds: [1], trainRows: { old: 1, new: 2 }, evaluationRows: 4, classes: { old: ['a', 'b'], new: ['a', 'b'] } },
      summaries: [summarize('scratch', 'reference', null, [seed({})], 'auc'), summarize('warm', 'x', null, [seed({ speedUp100: { kind: 'ratio', value: 1 } })], 'auc')],
      runs: [],
    });
    expect(table).toContain('| final auc |');
    expect(table).toContain('target auc (higher-is-better), a majority-class model scores accuracy 75.00%');
    const warm = table.split('\n').find((line) => line.startsWith('| warm'))!;
    expect(warm).toContain('n/a: scratch (A*) no better than the majority class in 1/1');
    expect(warm).not.toMatch(/1\.00.*x/);
    const scratch = table.split('\n').find((line) => line.startsWith('| scratch'))!;
    expect(scratch).toContain('| 0.5000 |');
  });
});

describe('benchmark data helpers', () => {
  const data: Examples = { count: 4, featureSize: 1, x: Float32Array.of(0, 1, 2, 3), y: Int32Array.of(0, 3, 1, 3), isNew: new Uint8Array(4), ids: [10, 11, 12, 13] };

  it('samples the same rows every time, in their original order', () => {
    const a = sample(data, 2);
    expect(a.count).toBe(2);
    expect(a.ids).toEqual(sample(data, 2).ids);
    expect(a.ids).toEqual([...a.ids].sort((x, y) => x - y));
    expect(sample(data, undefined)).toBe(data);
  });
});

describe('a run that ended with an earlier cycle`s weights (adaptive, keptFrom)', () => {
  // Evaluations every 10 steps; the cycle ending at step 40 was best, the extension to 60 lost, and the
  // run's last point repeats step 40's evaluation at step 60 (the model it delivers).
  const run = [...curve([0.5, 0.8, 0.9, 0.91, 0.92, 0.7, 0.6]), { step: 60, accuracy: 0.92, keptFrom: 40 }];

  it('is scored as a run that stopped at that step', () => {
    expect(finalAccuracy(run)).toBeCloseTo((0.9 + 0.91 + 0.92) / 3, 12);
    expect(finalValue(run, 'accuracy')).toBeCloseTo((0.9 + 0.91 + 0.92) / 3, 12);
    // Without the marker the last cycle's evaluations would be the final value.
    expect(finalAccuracy(run.slice(0, -1))).toBeCloseTo((0.92 + 0.7 + 0.6) / 3, 12);
  });

  it('does not count the repeated point as a new evaluation when reaching a target', () => {
    const late = [...curve([0.5, 0.9, 0.6, 0.85, 0.85]), { step: 40, accuracy: 0.9, keptFrom: 10 }];
    // Real windows: 0.667, 0.783, 0.767; the last two evaluations with the repeat would make 0.867.
    expect(stepsToReach(late, 0.78)).toBe(30);
    expect(stepsToReach(late, 0.8)).toBeNull();
    expect(stepsToReachMetric(late, 0.8, 'accuracy')).toBeNull();
  });
});
