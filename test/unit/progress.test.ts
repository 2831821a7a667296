import { describe, expect, it } from 'vitest';
import { trackTrainingProgress } from '../../activities/progress.js';
import { durationText, etaSeconds, progressBar } from '../../src/refresh/progress.js';

describe('training progress record', () => {
  it('rates from the first step of the attempt, ETA at that rate, the last 8 evaluations, production at step 0 of a warm start', () => {
    let clock = 1_000_000;
    const tracker = trackTrainingProgress({ attempt: 2, batchSize: 64, now: () => clock });
    tracker.resumedFrom(100);
    tracker.plan(1100);
    expect(tracker.snapshot()).toMatchObject({ phase: 'loading', step: 100, plannedSteps: 1100, examplesPerSecond: null, etaSeconds: null, attempt: 2, resumedFromStep: 100 });
    tracker.enter('training');
    clock += 60_000; // loading took a minute: not part of the rate
    tracker.stepped(125, 1100);
    clock += 10_000;
    tracker.stepped(225, 1100); // 100 steps in 10 s
    const snap = tracker.snapshot();
    expect(snap.examplesPerSecond).toBeCloseTo(640);
    expect(snap.etaSeconds).toBeCloseTo(87.5);
    expect(snap.at).toBe(new Date(clock).toISOString());
    for (let step = 0; step <= 900; step += 100) tracker.evaluated({ step, accuracy: 0.5 + step / 10_000 }, true);
    const later = tracker.snapshot();
    expect(later.curve.map((p) => p.step)).toEqual([200, 300, 400, 500, 600, 700, 800, 900]);
    expect(later.productionAccuracy).toBe(0.5);
  });

  it('a scratch run has no production accuracy; formatting helpers', () => {
    const tracker = trackTrainingProgress({ attempt: 1, batchSize: 32, now: () => 0 });
    tracker.evaluated({ step: 0, accuracy: 0.1 }, false);
    expect(tracker.snapshot().productionAccuracy).toBeNull();
    expect(etaSeconds(10, null, 5)).toBeNull();
    expect(etaSeconds(10, 20, 5)).toBe(2);
    expect(progressBar(1200, 4000, 10)).toBe('[###.......] 1200/4000');
    expect(progressBar(3, null, 4)).toBe('[....] 3/?');
    expect([durationText(42), durationText(840), durationText(9000), durationText(null)]).toEqual(['42 s', '14 min', '2.5 h', '?']);
  });
});
