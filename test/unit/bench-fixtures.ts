import type { SeedOutcome } from '../../src/bench/continual.js';

/** One seed's outcome for the benchmark's pure tests: what varies is the seed, its final value and A*. */
export const seedOutcome = (seed: number, finalValue: number, target: number): SeedOutcome => ({
  seed, target, steps100: 100, steps99: 50, speedUp100: { kind: 'ratio', value: 5 }, speedUp99: { kind: 'ratio', value: 4 }, flopsSpeedUp100: 5,
  finalAccuracy: finalValue, finalValue, majorityClass: false, finalOld: finalValue, finalNew: finalValue, endedBelow: false, wallSeconds: 1, steps: 100, examples: 6400, flops: 1e9,
});
