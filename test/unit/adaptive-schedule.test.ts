import { describe, expect, it } from 'vitest';
import { bestSettled, cycleLearningRate, decide, nextReading, probeStep, resolvedAdaptive, startSchedule, takeReading, totalSteps, trainingStop, type AdaptiveState } from '../../src/training/adaptive-schedule.js';
import { LeverSettingsError, resolveLevers, type ScheduleLever } from '../../src/training/levers.js';
import { learningRateAt } from '../../src/training/schedule.js';

const schedule: ScheduleLever = { stepsFraction: 0.2, warmupFraction: 0.05, peakLearningRate: 3e-3, adaptive: { margin: 0.001, patience: 1, maxExtensions: 3 } };
const adaptive = resolvedAdaptive(schedule)!;
const SCRATCH = 1000;

/** Feeds the readings (accuracy at each mark in turn) and returns the state and the steps of the marks. */
function run(accuracies: number[], options: { lever?: typeof adaptive; scratch?: number; base?: number } = {}): { state: AdaptiveState; marks: number[] } {
  const state = startSchedule(schedule, options.base ?? 200);
  const marks: number[] = [];
  for (const accuracy of accuracies) {
    const step = nextReading(state);
    if (step === null) break;
    marks.push(step);
    takeReading(state, { step, accuracy }, options.lever ?? adaptive, options.scratch ?? SCRATCH);
  }
  return { state, marks };
}

