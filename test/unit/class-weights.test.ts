import { describe, expect, it } from 'vitest';
import { balancedClassWeights, withClassWeights } from '../../src/training/class-weights.js';

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
