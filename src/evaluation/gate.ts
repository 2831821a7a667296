import type { GateSettings, MetricThreshold } from '../refresh/settings.js';
import type { MetricComparison } from './bootstrap.js';
import type { MetricName } from './metrics.js';
import { differenceInterval, mcnemarBetterPValue, mcnemarWorsePValue } from './paired-test.js';
import type { PairedCounts } from './slices.js';

/**
 * The promotion gate, at least as strict as TFX's Evaluator: every configured metric and slice must
 * pass; a metric or slice that was not computed fails; without a baseline only value thresholds
 * apply. Beyond TFX, paired tests block a candidate significantly worse than production even when it
 * is within the change thresholds: McNemar's exact test for accuracy (with `waiveInsignificantDrops`
 * it also keeps noise from blocking one), the seeded paired bootstrap for AUC and log-loss. A binary
 * or imbalanced task is also gated on the metrics that see through a majority-class model
 * (docs/metrics.md). Pure: the workflow calls it.
 */

/** One slice as the gate reads it: accuracy and count always, the other metrics when evaluated. */
export type GatedSlice = { accuracy: number; count: number } & Partial<Record<Exclude<MetricName, 'accuracy'>, number | null>>;
export type GatedSlices = Record<string, GatedSlice>;

export interface GateInput {
  candidate: GatedSlices;
  /** The production model on the same test examples; null for the first model. */
  baseline: GatedSlices | null;
  /** Discordant pairs on the combined slice, with the evaluation's bootstrap comparisons; null without a baseline. */
  paired: (PairedCounts & { comparisons?: readonly MetricComparison[] }) | null;
  /** Paired bootstrap comparisons (AUC, log-loss per slice); default paired.comparisons; absent from evaluations that predate them. */
  comparisons?: readonly MetricComparison[] | null;
}

export interface GateCheck {
  name: string;
  passed: boolean;
  detail: string;
}