describe('the adaptive stop rule', () => {
  it('reads the base schedule in its tail, then at its end, and stops on a plateau when the tail gained no more than the margin', () => {
    const { state, marks } = run([0.9, 0.9005, 0.95]);
    expect(marks).toEqual([150, 200]);
    expect(state.stop).toBe('plateau');
    expect(totalSteps(state)).toBe(200);
    expect(trainingStop(state, { adaptive: true, stoppedEarly: false, steps: 200 })).toEqual({
      reason: 'plateau',
      extensions: 0,
      steps: 200,
      baseSteps: 200,
      readings: [
        { step: 150, accuracy: 0.9 },
        { step: 200, accuracy: 0.9005 },
      ],
      // The probe is not settled: the base's end is the only reading whose weights can be kept.
      kept: { step: 200, accuracy: 0.9005 },
    });
  });

  it('extends by re-warmed cycles while each gains more than the margin over the best earlier reading, and stops when one does not', () => {
    // Extensions are half the base's fraction of scratch: 0.1 x 1000 = 100 steps each.
    const { state, marks } = run([0.9, 0.91, 0.915, 0.9155, 0.99]);
    expect(marks).toEqual([150, 200, 300, 400]);
    expect(state.cycles.map((c) => [c.start, c.steps])).toEqual([
      [0, 200],
      [200, 100],
      [300, 100],
    ]);
    expect(state.stop).toBe('plateau');
    expect(trainingStop(state, { adaptive: true, stoppedEarly: false, steps: 400 })).toMatchObject({ reason: 'plateau', extensions: 2, steps: 400, baseSteps: 200 });
  });

  it('compares with the best earlier reading, not the last: a dip and a return to the same level is no gain', () => {
    const { state } = run([0.9, 0.92, 0.91, 0.9205]);
    expect(state.readings.map((r) => r.accuracy)).toEqual([0.92, 0.91]);
    expect(state.stop).toBe('plateau');
  });

  it('waits `patience` readings without a gain before stopping', () => {
    const lever = { ...adaptive, patience: 2 };
    const { state } = run([0.9, 0.91, 0.905, 0.92, 0.92, 0.92], { lever });
    // 0.905: one stale reading, tolerated; 0.92 gains again (the third extension, the cap); the next 0.92 is stale once.
    expect(state.readings.map((r) => r.accuracy)).toEqual([0.91, 0.905, 0.92, 0.92]);
    expect(state.stop).toBe('max-extensions');
    const longer = run([0.9, 0.91, 0.905, 0.92, 0.92, 0.92], { lever: { ...lever, maxExtensions: 10 } });
    expect(longer.state.stop).toBe('plateau');
    expect(longer.state.cycles).toHaveLength(5);
  });

  it('stops at maxExtensions however much validation still improves', () => {
    const { state } = run([0.5, 0.6, 0.7, 0.8, 0.9, 0.95]);
    expect(state.cycles).toHaveLength(4);
    expect(state.stop).toBe('max-extensions');
  });

  it('never runs past scratch`s budget: the last extension is cut to fit, then the run stops', () => {
    const { state } = run([0.5, 0.6, 0.7, 0.8, 0.9], { scratch: 350, lever: { ...adaptive, extensionFraction: 0.1 } });
    // Base 200, extensions of 35 steps (0.1 x 350) up to the cap of 3: 235, 270, 305; then the cap.
    expect(totalSteps(state)).toBe(305);
    const tight = run([0.5, 0.6, 0.7, 0.8, 0.9], { scratch: 250, lever: { ...adaptive, extensionFraction: 0.4 } });
    expect(tight.state.cycles.map((c) => c.steps)).toEqual([200, 50]);
    expect(tight.state.stop).toBe('scratch-budget');
    expect(totalSteps(tight.state)).toBeLessThanOrEqual(250);
    // A base schedule as long as scratch's has no room at all.
    expect(run([0.5, 0.6], { scratch: 200 }).state).toMatchObject({ stop: 'scratch-budget', cycles: [{ steps: 200 }] });
  });

  it('takes the margin as a strict bound', () => {
    const state = startSchedule(schedule, 200);
    takeReading(state, { step: 150, accuracy: 0.5 }, adaptive, SCRATCH);
    expect(decide(state, { step: 200, accuracy: 0.5 + 0.001 }, adaptive, SCRATCH)).toMatchObject({ kind: 'stop', reason: 'plateau' });
    expect(decide(state, { step: 200, accuracy: 0.5 + 0.0011 }, adaptive, SCRATCH)).toMatchObject({ kind: 'extend' });
    // Pure: deciding did not change the state.
    expect(state.readings).toEqual([]);
  });

  it('without room for a tail probe (a one-step base), the first reading is the base`s end and extends', () => {
    expect(probeStep(1)).toBeNull();
    const { state, marks } = run([0.5, 0.5], { base: 1 });
    expect(marks).toEqual([1, 101]);
    expect(state.cycles).toHaveLength(2);
    expect(state.stop).toBe('plateau');
  });

  it('keeps the base schedule`s learning rates, and re-warms each extension to a lower peak that ends at the same floor', () => {
    const state = startSchedule(schedule, 200);
    for (const step of [0, 5, 9, 10, 100, 199, 200]) expect(cycleLearningRate(state, step)).toBe(learningRateAt(step, { peak: 3e-3, totalSteps: 200, warmupSteps: 10 }));
    takeReading(state, { step: 150, accuracy: 0.5 }, adaptive, SCRATCH);
    takeReading(state, { step: 200, accuracy: 0.6 }, adaptive, SCRATCH);
    const extension = state.cycles[1]!;
    expect(extension).toMatchObject({ start: 200, steps: 100, peak: 1.5e-3, warmupSteps: 5 });
    expect(cycleLearningRate(state, 200)).toBeCloseTo(1.5e-3 / 5);
    expect(cycleLearningRate(state, 205)).toBeCloseTo(1.5e-3);
    expect(cycleLearningRate(state, 300)).toBeCloseTo(0.05 * 3e-3);
    expect(cycleLearningRate(state, 199)).toBeLessThan(cycleLearningRate(state, 205));
  });

  it('records a fixed schedule and an early stop at stopAtAccuracy as such', () => {
    const state = startSchedule({ ...schedule, adaptive: undefined }, 200);
    expect(trainingStop(state, { adaptive: false, stoppedEarly: false, steps: 200 })).toEqual({ reason: 'fixed-schedule', extensions: 0, steps: 200, baseSteps: 200 });
    expect(trainingStop(state, { adaptive: false, stoppedEarly: true, steps: 120 })).toMatchObject({ reason: 'target-accuracy', steps: 120 });
  });
});

