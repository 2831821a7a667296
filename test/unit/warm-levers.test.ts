import { describe, expect, it } from 'vitest';
import { DEFAULT_REFRESH_SETTINGS } from '../../src/refresh/settings.js';
import { NEW_CLASSES_LEVERS, SAME_CLASSES_LEVERS, warmLeversFor } from '../../src/refresh/warm-levers.js';
import { validateLevers } from '../../src/training/levers.js';

describe('warm-start levers of a refresh', () => {
  it('defaults to the benchmark-chosen combination, by whether the version adds classes', () => {
    expect(DEFAULT_REFRESH_SETTINGS.warmLevers).toBe('benchmark');
    expect(warmLeversFor('benchmark', ['0', '1'], ['0', '1'])).toBe(SAME_CLASSES_LEVERS);
    expect(warmLeversFor('benchmark', ['0', '1'], ['0', '1', '2'])).toBe(NEW_CLASSES_LEVERS);
  });

  it('uses explicit levers as given, and null means a plain warm copy', () => {
    const explicit = { schedule: { stepsFraction: 0.5, warmupFraction: 0, peakLearningRate: 1e-3 } };
    expect(warmLeversFor(explicit, ['a'], ['a'])).toBe(explicit);
    expect(warmLeversFor(null, ['a'], ['a'])).toBeUndefined();
  });

  it('the chosen combinations are valid lever settings', () => {
    expect(validateLevers(NEW_CLASSES_LEVERS)).toEqual([]);
    expect(validateLevers(SAME_CLASSES_LEVERS)).toEqual([]);
  });
});
