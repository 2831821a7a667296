import { describe, expect, it } from 'vitest';
import { learningRateAt } from '../../src/training/schedule.js';

describe('learningRateAt', () => {
  const options = { peak: 1e-3, totalSteps: 100, warmupSteps: 10, floor: 0.1 };
  it('warms up linearly to the peak', () => {
    expect(learningRateAt(0, options)).toBeCloseTo(1e-4);
    expect(learningRateAt(9, options)).toBeCloseTo(1e-3);
  });
  it('decays by a cosine to the floor at the last step', () => {
    expect(learningRateAt(10, options)).toBeCloseTo(1e-3);
    expect(learningRateAt(55, options)).toBeCloseTo((1e-3 + 1e-4) / 2);
    expect(learningRateAt(100, options)).toBeCloseTo(1e-4);
  });
  it('never increases after warmup', () => {
    for (let s = 11; s <= 100; s++) expect(learningRateAt(s, options)).toBeLessThanOrEqual(learningRateAt(s - 1, options));
  });
});
