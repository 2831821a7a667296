import { parquetWriteBuffer } from 'hyparquet-writer';
import type { AuditEntry } from './ledger.js';

/** One flat row per refresh, for BI tools (DuckDB, pandas, Spark read it as is). */
export function ledgerRows(entries: AuditEntry[]) {
  return entries.map((e) => {
    const final = e.attempts.at(-1);
    return {
      model: e.model,
      dataset: e.dataset,
      dataset_version: e.datasetVersion,
      workflow_id: e.workflowId,
      replay_of: e.replayOf,
      status: e.status,
      decision: e.decision.mode,
      decision_reasons: e.decision.reasons.join('; '),
      attempts: e.attempts.map((a) => a.mode).join('>'),
      backend: final?.training.backend ?? null,
      steps: e.compute.steps,
      examples: e.compute.examples,
      train_flops: e.compute.flops,
      train_seconds: e.compute.trainSeconds,
      evaluation_seconds: e.compute.evaluationSeconds,
      accuracy: final?.evaluation.candidate.combined?.accuracy ?? null,
      accuracy_ci_low: final?.evaluation.accuracyInterval.low ?? null,
      accuracy_ci_high: final?.evaluation.accuracyInterval.high ?? null,
      old_accuracy: final?.evaluation.candidate.old?.accuracy ?? null,
      new_accuracy: final?.evaluation.candidate.new?.accuracy ?? null,
      production_accuracy: final?.evaluation.production?.combined?.accuracy ?? null,
      gate_passed: final?.gate.passed ?? null,
      promotion: e.promotion.outcome,
      rejection: e.rejection,
      failure: e.failure ?? null,
      scratch_cost_flops: e.scratchCost.flops,
      scratch_cost_basis: e.scratchCost.basis,
      saved_flops: e.saved.flops,
      saved_seconds: e.saved.trainSeconds,
      started_at: e.startedAt,
      finished_at: e.finishedAt,
    };
  });
}

type Row = ReturnType<typeof ledgerRows>[number];
const TYPES: Record<keyof Row, 'STRING' | 'INT32' | 'DOUBLE' | 'BOOLEAN'> = {
  model: 'STRING', dataset: 'STRING', dataset_version: 'INT32', workflow_id: 'STRING', replay_of: 'STRING', status: 'STRING', decision: 'STRING',
  decision_reasons: 'STRING', attempts: 'STRING', backend: 'STRING', steps: 'INT32', examples: 'INT32', train_flops: 'DOUBLE', train_seconds: 'DOUBLE',
  evaluation_seconds: 'DOUBLE', accuracy: 'DOUBLE', accuracy_ci_low: 'DOUBLE', accuracy_ci_high: 'DOUBLE', old_accuracy: 'DOUBLE', new_accuracy: 'DOUBLE',
  production_accuracy: 'DOUBLE', gate_passed: 'BOOLEAN', promotion: 'STRING', rejection: 'STRING', failure: 'STRING', scratch_cost_flops: 'DOUBLE', scratch_cost_basis: 'STRING',
  saved_flops: 'DOUBLE', saved_seconds: 'DOUBLE', started_at: 'STRING', finished_at: 'STRING',
};

export function ledgerToParquet(entries: AuditEntry[]): Uint8Array {
  const rows = ledgerRows(entries);
  const columnData = (Object.keys(TYPES) as (keyof Row)[]).map((name) => ({ name, type: TYPES[name], data: rows.map((row) => row[name]) }));
  return new Uint8Array(parquetWriteBuffer({ columnData, createdBy: 'warmstart' }));
}
