import { describe, expect, it } from 'vitest';
import { trackTrainingProgress } from '../../activities/progress.js';
import { barText, durationText, etaSeconds } from '../../src/refresh/progress.js';
import { runningRefreshLines } from '../../src/cli/commands/running-view.js';

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
    expect(barText(1200, 4000, 10)).toBe('[###-------] 1200/4000');
    expect(barText(3, null, 4)).toBe('[----] 3/?');
    expect([durationText(42), durationText(840), durationText(9000), durationText(null)]).toEqual(['42 s', '14 min', '2.5 h', '?']);
  });
});

describe('the running-refresh view', () => {
  const base = { workflowId: 'refresh/m/d/v3', dataset: 'd', version: 3, phase: 'training', details: 'training warm on d v3' };
  const progress = { phase: 'training' as const, step: 1200, plannedSteps: 4000, examplesPerSecond: 2345.6, etaSeconds: 840, curve: [{ step: 0, accuracy: 0.9 }, { step: 1000, accuracy: 0.931 }], productionAccuracy: 0.9, attempt: 2, resumedFromStep: 1100, at: '' };
  const activity = { type: 'trainCandidate', state: 'started' as const, attempt: 2, secondsSinceHeartbeat: 3, heartbeatTimeoutSeconds: 60, late: false, lastFailure: null };

  it('shows the bar, ETA, metric against production, attempt and resume point', () => {
    const text = runningRefreshLines({ ...base, activity, progress }).join('\n');
    expect(text).toContain('refreshing now: d v3 (refresh/m/d/v3), phase training');
    expect(text).toContain('1200/4000  ETA 14 min, 2,346 examples/s');
    expect(text).toContain('validation accuracy 93.10% at step 1000 (production 90.00%)');
    expect(text).toContain('trainCandidate: attempt 2, resumed from step 1100; last heartbeat 3 s ago');
    expect(text).not.toMatch(/LATE|STALLED/);
  });

  it('flags a late heartbeat and a retry waiting for a worker', () => {
    expect(runningRefreshLines({ ...base, activity: { ...activity, secondsSinceHeartbeat: 45, late: true }, progress }).join('\n')).toContain('LATE: no heartbeat for 45 s (timeout 60 s)');
    const waiting = runningRefreshLines({ ...base, activity: { ...activity, state: 'waiting', lastFailure: 'activity Heartbeat timeout' }, progress }).join('\n');
    expect(waiting).toContain('STALLED: waiting for a worker to retry (attempt 2) after: activity Heartbeat timeout');
  });
});