describe('the weights an adaptive run keeps', () => {
  it('keeps the best cycle end when the last extension loses, and records it', () => {
    // Base end 0.92 gains on the probe, the first extension gains (0.95), the second loses (0.90): plateau.
    const { state } = run([0.9, 0.92, 0.95, 0.9]);
    expect(state.stop).toBe('plateau');
    expect(state.kept).toEqual({ step: 300, accuracy: 0.95 });
    expect(trainingStop(state, { adaptive: true, stoppedEarly: false, steps: 400 }).kept).toEqual({ step: 300, accuracy: 0.95 });
  });

  it('never keeps the base`s tail probe, even when it reads higher than every cycle end', () => {
    const { state } = run([0.97, 0.95]);
    expect(state.stop).toBe('plateau');
    expect(state.kept).toEqual({ step: 200, accuracy: 0.95 });
  });

  it('on a tie keeps the later reading', () => {
    expect(bestSettled([{ step: 200, accuracy: 0.95 }, { step: 300, accuracy: 0.95 }, { step: 400, accuracy: 0.94 }])).toEqual({ step: 300, accuracy: 0.95 });
    const { state } = run([0.9, 0.92, 0.95, 0.95]);
    expect(state.kept).toEqual({ step: 400, accuracy: 0.95 });
  });

  it('keeps the best at maxExtensions and at scratch`s budget too', () => {
    const capped = run([0.9, 0.92, 0.95, 0.97, 0.93], { lever: { ...adaptive, patience: 2 } });
    expect(capped.state.stop).toBe('max-extensions');
    expect(capped.state.kept).toEqual({ step: 400, accuracy: 0.97 });
    const budget = run([0.9, 0.92, 0.95, 0.93], { scratch: 400, lever: { ...adaptive, patience: 3, extensionFraction: 0.25 } });
    expect(budget.state.stop).toBe('scratch-budget');
    expect(budget.state.kept).toEqual({ step: 300, accuracy: 0.95 });
  });

  it('records nothing kept for a fixed schedule or an early stop at stopAtAccuracy, and reads an old record without it', () => {
    const { state } = run([0.9, 0.92, 0.95, 0.9]);
    expect(trainingStop(state, { adaptive: true, stoppedEarly: true, steps: 250 }).kept).toBeUndefined();
    expect(trainingStop(state, { adaptive: false, stoppedEarly: false, steps: 200 }).kept).toBeUndefined();
    const old = run([0.9, 0.92, 0.95, 0.9]).state;
    delete old.kept;
    expect(trainingStop(old, { adaptive: true, stoppedEarly: false, steps: 400 })).not.toHaveProperty('kept');
  });
});

describe('the adaptive lever setting', () => {
  it('fills left-out fields from the defaults and can be turned off with null', () => {
    expect(resolveLevers({ schedule: { adaptive: { margin: 0.002 } } }).schedule.adaptive).toEqual({ margin: 0.002, patience: 1, maxExtensions: 4 });
    const on = resolveLevers({ schedule: { adaptive: {} } });
    expect(resolveLevers({ schedule: { adaptive: null } }, on).schedule.adaptive).toBeUndefined();
    expect(resolveLevers({ schedule: { stepsFraction: 0.5 } }, on).schedule.adaptive).toEqual(on.schedule.adaptive);
    expect(resolvedAdaptive({ ...on.schedule, stepsFraction: 0.3 })).toMatchObject({ extensionFraction: 0.15, peakFactor: 0.5 });
  });

  it('refuses a bad setting with one line naming every problem', () => {
    const bad = () => resolveLevers({ schedule: { adaptive: { margin: -1, patience: 0, maxExtensions: 1.5, extensionFraction: 2, peakFactor: 0, marginn: 1 } as never } });
    expect(bad).toThrow(LeverSettingsError);
    try {
      bad();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      for (const field of ['margin', 'patience', 'maxExtensions', 'extensionFraction', 'peakFactor', 'marginn']) expect(message).toContain(`levers.schedule.adaptive.${field}:`);
    }
  });
});
