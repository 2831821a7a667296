import { METRIC_DIRECTION, type MetricName } from '../evaluation/metrics.js';
import type { SeedOutcome } from './continual.js';

/**
 * A tuning candidate against the product's combination, paired by seed: the mean difference of their
 * final values and a 95% t-interval over the seeds. Seed noise on a small test split is 0.2-0.5 points
 * of accuracy (docs/benchmarks.md), so "met the goal in 5 of 6 seeds against 2 of 6" can be noise; the
 * interval says whether the seeds can tell the two apart. Pure module.
 */
export interface PairedDifference {
  /** The variant compared against. */
  against: string;
  seeds: number;
  /** Mean of (this variant's final value - the other's), in the metric's units (accuracy: a fraction). */
  mean: number;
  /** Sample standard deviation of the differences; null with one seed. */
  sd: number | null;
  /** The 95% t-interval of the mean difference; null with one seed. */
  low: number | null;
  high: number | null;
  /** better / worse: the interval excludes 0 (in the metric's direction); otherwise the seeds cannot tell. */
  verdict: 'better' | 'worse' | 'cannot tell';
}

/** Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom; beyond, the normal's 1.96 is within 2%. */
const T_95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
const t95 = (df: number) => T_95[df - 1] ?? 1.96;

/** `variant` minus `reference` over the seeds both ran; null when they share no seed. */
export function pairedDifference(variant: readonly SeedOutcome[], reference: { name: string; seeds: readonly SeedOutcome[] }, metric: MetricName): PairedDifference | null {
  const byseed = new Map(reference.seeds.map((o) => [o.seed, o.finalValue]));
  const differences = variant.flatMap((o) => (byseed.has(o.seed) ? [o.finalValue - byseed.get(o.seed)!] : []));
  const n = differences.length;
  if (n === 0) return null;
  const mean = differences.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { against: reference.name, seeds: 1, mean, sd: null, low: null, high: null, verdict: 'cannot tell' };
  const sd = Math.sqrt(differences.reduce((a, d) => a + (d - mean) ** 2, 0) / (n - 1));
  const half = (t95(n - 1) * sd) / Math.sqrt(n);
  const [low, high] = [mean - half, mean + half];
  const higherIsBetter = METRIC_DIRECTION[metric] === 'higher-is-better';
  const above = low > 0;
  const below = high < 0;
  const verdict = above ? (higherIsBetter ? 'better' : 'worse') : below ? (higherIsBetter ? 'worse' : 'better') : 'cannot tell';
  return { against: reference.name, seeds: n, mean, sd, low, high, verdict };
}

/** "+0.21 (-0.27 to +0.69), cannot tell" (accuracy in points; other metrics in their units). */
export function describePaired(difference: PairedDifference, metric: MetricName): string {
  const scale = metric === 'accuracy' ? 100 : 1;
  const digits = metric === 'accuracy' ? 2 : 4;
  const signed = (v: number) => `${v >= 0 ? '+' : ''}${(scale * v).toFixed(digits)}`;
  const interval = difference.low === null || difference.high === null ? 'one seed' : `${signed(difference.low)} to ${signed(difference.high)}`;
  return `${signed(difference.mean)} (${interval}), ${difference.verdict}`;
}
