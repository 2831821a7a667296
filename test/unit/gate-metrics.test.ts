import { describe, expect, it } from 'vitest';
import { pairedBootstrap } from '../../src/evaluation/bootstrap.js';
import { accuracyOnlyGate, gateCandidate, type GateInput } from '../../src/evaluation/gate.js';
import { createMetricsAccumulator, type MetricsAccumulator } from '../../src/evaluation/metrics-accumulator.js';
import { pairedCounts } from '../../src/evaluation/slices.js';
import { DEFAULT_GATE, LEGACY_BINARY_OR_IMBALANCED, type GateSettings } from '../../src/refresh/settings.js';
import { SeededRandom } from '../../src/random.js';

/**
 * An 85/15 binary test split (half old, half new rows) and models scored on it: what an imbalanced
 * tabular refresh hands the gate. `score` gives p(positive) from the label and a uniform draw.
 */
const N = 2000;
const labels = Int32Array.from({ length: N }, (_, i) => (i % 20 < 3 ? 1 : 0));
const groups = Uint8Array.from({ length: N }, (_, i) => (i < N / 2 ? 0 : 1));

function evaluate(score: (label: number, u: number) => number, seed: number): { accumulator: MetricsAccumulator; predictions: Int32Array } {
  const random = new SeededRandom(seed);
  const probabilities = new Float32Array(2 * N);
  const predictions = new Int32Array(N);
  labels.forEach((label, i) => {
    const p = score(label, random.next());
    probabilities[2 * i] = 1 - p;
    probabilities[2 * i + 1] = p;
    predictions[i] = p > 1 - p ? 1 : 0;
  });
  const accumulator = createMetricsAccumulator({ classes: ['ok', 'fraud'] });
  accumulator.add({ probabilities, labels, groups });
  return { accumulator, predictions };
}

/** Learnt nothing: the base rate for everyone, so every prediction is the majority class. */
const majority = () => evaluate(() => 0.15, 1);
/**
 * Learnt something, yet predicts the majority class for everyone (p < 0.5): positives score higher
 * (AUC 3/4 at strength 0.2), and accuracy is the majority class's 85%, as the majority model's.
 */
const useful = (seed: number, strength = 0.2) => evaluate((label, u) => 0.05 + 0.2 * u + (label === 1 ? strength * u : 0), seed);

function input(candidate: ReturnType<typeof evaluate>, production: ReturnType<typeof evaluate> | null): GateInput {
  return {
    candidate: candidate.accumulator.result(),
    baseline: production?.accumulator.result() ?? null,
    paired: production ? pairedCounts(candidate.predictions, production.predictions, labels) : null,
    comparisons: production ? pairedBootstrap(candidate.accumulator.rows(), production.accumulator.rows()) : null,
  };
}

