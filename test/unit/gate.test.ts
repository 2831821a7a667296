import { describe, expect, it } from 'vitest';
import { gateCandidate } from '../../src/evaluation/gate.js';
import type { SliceMetrics } from '../../src/evaluation/slices.js';
import { DEFAULT_GATE, type GateSettings } from '../../src/refresh/settings.js';

const slices = (combined: number, old: number, count = 1000): SliceMetrics => ({
  combined: { accuracy: combined, correct: Math.round(combined * count), count },
  old: { accuracy: old, correct: Math.round(old * count * 0.7), count: Math.round(count * 0.7) },
  new: { accuracy: combined, correct: Math.round(combined * count * 0.3), count: Math.round(count * 0.3) },
});
const noPairedTest: GateSettings = { ...DEFAULT_GATE, pairedTest: null };

describe('gateCandidate (TFX-style thresholds)', () => {
  it('first model: value thresholds only, and says so', () => {
    const passed = gateCandidate({ candidate: slices(0.85, 0.85), baseline: null, paired: null }, DEFAULT_GATE);
    expect(passed.passed).toBe(true);
    expect(passed.reasons.join('\n')).toMatch(/no production model: value thresholds only/);
    const failed = gateCandidate({ candidate: slices(0.79, 0.79), baseline: null, paired: null }, DEFAULT_GATE);
    expect(failed.passed).toBe(false);
    expect(failed.reasons[0]).toMatch(/FAIL: accuracy\[combined\] 79\.00% < lower bound 80\.00%/);
  });

  it('fails a drop beyond the absolute change threshold, even above the floor', () => {
    const result = gateCandidate({ candidate: slices(0.85, 0.9), baseline: slices(0.9, 0.9), paired: null }, noPairedTest);
    expect(result.passed).toBe(false);
    expect(result.checks.find((c) => c.name === 'accuracy[combined] absolute change')?.passed).toBe(false);
  });

  it('old-data non-regression: forgetting old data fails although the combined accuracy improved', () => {
    const result = gateCandidate({ candidate: slices(0.93, 0.85), baseline: slices(0.9, 0.9), paired: null }, noPairedTest);
    expect(result.passed).toBe(false);
    expect(result.reasons.join('\n')).toMatch(/FAIL: accuracy\[old\] 85\.00% vs production 90\.00%/);
  });

  it('a configured slice or metric that was not computed fails', () => {
    const settings: GateSettings = { thresholds: [{ metric: 'accuracy', slice: 'class:7', lowerBound: 0.5, direction: 'higher-is-better' }], pairedTest: null };
    const result = gateCandidate({ candidate: slices(0.9, 0.9), baseline: null, paired: null }, settings);
    expect(result.passed).toBe(false);
    expect(result.reasons[0]).toMatch(/accuracy\[class:7\] was not computed/);
  });

  it('relative change and lower-is-better directions', () => {
    const settings: GateSettings = {
      thresholds: [
        { metric: 'accuracy', slice: 'combined', relativeChange: 0.01, direction: 'higher-is-better' },
        { metric: 'accuracy', slice: 'new', upperBound: 0.99, direction: 'lower-is-better', absoluteChange: -0.5 },
      ],
      pairedTest: null,
    };
    expect(gateCandidate({ candidate: slices(0.909, 0.9), baseline: slices(0.9, 0.9), paired: null }, settings).passed).toBe(true);
    expect(gateCandidate({ candidate: slices(0.905, 0.9), baseline: slices(0.9, 0.9), paired: null }, settings).passed).toBe(false);
  });

  it('fails when there is nothing to test on', () => {
    expect(gateCandidate({ candidate: {}, baseline: null, paired: null }, DEFAULT_GATE).passed).toBe(false);
  });
});

describe('gateCandidate (paired test beyond TFX)', () => {
  it('blocks a candidate significantly worse than production even within the change thresholds', () => {
    // 0.5 points worse overall, but consistently: 40 examples lost, 5 gained of 10,000.
    const result = gateCandidate(
      { candidate: slices(0.9, 0.9, 10_000), baseline: slices(0.9035, 0.9, 10_000), paired: { candidateOnly: 5, baselineOnly: 40, count: 10_000 } },
      DEFAULT_GATE,
    );
    expect(result.passed).toBe(false);
    expect(result.reasons.join('\n')).toMatch(/FAIL: candidate significantly worse than production \(one-sided p=/);
  });

  it('with waiveInsignificantDrops, a drop that is only noise does not block', () => {
    const input = { candidate: slices(0.88, 0.9, 500), baseline: slices(0.895, 0.9, 500), paired: { candidateOnly: 20, baselineOnly: 27, count: 500 } };
    expect(gateCandidate(input, DEFAULT_GATE).passed).toBe(false);
    const tolerant = gateCandidate(input, { ...DEFAULT_GATE, pairedTest: { alpha: 0.05, confidence: 0.95, waiveInsignificantDrops: true } });
    expect(tolerant.passed).toBe(true);
    expect(tolerant.reasons.join('\n')).toMatch(/within noise/);
  });
});

describe('gateCandidate (first model)', () => {
  it('skips change-only thresholds without a baseline, even for a slice the first version lacks', () => {
    const firstVersion: SliceMetrics = { combined: { accuracy: 0.9, correct: 900, count: 1000 }, new: { accuracy: 0.9, correct: 900, count: 1000 } };
    const result = gateCandidate({ candidate: firstVersion, baseline: null, paired: null }, DEFAULT_GATE);
    expect(result.passed).toBe(true);
    expect(result.checks.map((c) => c.name)).toEqual(['accuracy[combined] >= 0.8', 'baseline']);
  });
});
