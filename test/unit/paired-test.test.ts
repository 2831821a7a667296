import { describe, expect, it } from 'vitest';
import { binomialHalfCdf, differenceInterval, mcnemarBetterPValue, mcnemarWorsePValue, normalQuantile } from '../../src/evaluation/paired-test.js';
import { pairedCounts, sliceMetrics } from '../../src/evaluation/slices.js';

describe('paired test', () => {
  it('binomial(n, 1/2) CDF matches hand values', () => {
    expect(binomialHalfCdf(0, 1)).toBeCloseTo(0.5);
    expect(binomialHalfCdf(1, 3)).toBeCloseTo(0.5); // (1 + 3) / 8
    expect(binomialHalfCdf(2, 10)).toBeCloseTo(56 / 1024); // 1 + 10 + 45
    expect(binomialHalfCdf(10, 10)).toBe(1);
  });

  it("McNemar's exact one-sided p-values", () => {
    // 2 wins vs 10 losses: P(X <= 2 | n = 12) = (1 + 12 + 66) / 4096.
    expect(mcnemarWorsePValue({ candidateOnly: 2, baselineOnly: 10, count: 100 })).toBeCloseTo(79 / 4096);
    expect(mcnemarBetterPValue({ candidateOnly: 10, baselineOnly: 2, count: 100 })).toBeCloseTo(79 / 4096);
    expect(mcnemarWorsePValue({ candidateOnly: 0, baselineOnly: 0, count: 100 })).toBe(1);
  });

  it('normal quantile and the paired difference interval', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 8);
    const interval = differenceInterval({ candidateOnly: 30, baselineOnly: 10, count: 1000 }, 0.95);
    expect(interval.difference).toBeCloseTo(0.02);
    // se = sqrt(40 - 400/1000) / 1000 = 0.00629
    expect(interval.high - interval.difference).toBeCloseTo(1.96 * 0.006293, 4);
  });

  it('slices and discordant pairs from predictions', () => {
    const data = { count: 4, featureSize: 1, x: new Float32Array(4), y: Int32Array.from([0, 1, 1, 0]), isNew: Uint8Array.from([0, 0, 1, 1]), ids: [1, 2, 3, 4] };
    const candidate = Int32Array.from([0, 1, 0, 0]);
    const baseline = Int32Array.from([1, 1, 1, 0]);
    const slices = sliceMetrics(candidate, data, ['zero', 'one']);
    expect(slices.combined).toEqual({ accuracy: 0.75, correct: 3, count: 4 });
    expect(slices.old).toEqual({ accuracy: 1, correct: 2, count: 2 });
    expect(slices.new).toEqual({ accuracy: 0.5, correct: 1, count: 2 });
    expect(slices['class:one']).toEqual({ accuracy: 0.5, correct: 1, count: 2 });
    expect(pairedCounts(candidate, baseline, data.y)).toEqual({ candidateOnly: 1, baselineOnly: 1, count: 4 });
  });
});
