import { describe, expect, it } from 'vitest';
import { DEFAULT_REFRESH_SETTINGS } from '../../src/refresh/settings.js';
import { CNN_NEW_CLASSES_LEVERS, CNN_SAME_CLASSES_LEVERS, CURRENT_LEVER_RECIPE, NEW_CLASSES_LEVERS, SAME_CLASSES_LEVERS, SAME_CLASSES_LEVERS_V1, warmLeversFor } from '../../src/refresh/warm-levers.js';
import { validateLevers } from '../../src/training/levers.js';

describe('warm-start levers of a refresh', () => {
  it('defaults to the benchmark-chosen combination, by whether the version adds classes', () => {
    expect(DEFAULT_REFRESH_SETTINGS.warmLevers).toBe('benchmark');
    expect(warmLeversFor('benchmark', ['0', '1'], ['0', '1'])).toBe(SAME_CLASSES_LEVERS);
    expect(warmLeversFor('benchmark', ['0', '1'], ['0', '1', '2'])).toBe(NEW_CLASSES_LEVERS);
  });

  it('gives a CNN its own levers from recipe 3 on (new classes: S/3 at 5e-3 with the weights averaged); an MLP and a custom model keep recipe 2`s', () => {
    expect(CURRENT_LEVER_RECIPE).toBe(3);
    expect(warmLeversFor('benchmark', ['0'], ['0', '1'], 3, 'cnn')).toBe(CNN_NEW_CLASSES_LEVERS);
    expect(CNN_NEW_CLASSES_LEVERS.schedule).toEqual({ stepsFraction: 1 / 3, warmupFraction: 0.05, peakLearningRate: 5e-3, averaging: { decay: 0.995 } });
    expect(warmLeversFor('benchmark', ['0'], ['0'], 3, 'cnn')).toBe(CNN_SAME_CLASSES_LEVERS);
    for (const kind of ['mlp', 'custom'] as const) {
      expect(warmLeversFor('benchmark', ['0'], ['0', '1'], 3, kind)).toBe(NEW_CLASSES_LEVERS);
      expect(warmLeversFor('benchmark', ['0'], ['0'], 3, kind)).toBe(SAME_CLASSES_LEVERS);
    }
    // A CNN refresh recorded under recipe 2 replays with the MLP-chosen levers it ran.
    expect(warmLeversFor('benchmark', ['0'], ['0', '1'], 2, 'cnn')).toBe(NEW_CLASSES_LEVERS);
    expect(warmLeversFor('benchmark', ['0'], ['0'], 1, 'cnn')).toBe(SAME_CLASSES_LEVERS_V1);
  });

  it('keeps the first recipe for replays: same classes S/5 at 3e-3 there, S/6 at 6e-3 now; new classes unchanged', () => {
    expect(warmLeversFor('benchmark', ['0'], ['0'], 1)).toBe(SAME_CLASSES_LEVERS_V1);
    expect(SAME_CLASSES_LEVERS_V1.schedule).toEqual({ stepsFraction: 0.2, warmupFraction: 0.05, peakLearningRate: 3e-3 });
    expect(SAME_CLASSES_LEVERS.schedule).toEqual({ stepsFraction: 1 / 6, warmupFraction: 0.05, peakLearningRate: 6e-3 });
    expect(warmLeversFor('benchmark', ['0'], ['0', '1'], 1)).toBe(NEW_CLASSES_LEVERS);
    expect(warmLeversFor('benchmark', ['0'], ['0'], 2)).toBe(SAME_CLASSES_LEVERS);
  });

  it('uses explicit levers as given, and null means a plain warm copy', () => {
    const explicit = { schedule: { stepsFraction: 0.5, warmupFraction: 0, peakLearningRate: 1e-3 } };
    expect(warmLeversFor(explicit, ['a'], ['a'])).toBe(explicit);
    expect(warmLeversFor(null, ['a'], ['a'])).toBeUndefined();
    expect(warmLeversFor(explicit, ['a'], ['a'], 1)).toBe(explicit);
  });

  it('the chosen combinations are valid lever settings', () => {
    expect(validateLevers(NEW_CLASSES_LEVERS)).toEqual([]);
    expect(validateLevers(SAME_CLASSES_LEVERS)).toEqual([]);
    expect(validateLevers(SAME_CLASSES_LEVERS_V1)).toEqual([]);
    expect(validateLevers(CNN_NEW_CLASSES_LEVERS)).toEqual([]);
    expect(validateLevers(CNN_SAME_CLASSES_LEVERS)).toEqual([]);
  });
});
