/**
 * Shadow scratch: a scratch run trained in the background beside a refresh that warm-started, so the
 * ledger holds a MEASURED scratch cost and accuracy where the refresh's entry only has an estimate.
 *
 * The record is an addendum to the refresh's entry, never an edit of it (the ledger is append-only):
 * it names the refresh by workflow ID, the join key, and is joined with the entry when the ledger is
 * read. Pure (the shadow workflow builds the record): no I/O here.
 */
import type { AuditEntry, EvaluationRecord, TrainingRecord } from './ledger.js';
import type { ChainStamp } from './chain.js';
import { mcnemarWorsePValue } from '../evaluation/paired-test.js';
import type { PairedCounts } from '../evaluation/slices.js';
import { evaluationRecord, trainingRecord, type EvaluationReport, type TrainingReport } from './records.js';
import type { ActivityUsage } from './usage.js';

/** Who the shadow run is and what it measures: the refresh it sits beside, joined by workflow ID. */
export interface ShadowRun {
  model: string;
  dataset: string;
  datasetVersion: number;
  /** The refresh measured: its ledger entry has this workflowId. */
  refreshWorkflowId: string;
  /** The refresh's ledger entry, as its recordAudit returned it. */
  refreshAuditKey: string | null;
  /** The refresh's final candidate: evaluated beside the scratch one, on the same test examples. */
  refreshCandidateId: string;
  /** The shadow workflow's own ID (shadow-scratch/<refresh ID>). */
  workflowId: string;
  startedAt: string;
}

export interface ShadowScratchRecord extends ShadowRun {
  kind: 'shadow-scratch';
  /** The scratch run as it trained: same settings, seed and schedule a scratch refresh would use. */
  training: TrainingRecord;
  /** `candidate` is the scratch model; `production` is the refresh's candidate (the model compared against). */
  evaluation: EvaluationRecord;
  /** Test examples only the scratch model / only the refresh's candidate got right. */
  paired: { scratchOnly: number; refreshOnly: number } | null;
  finishedAt: string;
  usage: { activities: ActivityUsage[] };
  /** Set by the ledger when the record joins the model's hash chain. */
  chain?: ChainStamp;
}

export function shadowScratchRecord(
  run: ShadowRun,
  trained: TrainingReport,
  evaluated: EvaluationReport & { paired: PairedCounts | null },
  close: { finishedAt: string; usage: ActivityUsage[] },
): ShadowScratchRecord {
  return {
    kind: 'shadow-scratch',
    ...run,
    training: trainingRecord(trained, null),
    evaluation: evaluationRecord(evaluated),
    paired: evaluated.paired ? { scratchOnly: evaluated.paired.candidateOnly, refreshOnly: evaluated.paired.baselineOnly } : null,
    finishedAt: close.finishedAt,
    usage: { activities: close.usage },
  };
}

/** One refresh with its measured scratch run: estimated against measured. */
export interface ShadowComparison {
  dataset: string;
  datasetVersion: number;
  refreshWorkflowId: string;
  /** What the refresh spent (all its attempts) and the accuracy of its final candidate. */
  refresh: { mode: AuditEntry['decision']['mode']; flops: number; trainSeconds: number; accuracy: number | null };
  /** The scratch run as measured by the shadow. */
  measured: { flops: number; trainSeconds: number; steps: number; accuracy: number | null };
  /** The refresh entry's own scratch cost (an estimate, for a warm start) and saving. */
  estimated: { basis: AuditEntry['scratchCost']['basis']; flops: number; trainSeconds: number; saved: { flops: number; trainSeconds: number } };
  /** measured scratch cost minus what the refresh spent. */
  saved: { flops: number; trainSeconds: number };
  /** Refresh accuracy minus scratch accuracy, same test examples: the warm-start gap (negative: the warm start ended below scratch). */
  accuracyGap: number | null;
  /** McNemar one-sided p-value that the refresh's candidate is less accurate than scratch (null without paired counts). */
  pWorseThanScratch: number | null;
  /** estimated minus measured scratch FLOPs, and that as a share of measured: how far the ledger's estimate was off. */
  estimateError: { flops: number; share: number | null };
}

