import type { GateSettings, MetricThreshold } from '../refresh/settings.js';
import { differenceInterval, mcnemarBetterPValue, mcnemarWorsePValue } from './paired-test.js';
import type { PairedCounts, SliceMetrics } from './slices.js';

/**
 * The promotion gate, at least as strict as TFX's Evaluator: every configured metric and slice must
 * pass; a metric or slice that was not computed fails; without a baseline only value thresholds
 * apply. Beyond TFX, McNemar's exact test blocks a candidate significantly worse than production even
 * when it is within the change thresholds; with `waiveInsignificantDrops` it also keeps noise from
 * blocking one (a combined change below threshold that is not significant passes). Pure: the workflow calls it.
 */
export interface GateInput {
  candidate: SliceMetrics;
  /** The production model on the same test examples; null for the first model. */
  baseline: SliceMetrics | null;
  /** Discordant pairs on the combined slice; null without a baseline. */
  paired: PairedCounts | null;
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
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

function thresholdChecks(threshold: MetricThreshold, input: GateInput): GateCheck[] {
  const name = `${threshold.metric}[${threshold.slice}]`;
  const hasValueBounds = threshold.lowerBound !== undefined || threshold.upperBound !== undefined;
  // Without a baseline a change-only threshold has nothing to compare (TFX: value thresholds only).
  if (!hasValueBounds && input.baseline === null) return [];
  const value = input.candidate[threshold.slice];
  if (!value || value.count === 0) {
    return [{ name, passed: false, detail: `${name} was not computed (no test examples in slice "${threshold.slice}")` }];
  }
  const checks: GateCheck[] = [];
  const candidate = value.accuracy;
  if (threshold.lowerBound !== undefined) {
    const passed = candidate >= threshold.lowerBound;
    checks.push({ name: `${name} >= ${threshold.lowerBound}`, passed, detail: `${name} ${pct(candidate)} ${passed ? '>=' : '<'} lower bound ${pct(threshold.lowerBound)}` });
  }
  if (threshold.upperBound !== undefined) {
    const passed = candidate <= threshold.upperBound;
    checks.push({ name: `${name} <= ${threshold.upperBound}`, passed, detail: `${name} ${pct(candidate)} ${passed ? '<=' : '>'} upper bound ${pct(threshold.upperBound)}` });
  }
  const wantsChange = threshold.absoluteChange !== undefined || threshold.relativeChange !== undefined;
  if (!wantsChange || input.baseline === null) return checks;
  const base = input.baseline[threshold.slice];
  if (!base || base.count === 0) {
    return [...checks, { name: `${name} change`, passed: false, detail: `${name} of the production model was not computed` }];
  }
  // Signed so that "better" is positive in both directions.
  const sign = threshold.direction === 'higher-is-better' ? 1 : -1;
  const change = sign * (candidate - base.accuracy);
  if (threshold.absoluteChange !== undefined) {
    const passed = change >= threshold.absoluteChange;
    checks.push({
      name: `${name} absolute change`,
      passed,
      detail: `${name} ${pct(candidate)} vs production ${pct(base.accuracy)}: change ${pct(change)} ${passed ? '>=' : '<'} ${pct(threshold.absoluteChange)}`,
    });
  }
  if (threshold.relativeChange !== undefined) {
    const relative = base.accuracy === 0 ? (change >= 0 ? Infinity : -Infinity) : change / base.accuracy;
    const passed = relative >= threshold.relativeChange;
    checks.push({ name: `${name} relative change`, passed, detail: `${name} relative change ${pct(relative)} ${passed ? '>=' : '<'} ${pct(threshold.relativeChange)}` });
  }
  return checks;
}

export function gateCandidate(input: GateInput, settings: GateSettings): GateResult {
  const checks: GateCheck[] = [];
  if (!input.candidate.combined || input.candidate.combined.count === 0) {
    checks.push({ name: 'test examples', passed: false, detail: 'no test examples: the version has an empty test split' });
  }
  for (const threshold of settings.thresholds) checks.push(...thresholdChecks(threshold, input));

  if (settings.pairedTest && input.paired && input.baseline) {
    const { alpha, confidence } = settings.pairedTest;
    const worse = mcnemarWorsePValue(input.paired);
    const better = mcnemarBetterPValue(input.paired);
    const interval = differenceInterval(input.paired, confidence);
    const range = `difference ${pct(interval.difference)}, ${Math.round(confidence * 100)}% CI [${pct(interval.low)}, ${pct(interval.high)}]`;
    checks.push({
      name: 'paired test (McNemar)',
      passed: worse >= alpha,
      detail:
        worse < alpha
          ? `candidate significantly worse than production (one-sided p=${worse.toPrecision(3)} < ${alpha}; ${range})`
          : better < alpha
            ? `candidate significantly better than production (one-sided p=${better.toPrecision(3)}; ${range})`
            : `no significant difference from production (one-sided p worse=${worse.toPrecision(3)}; ${range})`,
    });
    // Opt-in: a combined change threshold failed by noise alone does not block; the paired test decides.
    for (const check of settings.pairedTest.waiveInsignificantDrops ? checks : []) {
      if (!check.passed && check.name.endsWith('absolute change') && check.name.startsWith('accuracy[combined]') && worse >= alpha) {
        check.passed = true;
        check.detail += ' (within noise: McNemar finds no significant drop)';
      }
    }
  } else if (!input.baseline) {
    checks.push({ name: 'baseline', passed: true, detail: 'no production model: value thresholds only' });
  }
  const passed = checks.every((check) => check.passed);
  return { passed, checks, reasons: checks.map((check) => `${check.passed ? 'pass' : 'FAIL'}: ${check.detail}`) };
}
