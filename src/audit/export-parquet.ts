import { parquetWriteBuffer } from 'hyparquet-writer';
import type { AuditEntry } from './ledger.js';
import type { PriceTable } from './pricing.js';
import { costTotals } from './totals.js';

/**
 * One flat row per refresh, for BI tools (DuckDB, pandas, Spark read it as is). Times are Parquet
 * timestamps (milliseconds, UTC); money and energy are priced with the table given, at export time.
 */
export function ledgerRows(entries: AuditEntry[], prices: PriceTable | null = null) {
  return entries.map((e) => {
    const final = e.attempts.at(-1);
    const cost = costTotals([e], prices);
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
      started_at: new Date(e.startedAt),
      finished_at: new Date(e.finishedAt),
      device_hours: cost.deviceHours,
      device_hours_by_class: JSON.stringify(cost.deviceHoursByClass),
      bytes_read: cost.bytesRead,
      steps_done: cost.stepsDone,
      steps_lost: cost.stepsLost,
      steps_redone: cost.stepsRedone,
      lost_device_hours: cost.lost.deviceHours,
      price_table: prices?.version ?? null,
      currency: prices?.currency ?? null,
      cost: cost.money,
      lost_cost: cost.lost.money,
      kwh: cost.kWh,
      co2_grams: cost.co2Grams,
      scratch_equivalent_cost: cost.scratchEquivalent.money,
      saved_cost: cost.saved.money,
      recorded_price_table: e.priceTable ?? null,
      chain_seq: e.chain?.seq ?? null,
      chain_previous_sha256: e.chain?.previous ?? null,
    };
  });
}

type Row = ReturnType<typeof ledgerRows>[number];
const TYPES: Record<keyof Row, 'STRING' | 'INT32' | 'INT64' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMP'> = {
  model: 'STRING', dataset: 'STRING', dataset_version: 'INT32', workflow_id: 'STRING', replay_of: 'STRING', status: 'STRING', decision: 'STRING',
  decision_reasons: 'STRING', attempts: 'STRING', backend: 'STRING', steps: 'INT32', examples: 'INT32', train_flops: 'DOUBLE', train_seconds: 'DOUBLE',
  evaluation_seconds: 'DOUBLE', accuracy: 'DOUBLE', accuracy_ci_low: 'DOUBLE', accuracy_ci_high: 'DOUBLE', old_accuracy: 'DOUBLE', new_accuracy: 'DOUBLE',
  production_accuracy: 'DOUBLE', gate_passed: 'BOOLEAN', promotion: 'STRING', rejection: 'STRING', failure: 'STRING', scratch_cost_flops: 'DOUBLE', scratch_cost_basis: 'STRING',
  saved_flops: 'DOUBLE', saved_seconds: 'DOUBLE', started_at: 'TIMESTAMP', finished_at: 'TIMESTAMP',
  device_hours: 'DOUBLE', device_hours_by_class: 'STRING', bytes_read: 'DOUBLE', steps_done: 'INT32', steps_lost: 'INT32', steps_redone: 'INT32', lost_device_hours: 'DOUBLE',
  price_table: 'STRING', currency: 'STRING', cost: 'DOUBLE', lost_cost: 'DOUBLE', kwh: 'DOUBLE', co2_grams: 'DOUBLE', scratch_equivalent_cost: 'DOUBLE', saved_cost: 'DOUBLE',
  recorded_price_table: 'STRING', chain_seq: 'INT32', chain_previous_sha256: 'STRING',
};

export function ledgerToParquet(entries: AuditEntry[], prices: PriceTable | null = null): Uint8Array {
  const rows = ledgerRows(entries, prices);
  const columnData = (Object.keys(TYPES) as (keyof Row)[]).map((name) => ({ name, type: TYPES[name], data: rows.map((row) => row[name]) }));
  return new Uint8Array(parquetWriteBuffer({ columnData, createdBy: 'warmstart' }));
}