describe('gate on metrics beyond accuracy (binary, imbalanced)', () => {
  it('rejects a majority-class candidate on AUC and log-loss skill although its accuracy passes', () => {
    const candidate = majority();
    const result = gateCandidate(input(candidate, null), DEFAULT_GATE);
    expect(candidate.accumulator.result().combined!.accuracy).toBe(0.85);
    expect(result.checks.find((c) => c.name === 'accuracy[combined] >= 0.8')?.passed).toBe(true);
    expect(result.passed).toBe(false);
    const reasons = result.reasons.join('\n');
    expect(reasons).toMatch(/pass: binary task \(2 classes, majority class 85\.00% of the test split\): also gated on auc, logLossSkill/);
    expect(reasons).toMatch(/FAIL: auc\[combined\] 0\.5000 < lower bound 0\.5500/);
    expect(reasons).toMatch(/FAIL: logLossSkill\[combined\] -?0\.0000 < lower bound 0\.0100/);
    expect(result.metrics).toEqual(['accuracy', 'auc', 'logLossSkill']);
  });

  it('rejects it against a useful production model too, where accuracy alone would promote it', () => {
    const production = useful(2);
    const candidate = majority();
    const both = input(candidate, production);
    expect(gateCandidate(both, accuracyOnlyGate(DEFAULT_GATE)).passed).toBe(true);
    const result = gateCandidate(both, DEFAULT_GATE);
    expect(result.passed).toBe(false);
    const failed = result.checks.filter((c) => !c.passed).map((c) => c.name);
    expect(failed).toEqual(expect.arrayContaining(['auc[combined] >= 0.55', 'auc[combined] absolute change', 'logLossSkill[combined] >= 0.01', 'paired test (bootstrap) auc[combined]']));
    expect(failed.every((name) => !name.startsWith('accuracy'))).toBe(true);
  });

  it('promotes a useful candidate, first model and against production', () => {
    const first = gateCandidate(input(useful(3), null), DEFAULT_GATE);
    expect(first.checks.find((c) => c.name === 'auc[combined] >= 0.55')?.passed).toBe(true);
    expect(first.reasons.filter((r) => r.startsWith('FAIL'))).toEqual([]);
    const next = gateCandidate(input(useful(3, 0.21), useful(3)), DEFAULT_GATE);
    expect(next.reasons.filter((r) => r.startsWith('FAIL'))).toEqual([]);
    expect(next.reasons.join('\n')).toMatch(/pass: auc\[combined\]: candidate significantly better than production \(paired bootstrap, one-sided p=0\.00200/);
  });

  it('a retrain of a near-perfect production model passes on log-loss skill, where a relative log-loss change would block it; a real calibration loss fails', () => {
    // Found by the refresh fault suite: production at log-loss ~1e-7 after five warm starts, the plasticity retrain at 0.01.
    const confident = (p: number, seed: number) => evaluate((label) => (label === 1 ? p : 1 - p), seed);
    const production = confident(1 - 1e-7, 7);
    const retrain = gateCandidate(input(confident(0.99, 7), production), DEFAULT_GATE);
    expect(retrain.reasons.filter((r) => r.startsWith('FAIL'))).toEqual([]);
    expect(retrain.checks.find((c) => c.name === 'logLossSkill[combined] absolute change')?.passed).toBe(true);
    const legacy = gateCandidate(input(confident(0.99, 7), production), { ...DEFAULT_GATE, binaryOrImbalanced: LEGACY_BINARY_OR_IMBALANCED });
    expect(legacy.checks.find((c) => c.name === 'logLoss[combined] relative change')?.passed).toBe(false);
    // 0.9 -> 0.75 on the true class: log-loss 0.105 -> 0.288, 43% of the base rates' 0.42: refused.
    const worse = gateCandidate(input(confident(0.75, 7), confident(0.9, 7)), DEFAULT_GATE);
    expect(worse.reasons.join('\n')).toMatch(/FAIL: logLossSkill\[combined\] .* vs production .*: change -0\.4\d+ < -0\.0500/);
  });

  it('the bootstrap blocks a significant AUC drop that is within the change threshold', () => {
    // Production separates better; the candidate's AUC is lower by less than the allowed change.
    const production = useful(5, 0.2);
    const candidate = useful(5, 0.18);
    const both = input(candidate, production);
    const allowDrop: GateSettings = { ...DEFAULT_GATE, thresholds: [], binaryOrImbalanced: { majorityShare: 0.6, thresholds: [{ metric: 'auc', slice: 'combined', absoluteChange: -0.05, direction: 'higher-is-better' }] } };
    const auc = both.comparisons!.find((c) => c.metric === 'auc' && c.slice === 'combined')!;
    expect(auc.difference).toBeLessThan(0);
    expect(auc.difference).toBeGreaterThan(-0.05);
    const result = gateCandidate(both, allowDrop);
    expect(result.checks.find((c) => c.name === 'auc[combined] absolute change')?.passed).toBe(true);
    expect(result.checks.find((c) => c.name === 'paired test (bootstrap) auc[combined]')).toMatchObject({ passed: false });
    expect(gateCandidate(both, { ...allowDrop, bootstrapTest: null }).passed).toBe(true);
  });

  it('lower-is-better log-loss: relative change is measured in the better direction', () => {
    const settings: GateSettings = { thresholds: [{ metric: 'logLoss', slice: 'combined', relativeChange: -0.05, upperBound: 0.5, direction: 'lower-is-better' }], pairedTest: null };
    const slice = (logLoss: number) => ({ combined: { accuracy: 0.9, count: 100, logLoss } });
    expect(gateCandidate({ candidate: slice(0.41), baseline: slice(0.4), paired: null }, settings).passed).toBe(true);
    const worse = gateCandidate({ candidate: slice(0.43), baseline: slice(0.4), paired: null }, settings);
    expect(worse.passed).toBe(false);
    expect(worse.reasons.join('\n')).toMatch(/FAIL: logLoss\[combined\] relative change -7\.50% < -5\.00%/);
    expect(gateCandidate({ candidate: slice(0.6), baseline: null, paired: null }, settings).reasons[0]).toMatch(/FAIL: logLoss\[combined\] 0\.6000 > upper bound 0\.5000/);
  });

  it('a gated metric the evaluation did not compute fails, naming it', () => {
    const settings: GateSettings = { thresholds: [{ metric: 'macroF1', slice: 'combined', lowerBound: 0.5, direction: 'higher-is-better' }], pairedTest: null };
    const result = gateCandidate({ candidate: { combined: { accuracy: 0.9, count: 100 } }, baseline: null, paired: null }, settings);
    expect(result.passed).toBe(false);
    expect(result.reasons[0]).toMatch(/FAIL: macroF1\[combined\] was not computed/);
  });

  it('a balanced many-class task keeps today\'s accuracy gate exactly (the MNIST demo)', () => {
    const classes = Array.from({ length: 10 }, (_, k) => `${k}`);
    const accumulator = createMetricsAccumulator({ classes });
    const rows = 500;
    const probabilities = new Float32Array(rows * 10).fill(0.01);
    const y = Int32Array.from({ length: rows }, (_, i) => i % 10);
    y.forEach((label, i) => (probabilities[i * 10 + (i % 7 === 0 ? (label + 1) % 10 : label)] = 0.91));
    accumulator.add({ probabilities, labels: y, groups: Uint8Array.from({ length: rows }, () => 1) });
    const result = gateCandidate({ candidate: accumulator.result(), baseline: null, paired: null }, DEFAULT_GATE);
    expect(result.checks.map((c) => c.name)).toEqual(['accuracy[combined] >= 0.8', 'baseline']);
    expect(result.metrics).toEqual(['accuracy']);
  });
});

describe('gate on an evaluation that predates the metrics (replayed histories)', () => {
  it('a binary task gated from accuracy-only slices keeps the accuracy gate, and says so', () => {
    const old = { combined: { accuracy: 0.9, correct: 900, count: 1000 }, 'class:a': { accuracy: 0.95, correct: 760, count: 800 }, 'class:b': { accuracy: 0.7, correct: 140, count: 200 } };
    const result = gateCandidate({ candidate: old, baseline: null, paired: null }, DEFAULT_GATE);
    expect(result.passed).toBe(true);
    expect(result.reasons[0]).toBe('pass: binary task (2 classes, majority class 80.00% of the test split): the evaluation predates auc, logLossSkill; accuracy thresholds only');
    expect(result.metrics).toEqual(['accuracy']);
  });
});
