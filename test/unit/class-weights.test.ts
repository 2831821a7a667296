import { describe, expect, it } from 'vitest';
import type { ExampleSource, UnitRows } from '../../src/data/source.js';
import { balancedClassWeights, sourceClassWeights, withClassWeights } from '../../src/training/class-weights.js';

describe('balanced class weights', () => {
  it('80/20 labels: the minority class weighs 4 times the majority, each class half the loss', () => {
    const labels = [0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    const perClass = balancedClassWeights(labels, 2);
    // 10 / (2 x 8) and 10 / (2 x 2).
    expect(Array.from(perClass)).toEqual([0.625, 2.5]);
    const weights = withClassWeights('balanced', labels, 2, undefined)!;
    const share = (k: number) => labels.reduce((s, y, i) => s + (y === k ? weights[i]! : 0), 0);
    expect(share(0)).toBeCloseTo(5, 6);
    expect(share(1)).toBeCloseTo(5, 6);
  });

  it('multiplies the per-example weights, counting classes by them; an absent class gets 0', () => {
    const labels = [0, 0, 1, 1];
    const exampleWeights = new Float32Array([1, 3, 0, 2]);
    // Class masses 4 and 2 of 6, two classes present (class 2 absent): 6/8 and 6/4.
    expect(Array.from(balancedClassWeights(labels, 3, exampleWeights))).toEqual([0.75, 1.5, 0]);
    expect(Array.from(withClassWeights('balanced', labels, 3, exampleWeights)!)).toEqual([0.75, 2.25, 0, 3]);
  });

  it("'none' leaves the weights as they are", () => {
    const w = new Float32Array([1, 2]);
    expect(withClassWeights('none', [0, 1], 2, w)).toBe(w);
    expect(withClassWeights('none', [0, 1], 2, undefined)).toBeUndefined();
  });
});

/** A streamed train split of two row groups held in memory: labels per row, dataset weights, index space 6 (one test row). */
function source(labels: number[][], weights: number[][] | null): ExampleSource {
  let first = 0;
  const units = labels.map((ys, u) => {
    const unit = { shard: u, group: 0, rows: ys.length + (u === 0 ? 1 : 0), isNew: false, firstIndex: first };
    first += unit.rows;
    return unit;
  });
  return {
    featureSize: 1,
    units,
    indexSpace: first,
    count: undefined,
    weighted: weights !== null,
    async readUnit(u: number): Promise<UnitRows> {
      const ys = labels[u]!;
      // Unit 0 has a test row at its start: the train rows' indices skip it.
      const index = Int32Array.from(ys, (_, r) => units[u]!.firstIndex + r + (u === 0 ? 1 : 0));
      return { count: ys.length, x: new Float32Array(ys.length), y: Int32Array.from(ys), weights: Float32Array.from(weights ? weights[u]! : ys.map(() => 1)), ids: new Float64Array(ys.length), splits: new Uint8Array(ys.length), positions: new Int32Array(ys.length), index, isNew: false };
    },
  };
}

describe('balanced class weights on a streamed train split', () => {
  it('one pass over the row groups gives per-index weights: the same rule, selection weights multiplied, 0 off the split', async () => {
    const streamed = source([[0, 0, 0], [0, 1]], null);
    const weights = (await sourceClassWeights('balanced', streamed, 2, undefined))!;
    // 5 train rows, 4 of class 0 and 1 of class 1: 5/8 and 5/2; index 0 is the test row.
    expect(Array.from(weights)).toEqual([0, 0.625, 0.625, 0.625, 0.625, 2.5]);
    const selection = Float32Array.of(1, 1, 0, 1, 1, 1);
    // Selection drops one class-0 row: masses 3 and 1, weights 4/6 and 4/2, the dropped row stays 0.
    expect(Array.from((await sourceClassWeights('balanced', streamed, 2, selection))!).map((w) => Number(w.toFixed(6)))).toEqual([0, 0.666667, 0, 0.666667, 0.666667, 2]);
    expect(await sourceClassWeights('none', streamed, 2, selection)).toBe(selection);
  });

  it("counts classes with the dataset's weights (the stream multiplies them in itself)", async () => {
    const streamed = source([[0, 0], [1]], [[1, 3], [2]]);
    // Masses 4 and 2 of 6: 6/8 and 6/4 per row, the dataset weights applied later by the stream.
    expect(Array.from((await sourceClassWeights('balanced', streamed, 2, undefined))!)).toEqual([0, 0.75, 0.75, 1.5]);
  });
});
