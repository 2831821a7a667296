import { describe, expect, it } from 'vitest';
import { gateCandidate } from '../../src/evaluation/gate.js';

const settings = { minAccuracy: 0.8, maxAccuracyDrop: 0.01 };

describe('gateCandidate', () => {
  it('first model: the floor alone decides', () => {
    expect(gateCandidate({ accuracy: 0.85, count: 100 }, null, settings).passed).toBe(true);
    const failed = gateCandidate({ accuracy: 0.79, count: 100 }, null, settings);
    expect(failed.passed).toBe(false);
    expect(failed.reasons[0]).toMatch(/79\.00% < floor 80\.00%/);
  });

  it('fails a candidate that drops more than allowed below production, even above the floor', () => {
    const result = gateCandidate({ accuracy: 0.85, count: 100 }, { accuracy: 0.9, count: 100 }, settings);
    expect(result.passed).toBe(false);
    expect(result.reasons[1]).toMatch(/exceeds allowed drop/);
  });

  it('passes a small drop within tolerance and records both checks', () => {
    const result = gateCandidate({ accuracy: 0.895, count: 100 }, { accuracy: 0.9, count: 100 }, settings);
    expect(result.passed).toBe(true);
    expect(result.reasons).toHaveLength(2);
  });

  it('fails when there is nothing to test on', () => {
    expect(gateCandidate({ accuracy: 0, count: 0 }, null, settings).passed).toBe(false);
  });
});
