import { describe, expect, it } from 'vitest';
import { pairedBootstrap, type BootstrapOptions } from '../../src/evaluation/bootstrap.js';
import { createMetricsAccumulator, type RetainedRows } from '../../src/evaluation/metrics-accumulator.js';
import { SeededRandom } from '../../src/random.js';

/** A binary test split of n rows (30% positives), scored by a model whose p(positive) is `score(label, u)`. */
function scored(n: number, score: (label: number, u: number) => number, seed = 3): RetainedRows {
  const random = new SeededRandom(seed);
  const labels = Int32Array.from({ length: n }, (_, i) => (i % 10 < 3 ? 1 : 0));
  const groups = Uint8Array.from({ length: n }, (_, i) => (i % 2));
  const probabilities = new Float32Array(2 * n);
  labels.forEach((label, i) => {
    const p = score(label, random.next());
    probabilities[2 * i] = 1 - p;
    probabilities[2 * i + 1] = p;
  });
  const accumulator = createMetricsAccumulator({ classes: ['no', 'yes'] });
  accumulator.add({ probabilities, labels, groups });
  return accumulator.rows();
}

const options: BootstrapOptions = { metrics: ['auc', 'logLoss'], slices: ['combined', 'new'], replicates: 400, seed: 11, confidence: 0.95 };
const informative = (label: number, u: number) => (label === 1 ? 0.35 + 0.6 * u : 0.05 + 0.6 * u);
const noise = (_label: number, u: number) => 0.05 + 0.9 * u;

describe('paired bootstrap (candidate vs production on the same examples)', () => {
  it('the same model on both sides: difference 0, interval [0, 0], no significance either way', () => {
    const rows = scored(200, informative);
    for (const c of pairedBootstrap(rows, rows, options)) {
      expect(c).toMatchObject({ difference: 0, low: 0, high: 0, pWorse: 1, pBetter: 1, replicates: 400, seed: 11 });
    }
  });

  it('an informative candidate against a noise model: AUC significantly better, log-loss too', () => {
    const candidate = scored(400, informative);
    const production = scored(400, noise);
    const comparisons = pairedBootstrap(candidate, production, options);
    expect(comparisons.map((c) => `${c.metric}[${c.slice}]`)).toEqual(['auc[combined]', 'logLoss[combined]', 'auc[new]', 'logLoss[new]']);
    const auc = comparisons[0]!;
    expect(auc.candidate).toBeGreaterThan(0.8);
    expect(auc.production).toBeGreaterThan(0.4);
    expect(auc.production).toBeLessThan(0.6);
    expect(auc.low).toBeGreaterThan(0);
    expect(auc.low).toBeLessThan(auc.difference);
    expect(auc.high).toBeGreaterThan(auc.difference);
    // Every replicate favours the candidate: the smallest p a finite bootstrap gives, 1 / (1 + B).
    expect(auc.pBetter).toBeCloseTo(1 / 401, 12);
    expect(auc.pWorse).toBe(1);
    const logLoss = comparisons[1]!;
    expect(logLoss.difference).toBeLessThan(0);
    expect(logLoss.pBetter).toBeLessThan(0.05);
    // Swapped: the same evidence, now that the candidate is worse.
    const swapped = pairedBootstrap(production, candidate, options)[0]!;
    expect(swapped.difference).toBeCloseTo(-auc.difference, 12);
    expect(swapped.pWorse).toBeCloseTo(1 / 401, 12);
  });

  it('the log-loss interval matches the normal interval of the mean per-example difference', () => {
    const candidate = scored(2000, informative, 5);
    const production = scored(2000, (label, u) => informative(label, u * 0.9 + 0.05), 6);
    const c = pairedBootstrap(candidate, production, { ...options, metrics: ['logLoss'], slices: ['combined'], replicates: 2000 })[0]!;
    const d = Array.from(candidate.losses, (loss, i) => loss - production.losses[i]!);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1));
    const half = (1.959964 * sd) / Math.sqrt(d.length);
    expect(c.difference).toBeCloseTo(mean, 6);
    expect(Math.abs(c.low - (mean - half))).toBeLessThan(0.15 * half);
    expect(Math.abs(c.high - (mean + half))).toBeLessThan(0.15 * half);
  });

  it('is seeded: the same seed gives the same interval, another seed another', () => {
    const candidate = scored(300, informative, 1);
    const production = scored(300, informative, 2);
    const once = pairedBootstrap(candidate, production, options);
    expect(pairedBootstrap(candidate, production, options)).toEqual(once);
    expect(pairedBootstrap(candidate, production, { ...options, seed: 12 })[0]!.low).not.toBe(once[0]!.low);
  });

  it('refuses rows that are not the same examples', () => {
    const a = scored(100, informative);
    const b = scored(90, informative);
    expect(() => pairedBootstrap(a, b, options)).toThrow(/candidate has 100 rows of 2 classes, production 90 of 2/);
  });
});
