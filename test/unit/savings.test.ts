import { describe, expect, it } from 'vitest';
import { computeSaved, scratchCost, wilsonInterval } from '../../src/audit/savings.js';

describe('scratch cost and compute saved', () => {
  const lastScratch = { datasetVersion: 1, steps: 400, flops: 4e10, trainSeconds: 8 };

  it('is measured when the refresh itself trained from scratch', () => {
    const cost = scratchCost({ datasetVersion: 3, steps: 400, flops: 4.1e10, trainSeconds: 9 }, lastScratch, 400);
    expect(cost).toMatchObject({ basis: 'measured', flops: 4.1e10, trainSeconds: 9 });
  });

  it('is estimated from the last scratch run per step, scaled to the scratch schedule', () => {
    const cost = scratchCost(null, lastScratch, 600);
    expect(cost.basis).toBe('estimated');
    expect(cost.flops).toBeCloseTo(6e10);
    expect(cost.trainSeconds).toBeCloseTo(12);
    expect(cost.explanation).toMatch(/v1 scratch run's cost per step \(0\.100 GFLOP, 20\.0 ms\) x 600/);
  });

  it('prices the estimate against the plan\'s scratch budget and records it: the recipe, or explicit steps', () => {
    const recipe = { steps: 1656, basis: 'recipe' as const, description: '15 epochs of 7065 training rows at batch 64 = 1656 steps' };
    const cost = scratchCost(null, lastScratch, recipe);
    expect(cost.flops).toBeCloseTo(1656 * 1e8);
    expect(cost.schedule).toEqual(recipe);
    expect(cost.explanation).toMatch(/x 1656 scratch steps \(the scratch recipe: 15 epochs of 7065 training rows at batch 64 = 1656 steps\)$/);
    expect(scratchCost(null, lastScratch, 400).schedule).toMatchObject({ steps: 400, basis: 'explicit' });
    expect(scratchCost({ datasetVersion: 3, steps: 1656, flops: 1, trainSeconds: 1 }, lastScratch, recipe).schedule).toEqual(recipe);
  });

  it('saved = avoided scratch cost - spent; negative when a fallback cost more', () => {
    const estimated = scratchCost(null, lastScratch, 400);
    expect(computeSaved(estimated, { flops: 1e10, trainSeconds: 2 })).toEqual({ flops: 3e10, trainSeconds: 6 });
    const measured = scratchCost({ datasetVersion: 2, steps: 400, flops: 4e10, trainSeconds: 8 }, lastScratch, 400);
    expect(computeSaved(measured, { flops: 5e10, trainSeconds: 10 })).toEqual({ flops: -1e10, trainSeconds: -2 });
    expect(computeSaved(scratchCost(null, null, 400), { flops: 1, trainSeconds: 1 })).toEqual({ flops: 0, trainSeconds: 0 });
  });
});

describe('wilsonInterval', () => {
  it('matches a textbook value and stays inside [0, 1]', () => {
    const { low, high } = wilsonInterval(81, 100);
    expect(low).toBeCloseTo(0.7222, 3);
    expect(high).toBeCloseTo(0.8749, 3);
    expect(wilsonInterval(10, 10).high).toBeCloseTo(1, 10);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 0 });
  });
});
