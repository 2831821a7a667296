import type { AuditEntry } from './ledger.js';
import { monthOf } from './period.js';
import { priceDeviceSeconds, type PriceTable, type Priced } from './pricing.js';
import { addUsage, NO_USAGE, scaleUsage, type ComputeUsage } from './usage.js';
import { entryTrainingWork, entryUsage, lostUsage, UNRECORDED_CPU } from './entry-usage.js';

/** What a set of refreshes spent, priced at read time under one table. */
export interface CostTotals extends Priced {
  refreshes: number;
  flops: number;
  deviceHours: number;
  deviceHoursByClass: Record<string, number>;
  bytesRead: number;
  stepsDone: number;
  stepsLost: number;
  stepsRedone: number;
  /** Work thrown away by lost training attempts (part of the totals above, shown apart). */
  lost: Priced & { deviceHours: number };
  /** Retraining every version from scratch, priced the same way, and what the refreshes saved against it. */
  scratchEquivalent: Priced & { deviceHours: number };
  saved: Priced & { deviceHours: number };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const hours = (usage: ComputeUsage) => sum(Object.values(usage.deviceSeconds)) / 3600;

function trainingUsage(entry: AuditEntry): ComputeUsage {
  if (!entry.usage) {
    return entry.attempts.reduce((total, a) => addUsage(total, { wallSeconds: a.training.wallSeconds, deviceSeconds: { [/gpu/i.test(a.training.device) ? 'gpu:unrecorded' : UNRECORDED_CPU]: a.training.wallSeconds }, flops: a.training.flops, bytesRead: 0 }), NO_USAGE);
  }
  return entry.usage.activities.filter((a) => a.activity === 'trainCandidate').reduce((total, a) => addUsage(total, a.usage), NO_USAGE);
}

/**
 * A scratch retrain of the entry's version in device-seconds: the scratch cost's wall seconds on the
 * devices this refresh trained on (their device-seconds per wall second).
 */
function scratchUsage(entry: AuditEntry): ComputeUsage {
  if (entry.scratchCost.basis === 'unknown' || entry.scratchCost.trainSeconds === 0) return NO_USAGE;
  const training = trainingUsage(entry);
  if (training.wallSeconds === 0) return NO_USAGE;
  return { ...scaleUsage({ ...training, flops: null, bytesRead: 0 }, entry.scratchCost.trainSeconds / training.wallSeconds), wallSeconds: entry.scratchCost.trainSeconds, flops: entry.scratchCost.flops };
}

function priced(usage: ComputeUsage, table: PriceTable | null): Priced & { deviceHours: number } {
  return { ...priceDeviceSeconds(usage.deviceSeconds, table), deviceHours: hours(usage) };
}

export function costTotals(entries: AuditEntry[], table: PriceTable | null): CostTotals {
  let spent = NO_USAGE;
  let lost = NO_USAGE;
  let scratch = NO_USAGE;
  let flops = 0;
  const work = { stepsDone: 0, stepsLost: 0, stepsRedone: 0 };
  for (const entry of entries) {
    const usage = entryUsage(entry);
    spent = addUsage(spent, usage);
    lost = addUsage(lost, lostUsage(entry));
    scratch = addUsage(scratch, scratchUsage(entry));
    flops += usage.flops ?? entry.compute.flops;
    const w = entryTrainingWork(entry);
    work.stepsDone += w.stepsDone;
    work.stepsLost += w.stepsLost;
    work.stepsRedone += w.stepsRedone;
  }
  // Only refreshes with a scratch basis save anything; the others' training is not set against a scratch run.
  const withBasis = entries.filter((e) => e.scratchCost.basis !== 'unknown');
  const trainedWithBasis = withBasis.reduce((total, e) => addUsage(total, trainingUsage(e)), NO_USAGE);
  const saved: Record<string, number> = { ...scratch.deviceSeconds };
  for (const [deviceClass, seconds] of Object.entries(trainedWithBasis.deviceSeconds)) saved[deviceClass] = (saved[deviceClass] ?? 0) - seconds;
  return {
    refreshes: entries.length,
    flops,
    ...priced(spent, table),
    deviceHoursByClass: Object.fromEntries(Object.entries(spent.deviceSeconds).map(([k, v]) => [k, v / 3600])),
    bytesRead: spent.bytesRead,
    ...work,
    lost: priced(lost, table),
    scratchEquivalent: priced(scratch, table),
    saved: priced({ ...NO_USAGE, deviceSeconds: saved }, table),
  };
}

export type Grouping = 'version' | 'dataset' | 'month';

const GROUP_KEYS: Record<Grouping, (entry: AuditEntry) => string> = {
  version: (e) => `${e.dataset} v${e.datasetVersion}`,
  dataset: (e) => e.dataset,
  month: (e) => monthOf(e.finishedAt),
};

/** Totals per version, dataset or month (by when each refresh finished), in the groups' natural order. */
export function groupTotals(entries: AuditEntry[], by: Grouping, table: PriceTable | null): { group: string; totals: CostTotals }[] {
  const groups = new Map<string, AuditEntry[]>();
  for (const entry of entries) {
    const key = GROUP_KEYS[by](entry);
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  const order = (a: string, b: string) => (by === 'version' ? a.localeCompare(b, undefined, { numeric: true }) : a.localeCompare(b));
  return [...groups.keys()].sort(order).map((group) => ({ group, totals: costTotals(groups.get(group)!, table) }));
}
