import type { PairedCounts } from './slices.js';

/**
 * Paired comparison of two classifiers on the same test examples. Pure math, no I/O: workflows use it.
 *
 * McNemar's exact test looks only at discordant pairs: under "equally accurate", the number of
 * examples only the candidate gets right is Binomial(discordant, 1/2).
 */
function logChoose(n: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += Math.log(n - k + i) - Math.log(i);
  return sum;
}

/** P(X <= k) for X ~ Binomial(n, 1/2), summed in log space so large n stays accurate. */
export function binomialHalfCdf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  let total = 0;
  for (let i = 0; i <= k; i++) total += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, total);
}

/** One-sided p-value that the candidate is LESS accurate than the baseline. */
export function mcnemarWorsePValue(counts: PairedCounts): number {
  const discordant = counts.candidateOnly + counts.baselineOnly;
  return discordant === 0 ? 1 : binomialHalfCdf(counts.candidateOnly, discordant);
}

/** One-sided p-value that the candidate is MORE accurate than the baseline. */
export function mcnemarBetterPValue(counts: PairedCounts): number {
  const discordant = counts.candidateOnly + counts.baselineOnly;
  return discordant === 0 ? 1 : binomialHalfCdf(counts.baselineOnly, discordant);
}

/** Normal quantile for common two-sided confidence levels (Acklam's rational approximation). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Wald interval for the paired accuracy difference (candidate - baseline). */
export function differenceInterval(counts: PairedCounts, confidence: number): { difference: number; low: number; high: number } {
  const n = counts.count;
  if (n === 0) return { difference: 0, low: 0, high: 0 };
  const b = counts.candidateOnly;
  const c = counts.baselineOnly;
  const difference = (b - c) / n;
  const se = Math.sqrt(Math.max(0, b + c - ((b - c) * (b - c)) / n)) / n;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  return { difference, low: difference - z * se, high: difference + z * se };
}
