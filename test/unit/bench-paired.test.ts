import { describe, expect, it } from 'vitest';
import { summarize, withPairedComparisons } from '../../src/bench/continual.js';
import { continualTable } from '../../src/bench/format.js';
import { describePaired, pairedDifference } from '../../src/bench/paired.js';
import { majorityBaseline } from '../../src/bench/target.js';
import { seedOutcome } from './bench-fixtures.js';

const outcome = (seed: number, finalValue: number, target = 0.97) => seedOutcome(seed, finalValue, target);
const seeds = (values: number[]) => values.map((v, i) => outcome(i + 1, v));

describe('a paired comparison of two variants over seeds', () => {
  it('gives the mean difference and its 95% t-interval, by seed', () => {
    // Differences 0.02, 0.03, 0.04: mean 0.03, sd 0.01, t(2 df) 4.303, half-width 4.303 * 0.01 / sqrt(3) = 0.0248.
    const d = pairedDifference(seeds([0.97, 0.98, 0.99]), { name: 'combined', seeds: seeds([0.95, 0.95, 0.95]) }, 'accuracy')!;
    expect(d).toMatchObject({ against: 'combined', seeds: 3, verdict: 'better' });
    expect(d.mean).toBeCloseTo(0.03, 12);
    expect(d.sd).toBeCloseTo(0.01, 12);
    expect(d.high! - d.mean).toBeCloseTo((4.303 * 0.01) / Math.sqrt(3), 12);
    expect(describePaired(d, 'accuracy')).toBe('+3.00 (+0.52 to +5.48), better');
    // Differences 0.01, 0.02, 0.03: the same spread around a smaller mean holds 0.
    expect(pairedDifference(seeds([0.96, 0.97, 0.98]), { name: 'combined', seeds: seeds([0.95, 0.95, 0.95]) }, 'accuracy')!.verdict).toBe('cannot tell');
  });

  it('says the seeds cannot tell when the interval holds 0: five of six seeds ahead is not enough at this spread', () => {
    // The CNN's validation round of 2026-12-02: peak 1e-2 against 6e-3, seeds 1-6 (points).
    const lead = [-0.53, 0.41, 0.76, 0.49, -0.04, 0.14].map((p) => 0.97 + p / 100);
    const d = pairedDifference(seeds(lead), { name: 'combined', seeds: seeds(Array(6).fill(0.97)) }, 'accuracy')!;
    expect(d.verdict).toBe('cannot tell');
    expect(d.low!).toBeLessThan(0);
    expect(d.high!).toBeGreaterThan(0);
    const worse = pairedDifference(seeds([0.95, 0.951, 0.952]), { name: 'combined', seeds: seeds([0.97, 0.97, 0.97]) }, 'accuracy')!;
    expect(worse.verdict).toBe('worse');
  });

  it('reads the metric`s direction: a lower log-loss is better', () => {
    const d = pairedDifference(seeds([0.1, 0.11, 0.12]), { name: 'combined', seeds: seeds([0.2, 0.2, 0.2]) }, 'logLoss')!;
    expect(d.mean).toBeLessThan(0);
    expect(d.verdict).toBe('better');
    expect(describePaired(d, 'logLoss')).toMatch(/^-0\.0900 \(-0\.\d{4} to -0\.\d{4}\), better$/);
  });

  it('pairs by seed number, not by position; one shared seed has no interval; none gives nothing', () => {
    const shuffled = [outcome(2, 0.99), outcome(1, 0.98)];
    const d = pairedDifference(shuffled, { name: 'combined', seeds: [outcome(1, 0.97), outcome(2, 0.97), outcome(3, 0.5)] }, 'accuracy')!;
    expect(d.seeds).toBe(2);
    expect(d.mean).toBeCloseTo(0.015, 12);
    const one = pairedDifference([outcome(1, 0.98)], { name: 'scratch', seeds: [outcome(1, 0.97)] }, 'accuracy')!;
    expect(one).toMatchObject({ seeds: 1, sd: null, low: null, high: null, verdict: 'cannot tell' });
    expect(describePaired(one, 'accuracy')).toBe('+1.00 (one seed), cannot tell');
    expect(pairedDifference([outcome(4, 0.98)], { name: 'scratch', seeds: [outcome(1, 0.97)] }, 'accuracy')).toBeNull();
  });

  it('the per-seed table shows each variant against scratch, and each candidate against combined', () => {
    const scratch = summarize('scratch', 'reference', null, seeds([0.97, 0.97, 0.97]));
    const combined = summarize('combined', 'x', null, seeds([0.972, 0.968, 0.971]));
    const candidate = summarize('candidate-1', 'y', null, seeds([0.98, 0.985, 0.99]));
    const summaries = withPairedComparisons([scratch, combined, candidate], 'accuracy');
    expect(summaries[0]).toBe(scratch);
    expect(summaries[1]!.versusCombined).toBeUndefined();
    // Against scratch the mean difference is final - A*, the number the main table reports.
    expect(100 * summaries[1]!.versusScratch!.mean).toBeCloseTo(combined.finalMinusTarget.mean, 9);
    expect(summaries[2]!.versusCombined!.verdict).toBe('better');
    const table = continualTable({
      kind: 'continual', dataset: 'd', oldVersion: 1, newVersion: 2, evaluationSplit: 'validation', metric: 'accuracy', majority: majorityBaseline([0, 1], 2),
      settings: { spec: { kind: 'mlp', hidden: [4] }, batchSize: 64, epochs: 1, evaluationsPerEpoch: 10, seeds: [1, 2, 3], trainRows: { old: 1, new: 2 }, evaluationRows: 2, classes: { old: ['a', 'b'], new: ['a', 'b'] } },
      summaries,
      runs: [],
    });
    const lines = table.split('\n');
    expect(lines).toContain('| variant | seed 1 | seed 2 | seed 3 | goal | final vs scratch, paired | final vs combined, paired |');
    expect(lines.find((l) => l.startsWith('| scratch: A*'))).toMatch(/\| - \| - \| - \|$/);
    // The per-seed rows are the last rows of each name (the main table's come first).
    expect(lines.filter((l) => l.startsWith('| combined |')).at(-1)).toMatch(/\| \+0\.03 \(-0\.\d\d to \+0\.\d\d\), cannot tell \| - \|$/);
    // Against combined: 0.8, 1.7 and 1.9 points, mean 1.47: the interval (t, 2 df) just clears 0.
    expect(lines.filter((l) => l.startsWith('| candidate-1 |')).at(-1)).toMatch(/ \| met \| \+1\.50 \(\+0\.26 to \+2\.74\), better \| \+1\.47 \(\+0\.01 to \+2\.92\), better \|$/);
  });
});
