import { describe, expect, it } from 'vitest';
import { rocAuc, sortedOrder } from '../../src/evaluation/metrics.js';
import { SeededRandom } from '../../src/random.js';

// AUC sorts rows by score with 64-bit keys (score bits above the row index) instead of a comparator,
// to keep evaluation's memory flat: the order, ties and AUC must be exactly what the comparator gave.
const random = new SeededRandom(7);
/** Scores on a coarse grid, so that many rows tie; negatives and zero included. */
const gridScores = (n: number) => Float32Array.from({ length: n }, () => Math.round(random.next() * 40 - 10) / 8);
const comparatorOrder = (scores: Float32Array, rows: Uint32Array) => Uint32Array.from(rows).sort((a, b) => scores[a]! - scores[b]!);

/** P(positive scores above a negative) + 1/2 P(tie), over every weighted pair. */
function pairwiseAuc(scores: Float32Array, positive: Uint8Array, weights: Float32Array): number {
  let area = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!positive[i]) continue;
    for (let j = 0; j < scores.length; j++) {
      if (positive[j]) continue;
      const w = weights[i]! * weights[j]!;
      pairs += w;
      area += w * (scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0);
    }
  }
  return area / pairs;
}

describe('AUC sort order', () => {
  it('is the stable comparator order, ties in row order, over all rows and over a subset', () => {
    const scores = gridScores(5000);
    const all = Uint32Array.from({ length: scores.length }, (_, i) => i);
    expect(sortedOrder(scores)).toEqual(comparatorOrder(scores, all));
    const subset = all.filter((i) => i % 3 !== 0);
    expect(sortedOrder(scores, subset)).toEqual(comparatorOrder(scores, subset));
  });

  it('orders extreme float32 values: infinities, subnormals, the largest finite numbers', () => {
    const scores = Float32Array.from([Infinity, -Infinity, 1e-45, -1e-45, 3.4e38, -3.4e38, 0, 1, -1, 0.5]);
    expect([...sortedOrder(scores)].map((i) => scores[i])).toEqual([...scores].sort((a, b) => a - b));
  });

  it('keeps AUC exact with ties and weights (equal to counting every pair)', () => {
    const scores = gridScores(600);
    const positive = Uint8Array.from(scores, (s) => (random.next() < 0.3 + 0.1 * s ? 1 : 0));
    const weights = Float32Array.from(scores, () => 0.5 + random.next());
    expect(rocAuc(scores, positive, weights)).toBeCloseTo(pairwiseAuc(scores, positive, weights), 12);
    expect(rocAuc(scores, positive)).toBeCloseTo(pairwiseAuc(scores, positive, new Float32Array(600).fill(1)), 12);
  });

  it('sorts scores wider than float32 as they are, so values that round to the same float32 keep their order', () => {
    const scores = Float64Array.from([0.1 + 1e-12, 0.1, 0.1 + 2e-12]);
    expect([...sortedOrder(scores)]).toEqual([1, 0, 2]);
    expect(rocAuc(scores, [0, 0, 1])).toBe(1);
  });
});
