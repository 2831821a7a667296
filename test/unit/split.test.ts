import { describe, expect, it } from 'vitest';
import { fnv1a, hashSplit, stableHash } from '../../src/data/split.js';

describe('hashSplit', () => {
  it('is stable: golden values pin the hash, so examples never move between train and test', () => {
    expect(fnv1a('hello')).toBe(0x4f9f2cab);
    expect(stableHash('hello')).toBe(0x888d766e);
    expect(hashSplit('mnist', 42, 0.2, 0.1)).toBe(hashSplit('mnist', 42, 0.2, 0.1));
  });

  it('matches the requested fractions on many ids', () => {
    const counts = { train: 0, validation: 0, test: 0 };
    for (let id = 0; id < 20_000; id++) counts[hashSplit('ds', id, 0.2, 0.1)]++;
    expect(counts.test / 20_000).toBeCloseTo(0.2, 1);
    expect(counts.validation / 20_000).toBeCloseTo(0.1, 1);
    expect(counts.train / 20_000).toBeCloseTo(0.7, 1);
  });

  it('holds the fractions on a short range of consecutive ids (plain FNV-1a put 9.6% in a 25% split)', () => {
    let test = 0;
    for (let id = 0; id < 500; id++) if (hashSplit('ds', id, 0.25, 0) === 'test') test++;
    expect(test / 500).toBeGreaterThan(0.2);
    expect(test / 500).toBeLessThan(0.3);
  });
});
