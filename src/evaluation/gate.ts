import type { GateSettings } from '../refresh/settings.js';

/** Accuracy of a model on the version's test split (pure data, travels in workflow payloads). */
export interface TestResult {
  accuracy: number;
  count: number;
}

export interface GateResult {
  passed: boolean;
  reasons: string[];
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

/**
 * Promotion gate: an absolute accuracy floor, and no more than `maxAccuracyDrop` below the
 * production model measured on the same test examples. The first model has no baseline and
 * faces the floor only. Every check leaves a reason, pass or fail.
 */
export function gateCandidate(candidate: TestResult, production: TestResult | null, settings: GateSettings): GateResult {
  const reasons: string[] = [];
  let passed = true;
  if (candidate.count === 0) {
    return { passed: false, reasons: ['no test examples: the version has an empty test split'] };
  }
  if (candidate.accuracy >= settings.minAccuracy) {
    reasons.push(`accuracy ${pct(candidate.accuracy)} >= floor ${pct(settings.minAccuracy)}`);
  } else {
    passed = false;
    reasons.push(`accuracy ${pct(candidate.accuracy)} < floor ${pct(settings.minAccuracy)}`);
  }
  if (production) {
    const drop = production.accuracy - candidate.accuracy;
    const verdict = drop <= settings.maxAccuracyDrop;
    passed &&= verdict;
    reasons.push(
      `${verdict ? 'within' : 'exceeds'} allowed drop: production ${pct(production.accuracy)}, candidate ${pct(candidate.accuracy)}, drop ${pct(Math.max(0, drop))} ${verdict ? '<=' : '>'} ${pct(settings.maxAccuracyDrop)}`,
    );
  } else {
    reasons.push('no production model: value threshold only');
  }
  return { passed, reasons };
}
