import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LEVERS, leverSteps, LeverSettingsError, plainLevers, resolveLevers, validateLevers, type LeverSettings } from '../../src/training/levers.js';
import { learningRateAt } from '../../src/training/schedule.js';

const settingsOf = (error: unknown) => (error as LeverSettingsError).problems.map((p) => p.setting);

function refused(input: Parameters<typeof resolveLevers>[0]): LeverSettingsError {
  try {
    resolveLevers(input);
  } catch (error) {
    expect(error).toBeInstanceOf(LeverSettingsError);
    return error as LeverSettingsError;
  }
  throw new Error('expected the configuration to be refused');
}

describe('lever settings', () => {
  it('fills defaults and merges the schedule field by field', () => {
    const levers = resolveLevers({ schedule: { stepsFraction: 1 / 3 } });
    expect(levers).toEqual({ ...DEFAULT_LEVERS, schedule: { ...DEFAULT_LEVERS.schedule, stepsFraction: 1 / 3 } });
    expect(leverSteps(levers, 400)).toBe(133);
  });

  it('refuses lambda outside [0, 1], naming the setting', () => {
    const error = refused({ init: { kind: 'shrink-perturb', lambda: 1.2, sigma: 0.1 } });
    expect(settingsOf(error)).toEqual(['levers.init.lambda']);
    expect(error.message).toContain('levers.init.lambda: must be a number in [0, 1] (got 1.2)');
    // The same setting in range is taken as given, the other levers defaulted.
    expect(resolveLevers({ init: { kind: 'shrink-perturb', lambda: 0.4, sigma: 0.1 } })).toEqual({ ...DEFAULT_LEVERS, init: { kind: 'shrink-perturb', lambda: 0.4, sigma: 0.1 } });
  });

  it('refuses dropEasiest + dropHardest >= 100%', () => {
    const error = refused({ selection: { kind: 'easy-hard', score: 'loss', dropEasiest: 0.6, dropHardest: 0.4, mode: 'drop' } });
    expect(error.message).toMatch(/levers.selection.dropEasiest: dropEasiest \+ dropHardest must be below 1/);
    const selection = { kind: 'easy-hard' as const, score: 'loss' as const, dropEasiest: 0.3, dropHardest: 0.05, mode: 'drop' as const };
    expect(resolveLevers({ selection }).selection).toEqual(selection);
  });

  it('reports every problem at once and refuses levers that need a previous model on a scratch init', () => {
    const levers: LeverSettings = {
      init: { kind: 'scratch' },
      regularization: { kind: 'l2-to-old', strength: -1 },
      selection: { kind: 'easy-hard', score: 'margin', dropEasiest: 0.1, dropHardest: 0, mode: 'drop' },
      schedule: { stepsFraction: 0, warmupFraction: 0.05, peakLearningRate: 1e-3 },
    };
    expect(validateLevers(levers).map((p) => p.setting)).toEqual(['levers.regularization.strength', 'levers.regularization.kind', 'levers.selection.score', 'levers.schedule.stepsFraction']);
  });

  it('plain levers reproduce the pre-lever runs: scratch budget, or the warm budget as a fraction of it', () => {
    const base = { scratchSteps: 400, warmSteps: 150, warmupSteps: 20, learningRate: 1e-3 };
    expect(leverSteps(plainLevers('scratch', base), 400)).toBe(400);
    const warm = plainLevers('warm', base);
    expect(warm.init).toEqual({ kind: 'warm' });
    expect(leverSteps(warm, 400)).toBe(150);
    expect(Math.round(warm.schedule.warmupFraction * 150)).toBe(20);
  });
});

describe('shortened schedule', () => {
  it('warms up, peaks, and decays by a cosine over the shortened run only', () => {
    const levers = resolveLevers({ schedule: { stepsFraction: 0.25, warmupFraction: 0.1, peakLearningRate: 2e-3 } });
    const steps = leverSteps(levers, 400);
    const schedule = { peak: 2e-3, totalSteps: steps, warmupSteps: Math.round(0.1 * steps), floor: 0 };
    expect(steps).toBe(100);
    expect(learningRateAt(0, schedule)).toBeCloseTo(2e-4);
    expect(learningRateAt(9, schedule)).toBeCloseTo(2e-3);
    expect(learningRateAt(55, schedule)).toBeCloseTo(1e-3);
    expect(learningRateAt(100, schedule)).toBeCloseTo(0);
  });
});

describe('workflow-safe modules', () => {
  it('spec.ts and levers.ts import nothing (workflows import them into the deterministic sandbox)', () => {
    for (const file of ['spec.ts', 'levers.ts']) {
      const source = readFileSync(new URL(`../../src/training/${file}`, import.meta.url), 'utf8');
      expect(source.match(/^\s*import\s/m), file).toBeNull();
    }
  });
});
