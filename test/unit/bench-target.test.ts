import { describe, expect, it } from 'vitest';
import { summarize, type SeedOutcome } from '../../src/bench/continual.js';
import { presentClasses, relabel, sample } from '../../src/bench/data.js';
import { continualTable } from '../../src/bench/format.js';
import { finalAccuracy, speedUp, spread, stepsToReach, WINDOW } from '../../src/bench/target.js';
import type { Examples } from '../../src/data/examples.js';
import type { Manifest } from '../../src/data/manifest.js';

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
});

describe('benchmark data helpers', () => {
  const manifest = { classes: ['0', '1', '2', '3', '4'] } as Manifest;
  const data: Examples = { count: 4, featureSize: 1, x: Float32Array.of(0, 1, 2, 3), y: Int32Array.of(0, 3, 1, 3), isNew: new Uint8Array(4), ids: [10, 11, 12, 13] };

  it('keeps the classes present in the data, in manifest order, and relabels to them', () => {
    const classes = presentClasses(manifest, data);
    expect(classes).toEqual(['0', '1', '3']);
    expect([...relabel(data, manifest, classes).y]).toEqual([0, 2, 1, 2]);
    expect(() => relabel(data, manifest, ['0', '1'])).toThrow(/label 3/);
  });

  it('samples the same rows every time, in their original order', () => {
    const a = sample(data, 2);
    expect(a.count).toBe(2);
    expect(a.ids).toEqual(sample(data, 2).ids);
    expect(a.ids).toEqual([...a.ids].sort((x, y) => x - y));
    expect(sample(data, undefined)).toBe(data);
  });
});