const combinedAccuracy = (slices: Record<string, { accuracy: number }> | null | undefined) => slices?.combined?.accuracy ?? null;

/** Joins one entry with its shadow record; the record must name the entry's workflow ID. */
export function compareWithShadow(entry: AuditEntry, shadow: ShadowScratchRecord): ShadowComparison {
  if (shadow.refreshWorkflowId !== entry.workflowId) throw new Error(`shadow record of ${shadow.refreshWorkflowId} joined with the entry of ${entry.workflowId}`);
  // The shadow evaluated both models in one pass over the same rows; the entry's figure is the fallback.
  const refreshAccuracy = combinedAccuracy(shadow.evaluation.production) ?? combinedAccuracy(entry.attempts.at(-1)?.evaluation.candidate);
  const scratchAccuracy = combinedAccuracy(shadow.evaluation.candidate);
  const measured = { flops: shadow.training.flops, trainSeconds: shadow.training.wallSeconds, steps: shadow.training.steps, accuracy: scratchAccuracy };
  const paired = shadow.paired ? { candidateOnly: shadow.paired.refreshOnly, baselineOnly: shadow.paired.scratchOnly, count: shadow.evaluation.testCount } : null;
  return {
    dataset: entry.dataset,
    datasetVersion: entry.datasetVersion,
    refreshWorkflowId: entry.workflowId,
    refresh: { mode: entry.attempts.at(-1)?.mode ?? entry.decision.mode, flops: entry.compute.flops, trainSeconds: entry.compute.trainSeconds, accuracy: refreshAccuracy },
    measured,
    estimated: { basis: entry.scratchCost.basis, flops: entry.scratchCost.flops, trainSeconds: entry.scratchCost.trainSeconds, saved: entry.saved },
    saved: { flops: measured.flops - entry.compute.flops, trainSeconds: measured.trainSeconds - entry.compute.trainSeconds },
    accuracyGap: refreshAccuracy !== null && scratchAccuracy !== null ? refreshAccuracy - scratchAccuracy : null,
    pWorseThanScratch: paired ? mcnemarWorsePValue(paired) : null,
    estimateError: { flops: entry.scratchCost.flops - measured.flops, share: measured.flops > 0 ? (entry.scratchCost.flops - measured.flops) / measured.flops : null },
  };
}

/** Every entry that has a shadow record, joined by workflow ID, oldest version first; records without an entry are left out. */
export function joinShadowRecords(entries: readonly AuditEntry[], shadows: readonly ShadowScratchRecord[]): ShadowComparison[] {
  const byRefresh = new Map(shadows.map((s) => [s.refreshWorkflowId, s]));
  return entries
    .filter((e) => byRefresh.has(e.workflowId))
    .sort((a, b) => a.dataset.localeCompare(b.dataset) || a.datasetVersion - b.datasetVersion)
    .map((e) => compareWithShadow(e, byRefresh.get(e.workflowId)!));
}

/** Totals over the shadowed refreshes: the saving as measured, beside what the ledger estimated for the same refreshes. */
export function shadowTotals(comparisons: readonly ShadowComparison[]): { refreshes: number; measuredSavedFlops: number; estimatedSavedFlops: number; measuredScratchFlops: number; estimatedScratchFlops: number; meanAccuracyGap: number | null } {
  const gaps = comparisons.map((c) => c.accuracyGap).filter((g): g is number => g !== null);
  return {
    refreshes: comparisons.length,
    measuredSavedFlops: comparisons.reduce((sum, c) => sum + c.saved.flops, 0),
    estimatedSavedFlops: comparisons.reduce((sum, c) => sum + c.estimated.saved.flops, 0),
    measuredScratchFlops: comparisons.reduce((sum, c) => sum + c.measured.flops, 0),
    estimatedScratchFlops: comparisons.reduce((sum, c) => sum + c.estimated.flops, 0),
    meanAccuracyGap: gaps.length > 0 ? gaps.reduce((a, b) => a + b, 0) / gaps.length : null,
  };
}
