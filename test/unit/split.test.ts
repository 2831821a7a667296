import { describe, expect, it } from 'vitest';
import { fnv1a, hashSplit } from '../../src/data/split.js';

describe('hashSplit', () => {
  it('is stable: the same id always lands in the same split', () => {
    expect(fnv1a('mnist:42')).toBe(fnv1a('mnist:42'));
    // A golden value: changing the hash would silently move examples between train and test.
    expect(fnv1a('hello')).toBe(0x4f9f2cab);
    expect(hashSplit('mnist', 42, 0.2, 0.1)).toBe(hashSplit('mnist', 42, 0.2, 0.1));
  });

  it('matches the requested fractions on many ids', () => {
    const counts = { train: 0, validation: 0, test: 0 };
    for (let id = 0; id < 20_000; id++) counts[hashSplit('ds', id, 0.2, 0.1)]++;
    expect(counts.test / 20_000).toBeCloseTo(0.2, 1);
    expect(counts.validation / 20_000).toBeCloseTo(0.1, 1);
    expect(counts.train / 20_000).toBeCloseTo(0.7, 1);
  });
});
