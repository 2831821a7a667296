import { describe, expect, it } from 'vitest';
import { attemptRecord, failedEntry, finishedEntry, rejectedEntry, totalCompute, trainingRecord, type EntryBase, type EvaluationReport, type TrainingReport } from '../../src/audit/records.js';

const base: EntryBase = { model: 'digits', dataset: 'mnist', datasetVersion: 3, workflowId: 'refresh/digits/mnist/v3', replayOf: null, startedAt: '2026-12-01T00:00:00.000Z' };
const close = { finishedAt: '2026-12-01T00:05:00.000Z', usage: [] };
const trained: TrainingReport = { candidateId: 'c-warm', backend: 'wasm', device: 'CPU', steps: 80, examples: 5120, flops: 3e9, wallSeconds: 2, finalLoss: 0.3, compute: { scoringFlops: 1e8, scoringSeconds: 0.5 }, grownClasses: ['9'], resumedFromStep: 40 };
const evaluated: EvaluationReport = {
  testCount: 100,
  candidate: { combined: { accuracy: 0.9, correct: 90, count: 100, logLoss: 0.31, auc: 0.95 }, new: { accuracy: 0.8, correct: 16, count: 20 } },
  production: { combined: { accuracy: 0.85, correct: 85, count: 100 } },
  wallSeconds: 0.25,
};

describe('ledger record builders', () => {
  it('keeps what training reported and fills what results in recorded histories lack', () => {
    const record = trainingRecord(trained, 'c-prev');
    expect(record).toMatchObject({ candidateId: 'c-warm', steps: 80, scoringFlops: 1e8, scoringSeconds: 0.5, initializedFrom: 'c-prev', grownClasses: ['9'], resumedFromStep: 40, levers: null });
    // A result from a recorded history: no compute, grown classes or resume step.
    const old: TrainingReport = { candidateId: 'c-old', backend: 'wasm', device: 'CPU', steps: 80, examples: 5120, flops: 3e9, wallSeconds: 2, finalLoss: 0.3 };
    expect(trainingRecord(old, null)).toMatchObject({ scoringFlops: 0, scoringSeconds: 0, grownClasses: [], resumedFromStep: null, initializedFrom: null });
    expect('work' in trainingRecord(old, null)).toBe(false);
  });

  it('keeps accuracy, count and the computed metrics per slice, and the Wilson interval of the combined accuracy', () => {
    const attempt = attemptRecord('warm', trained, 'c-prev', evaluated, { passed: true, reasons: ['ok'] });
    expect(attempt.evaluation.candidate).toEqual({ combined: { accuracy: 0.9, count: 100, logLoss: 0.31, auc: 0.95 }, new: { accuracy: 0.8, count: 20 } });
    expect(attempt.evaluation.production).toEqual({ combined: { accuracy: 0.85, count: 100 } });
    // 90/100 at 95%: Wilson gives [0.8256, 0.9448].
    expect(attempt.evaluation.accuracyInterval.low).toBeCloseTo(0.8256, 3);
    expect(attempt.evaluation.accuracyInterval.high).toBeCloseTo(0.9448, 3);
    expect(attempt.gate).toEqual({ passed: true, reasons: ['ok'] });
  });

  it('sums compute over attempts, and prices savings against the scratch cost', () => {
    const warm = attemptRecord('warm', trained, 'c-prev', evaluated, { passed: false, reasons: [] });
    const scratch = attemptRecord('scratch', { ...trained, candidateId: 'c-scratch', steps: 400, examples: 25600, flops: 1.5e10, wallSeconds: 10 }, null, evaluated, { passed: true, reasons: [] });
    expect(totalCompute([warm, scratch])).toEqual({ steps: 480, examples: 30720, flops: 1.8e10, trainSeconds: 12, evaluationSeconds: 0.5 });
    const entry = finishedEntry(base, {
      status: 'promoted',
      decision: { mode: 'warm', reasons: [] },
      attempts: [warm],
      fallback: null,
      promotion: { outcome: 'promoted', candidateId: 'c-warm', detail: null, override: null },
      scratchCost: { flops: 1.5e10, trainSeconds: 10, basis: 'estimated', explanation: 'x' },
    }, close);
    expect(entry.saved).toEqual({ flops: 1.2e10, trainSeconds: 8 });
    expect(entry).toMatchObject({ ...base, status: 'promoted', rejection: null, finishedAt: close.finishedAt, usage: { activities: [] } });
  });

  it('a rejected version spends and saves nothing; a failed refresh keeps the attempts that finished', () => {
    const rejected = rejectedEntry(base, 'shard 2: sha256 mismatch', close);
    expect(rejected).toMatchObject({ status: 'rejected', rejection: 'shard 2: sha256 mismatch', attempts: [], compute: { steps: 0, flops: 0 }, saved: { flops: 0, trainSeconds: 0 } });
    expect(rejected.scratchCost.basis).toBe('unknown');
    const warm = attemptRecord('warm', trained, null, evaluated, { passed: false, reasons: [] });
    const failed = failedEntry(base, { decision: { mode: 'warm', reasons: [] }, attempts: [warm], fallback: 'warm start failed its gate', failure: 'trainCandidate failed: out of retries' }, close);
    expect(failed).toMatchObject({ status: 'failed', failure: 'trainCandidate failed: out of retries', compute: { steps: 80, flops: 3e9 }, saved: { flops: 0, trainSeconds: 0 } });
  });
});
