/**
 * Pure builders of the ledger's records: one training + evaluation + gate attempt, and the three kinds
 * of refresh entry (rejected before training, failed, finished). The refresh workflow calls them, so it
 * reads as the steps it takes; workflows import this module, so it stays free of I/O.
 */
import { ledgerMetrics } from '../evaluation/metrics.js';
import type { SliceMetrics } from '../evaluation/slices.js';
import type { LeverSettings } from '../training/levers.js';
import type { AttemptRecord, AuditEntry, EvaluationRecord, TrainingRecord } from './ledger.js';
import { computeSaved, wilsonInterval, type ScratchCost } from './savings.js';
import type { ActivityUsage } from './usage.js';

/**
 * What the training activity reports, as far as the ledger cares. The optional fields are absent from
 * the results in recorded histories (test/replay), which predate compute accounting; read defensively.
 */
export type TrainingReport = Pick<TrainingRecord, 'candidateId' | 'backend' | 'device' | 'steps' | 'examples' | 'flops' | 'wallSeconds' | 'finalLoss' | 'work' | 'stop'> & {
  compute?: { scoringFlops: number; scoringSeconds: number };
  levers?: LeverSettings;
  grownClasses?: string[];
  resumedFromStep?: number | null;
};

/** What the evaluation activity reports, as far as the ledger cares. */
export interface EvaluationReport {
  testCount: number;
  candidate: SliceMetrics;
  production: SliceMetrics | null;
  wallSeconds: number;
}

export function trainingRecord(trained: TrainingReport, initializedFrom: string | null): TrainingRecord {
  const { candidateId, backend, device, steps, examples, flops, wallSeconds, finalLoss, work, stop } = trained;
  return {
    candidateId,
    backend,
    device,
    steps,
    examples,
    flops,
    wallSeconds,
    scoringFlops: trained.compute?.scoringFlops ?? 0,
    scoringSeconds: trained.compute?.scoringSeconds ?? 0,
    finalLoss,
    initializedFrom,
    levers: trained.levers ?? null,
    grownClasses: trained.grownClasses ?? [],
    resumedFromStep: trained.resumedFromStep ?? null,
    ...(work ? { work } : {}),
    ...(stop ? { stop } : {}),
  };
}

/** Slices keep accuracy, count and the few metrics a gate may use: the ledger stays small, the candidate's metrics.json has the rest. */
function sliceRecords(metrics: SliceMetrics): EvaluationRecord['candidate'] {
  return Object.fromEntries(Object.entries(metrics).map(([name, m]) => [name, { accuracy: m.accuracy, count: m.count, ...ledgerMetrics(m) }]));
}

export function evaluationRecord(evaluated: EvaluationReport): EvaluationRecord {
  const combined = evaluated.candidate.combined;
  return {
    testCount: evaluated.testCount,
    candidate: sliceRecords(evaluated.candidate),
    production: evaluated.production ? sliceRecords(evaluated.production) : null,
    accuracyInterval: wilsonInterval(combined?.correct ?? 0, combined?.count ?? 0),
    wallSeconds: evaluated.wallSeconds,
  };
}

export function attemptRecord(
  mode: AttemptRecord['mode'],
  trained: TrainingReport,
  initializedFrom: string | null,
  evaluated: EvaluationReport,
  gate: { passed: boolean; reasons: string[] },
): AttemptRecord {
  return { mode, training: trainingRecord(trained, initializedFrom), evaluation: evaluationRecord(evaluated), gate: { passed: gate.passed, reasons: gate.reasons } };
}

export const NO_COMPUTE: AuditEntry['compute'] = { steps: 0, examples: 0, flops: 0, trainSeconds: 0, evaluationSeconds: 0 };

/** Compute over the attempts that finished. */
export function totalCompute(attempts: readonly AttemptRecord[]): AuditEntry['compute'] {
  return attempts.reduce(
    (sum, a) => ({
      steps: sum.steps + a.training.steps,
      examples: sum.examples + a.training.examples,
      flops: sum.flops + a.training.flops,
      trainSeconds: sum.trainSeconds + a.training.wallSeconds,
      evaluationSeconds: sum.evaluationSeconds + a.evaluation.wallSeconds,
    }),
    NO_COMPUTE,
  );
}

/** Fields every entry of one refresh shares, known when it starts. */
export type EntryBase = Pick<AuditEntry, 'model' | 'dataset' | 'datasetVersion' | 'workflowId' | 'replayOf' | 'startedAt'>;

/** When the entry was finished and what every activity run spent. */
export interface EntryClose {
  finishedAt: string;
  usage: ActivityUsage[];
}

const NOTHING_SAVED = { flops: 0, trainSeconds: 0 };
const NOT_PROMOTED = (detail: string): AuditEntry['promotion'] => ({ outcome: 'not-attempted', candidateId: null, detail, override: null });

/** What differs between the kinds of entry; the rest comes from the refresh's start and close. */
type EntryBody = Omit<AuditEntry, keyof EntryBase | 'finishedAt' | 'usage'>;

function entryOf(base: EntryBase, body: EntryBody, close: EntryClose): AuditEntry {
  return { ...base, ...body, finishedAt: close.finishedAt, usage: { activities: close.usage } };
}

/** The version failed validation: nothing trained, production untouched. */
export function rejectedEntry(base: EntryBase, rejection: string, close: EntryClose): AuditEntry {
  const scratchCost: ScratchCost = { flops: 0, trainSeconds: 0, basis: 'unknown', explanation: 'nothing trained: the version was rejected' };
  const decision = { mode: 'none' as const, reasons: ['dataset version failed validation'] };
  return entryOf(base, { status: 'rejected', decision, attempts: [], fallback: null, promotion: NOT_PROMOTED('bad dataset version; production untouched'), rejection, compute: NO_COMPUTE, scratchCost, saved: NOTHING_SAVED }, close);
}

export interface FailedRefresh {
  decision: AuditEntry['decision'];
  attempts: AttemptRecord[];
  fallback: string | null;
  failure: string;
}

/** An activity ran out of retries (or refused its input): what finished before it is kept. */
export function failedEntry(base: EntryBase, failed: FailedRefresh, close: EntryClose): AuditEntry {
  const scratchCost: ScratchCost = { flops: 0, trainSeconds: 0, basis: 'unknown', explanation: 'the refresh failed: the compute of the failed attempt is not known' };
  const promotion = NOT_PROMOTED('refresh failed; production untouched');
  return entryOf(base, { status: 'failed', ...failed, promotion, rejection: null, compute: totalCompute(failed.attempts), scratchCost, saved: NOTHING_SAVED }, close);
}

export interface FinishedRefresh {
  status: AuditEntry['status'];
  decision: AuditEntry['decision'];
  attempts: AttemptRecord[];
  fallback: string | null;
  promotion: AuditEntry['promotion'];
  scratchCost: ScratchCost;
}

/** A refresh that trained, evaluated and gated (promoted, rejected by the gate, or superseded). */
export function finishedEntry(base: EntryBase, finished: FinishedRefresh, close: EntryClose): AuditEntry {
  const compute = totalCompute(finished.attempts);
  return entryOf(base, { ...finished, rejection: null, compute, saved: computeSaved(finished.scratchCost, compute) }, close);
}