export interface GateResult {
  passed: boolean;
  checks: GateCheck[];
  reasons: string[];
  /** The metrics the gate applied thresholds on, in order (the report charts the first one beyond accuracy). */
  metrics: MetricName[];
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
/** Accuracy reads as today (percent); the other metrics as plain numbers. */
const show = (metric: MetricName, x: number) => (metric === 'accuracy' ? pct(x) : x.toFixed(4));

function valueOf(slice: GatedSlice | undefined, metric: MetricName): number | null {
  if (!slice || slice.count === 0) return null;
  const value = metric === 'accuracy' ? slice.accuracy : slice[metric];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function thresholdChecks(threshold: MetricThreshold, input: GateInput): GateCheck[] {
  const { metric } = threshold;
  const name = `${metric}[${threshold.slice}]`;
  const hasValueBounds = threshold.lowerBound !== undefined || threshold.upperBound !== undefined;
  // Without a baseline a change-only threshold has nothing to compare (TFX: value thresholds only).
  if (!hasValueBounds && input.baseline === null) return [];
  const slice = input.candidate[threshold.slice];
  if (!slice || slice.count === 0) {
    return [{ name, passed: false, detail: `${name} was not computed (no test examples in slice "${threshold.slice}")` }];
  }
  const candidate = valueOf(slice, metric);
  if (candidate === null) {
    return [{ name, passed: false, detail: `${name} was not computed (undefined on slice "${threshold.slice}", or an evaluation that predates the metric)` }];
  }
  const checks: GateCheck[] = [];
  if (threshold.lowerBound !== undefined) {
    const passed = candidate >= threshold.lowerBound;
    checks.push({ name: `${name} >= ${threshold.lowerBound}`, passed, detail: `${name} ${show(metric, candidate)} ${passed ? '>=' : '<'} lower bound ${show(metric, threshold.lowerBound)}` });
  }
  if (threshold.upperBound !== undefined) {
    const passed = candidate <= threshold.upperBound;
    checks.push({ name: `${name} <= ${threshold.upperBound}`, passed, detail: `${name} ${show(metric, candidate)} ${passed ? '<=' : '>'} upper bound ${show(metric, threshold.upperBound)}` });
  }
  const wantsChange = threshold.absoluteChange !== undefined || threshold.relativeChange !== undefined;
  if (!wantsChange || input.baseline === null) return checks;
  const base = valueOf(input.baseline[threshold.slice], metric);
  if (base === null) {
    return [...checks, { name: `${name} change`, passed: false, detail: `${name} of the production model was not computed` }];
  }
  // Signed so that "better" is positive in both directions.
  const sign = threshold.direction === 'higher-is-better' ? 1 : -1;
  const change = sign * (candidate - base);
  if (threshold.absoluteChange !== undefined) {
    const passed = change >= threshold.absoluteChange;
    checks.push({
      name: `${name} absolute change`,
      passed,
      detail: `${name} ${show(metric, candidate)} vs production ${show(metric, base)}: change ${show(metric, change)} ${passed ? '>=' : '<'} ${show(metric, threshold.absoluteChange)}`,
    });
  }
  if (threshold.relativeChange !== undefined) {
    const relative = base === 0 ? (change >= 0 ? Infinity : -Infinity) : change / Math.abs(base);
    const passed = relative >= threshold.relativeChange;
    checks.push({ name: `${name} relative change`, passed, detail: `${name} relative change ${pct(relative)} ${passed ? '>=' : '<'} ${pct(threshold.relativeChange)}` });
  }
  return checks;
}

/** Classes seen in the candidate's per-class slices, and the largest one's share of the combined slice. */
export function classBalance(candidate: GatedSlices): { classes: number; majorityShare: number } | null {
  const counts = Object.entries(candidate)
    .filter(([name, slice]) => name.startsWith('class:') && slice.count > 0)
    .map(([, slice]) => slice.count);
  const total = candidate.combined?.count ?? 0;
  if (counts.length === 0 || total === 0) return null;
  return { classes: counts.length, majorityShare: Math.max(...counts) / total };
}

/** The thresholds in effect: the configured ones, plus the binary/imbalanced ones when the task is so. */
export function effectiveThresholds(input: GateInput, settings: GateSettings): { thresholds: MetricThreshold[]; checks: GateCheck[] } {
  const extra = settings.binaryOrImbalanced;
  const balance = classBalance(input.candidate);
  if (!extra || !balance || (balance.classes !== 2 && balance.majorityShare < extra.majorityShare)) return { thresholds: settings.thresholds, checks: [] };
  const metrics = [...new Set(extra.thresholds.map((t) => t.metric))].join(', ');
  const shape = `${balance.classes === 2 ? 'binary task' : 'imbalanced task'} (${balance.classes} classes, majority class ${pct(balance.majorityShare)} of the test split)`;
  // An evaluation recorded before these metrics existed (a replayed history) has none: gate it as then.
  if (input.candidate.combined?.logLoss === undefined) {
    return { thresholds: settings.thresholds, checks: [{ name: 'task shape', passed: true, detail: `${shape}: the evaluation predates ${metrics}; accuracy thresholds only` }] };
  }
  return {
    thresholds: [...settings.thresholds, ...extra.thresholds],
    checks: [{ name: 'task shape', passed: true, detail: `${shape}: also gated on ${metrics}` }],
  };
}

function mcnemarCheck(paired: PairedCounts, test: NonNullable<GateSettings['pairedTest']>): { check: GateCheck; worse: number } {
  const { alpha, confidence } = test;
  const worse = mcnemarWorsePValue(paired);
  const better = mcnemarBetterPValue(paired);
  const interval = differenceInterval(paired, confidence);
  const range = `difference ${pct(interval.difference)}, ${Math.round(confidence * 100)}% CI [${pct(interval.low)}, ${pct(interval.high)}]`;
  const detail =
    worse < alpha
      ? `candidate significantly worse than production (one-sided p=${worse.toPrecision(3)} < ${alpha}; ${range})`
      : better < alpha
        ? `candidate significantly better than production (one-sided p=${better.toPrecision(3)}; ${range})`
        : `no significant difference from production (one-sided p worse=${worse.toPrecision(3)}; ${range})`;
  return { check: { name: 'paired test (McNemar)', passed: worse >= alpha, detail }, worse };
}

/** Paired bootstrap checks for the gated metric/slice pairs that have a change threshold and a comparison. */
function bootstrapChecks(thresholds: MetricThreshold[], input: GateInput, alpha: number): GateCheck[] {
  const checks: GateCheck[] = [];
  const seen = new Set<string>();
  for (const threshold of thresholds) {
    if (threshold.absoluteChange === undefined && threshold.relativeChange === undefined) continue;
    const comparison = (input.comparisons ?? input.paired?.comparisons)?.find((c) => c.metric === threshold.metric && c.slice === threshold.slice);
    const key = `${threshold.metric}[${threshold.slice}]`;
    if (!comparison || seen.has(key)) continue;
    seen.add(key);
    const m = threshold.metric;
    const range = `difference ${show(m, comparison.difference)}, ${Math.round(comparison.confidence * 100)}% CI [${show(m, comparison.low)}, ${show(m, comparison.high)}], ${comparison.replicates} replicates, seed ${comparison.seed}`;
    const worse = comparison.pWorse < alpha;
    const detail = worse
      ? `${key}: candidate significantly worse than production (paired bootstrap, one-sided p=${comparison.pWorse.toPrecision(3)} < ${alpha}; ${range})`
      : comparison.pBetter < alpha
        ? `${key}: candidate significantly better than production (paired bootstrap, one-sided p=${comparison.pBetter.toPrecision(3)}; ${range})`
        : `${key}: no significant difference from production (paired bootstrap, one-sided p worse=${comparison.pWorse.toPrecision(3)}; ${range})`;
    checks.push({ name: `paired test (bootstrap) ${key}`, passed: !worse, detail });
  }
  return checks;
}

export function gateCandidate(input: GateInput, settings: GateSettings): GateResult {
  const checks: GateCheck[] = [];
  if (!input.candidate.combined || input.candidate.combined.count === 0) {
    checks.push({ name: 'test examples', passed: false, detail: 'no test examples: the version has an empty test split' });
  }
  const effective = effectiveThresholds(input, settings);
  checks.push(...effective.checks);
  for (const threshold of effective.thresholds) checks.push(...thresholdChecks(threshold, input));

  if (settings.pairedTest && input.paired && input.baseline) {
    const { check, worse } = mcnemarCheck(input.paired, settings.pairedTest);
    checks.push(check);
    // Opt-in: a combined change threshold failed by noise alone does not block; the paired test decides.
    for (const earlier of settings.pairedTest.waiveInsignificantDrops ? checks : []) {
      if (!earlier.passed && earlier.name.endsWith('absolute change') && earlier.name.startsWith('accuracy[combined]') && worse >= settings.pairedTest.alpha) {
        earlier.passed = true;
        earlier.detail += ' (within noise: McNemar finds no significant drop)';
      }
    }
  } else if (!input.baseline) {
    checks.push({ name: 'baseline', passed: true, detail: 'no production model: value thresholds only' });
  }
  if (settings.bootstrapTest && input.baseline) checks.push(...bootstrapChecks(effective.thresholds, input, settings.bootstrapTest.alpha));
  const passed = checks.every((check) => check.passed);
  return {
    passed,
    checks,
    reasons: checks.map((check) => `${check.passed ? 'pass' : 'FAIL'}: ${check.detail}`),
    metrics: [...new Set(effective.thresholds.map((t) => t.metric))],
  };
}

/** The gate as it was before metrics beyond accuracy: what refreshes started before them replay with. */
export function accuracyOnlyGate(settings: GateSettings): GateSettings {
  return { thresholds: settings.thresholds.filter((t) => t.metric === 'accuracy'), pairedTest: settings.pairedTest, binaryOrImbalanced: null, bootstrapTest: null };
}
