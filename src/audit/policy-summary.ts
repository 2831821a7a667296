/**
 * The policy's inputs from the ledger, kept in one small object per model (audit-summary/<model>.json)
 * so that a refresh reads one object instead of every earlier entry: the last attempt (for "the last
 * warm start failed its gate") and the last scratch run (the basis of scratch-cost estimates).
 *
 * Folding an entry in is idempotent and order-free (the newest by finishedAt wins), so a retried
 * recordAudit, or a replay finishing beside a refresh, leaves the same summary. Writes are conditional
 * (If-Match on the ETag read), so two writers never lose each other's entry. A store written before the
 * summary existed has none: it is built once from the ledger, on the next entry.
 */
import type { LastAttempt } from '../policy/decide.js';
import { getJson, putJson } from '../storage/json.js';
import { summaryKey } from '../storage/keys.js';
import type { ObjectStore } from '../storage/object-store.js';
import { isWarmstartError, WarmstartError } from '../errors.js';
import { listAuditEntries, type AuditEntry } from './ledger.js';
import type { ScratchRun } from './savings.js';

export interface PolicySummary {
  model: string;
  lastAttempt: (LastAttempt & { finishedAt: string }) | null;
  lastScratch: (ScratchRun & { finishedAt: string }) | null;
}

export interface PolicyInputs {
  lastAttempt: LastAttempt | null;
  lastScratch: ScratchRun | null;
}

export function emptySummary(model: string): PolicySummary {
  return { model, lastAttempt: null, lastScratch: null };
}

/** The summary with one more entry: its final attempt if it is the newest, its scratch attempt if that is the newest scratch run. */
export function foldEntry(summary: PolicySummary, entry: AuditEntry): PolicySummary {
  const final = entry.attempts.at(-1);
  // The final attempt counts: a warm start rescued by a scratch fallback leaves a fresh scratch lineage.
  const lastAttempt = final && (!summary.lastAttempt || entry.finishedAt >= summary.lastAttempt.finishedAt)
    ? { datasetVersion: entry.datasetVersion, mode: final.mode, gatePassed: final.gate.passed, finishedAt: entry.finishedAt }
    : summary.lastAttempt;
  const scratch = entry.attempts.find((a) => a.mode === 'scratch');
  const lastScratch = scratch && (!summary.lastScratch || entry.finishedAt > summary.lastScratch.finishedAt)
    ? { datasetVersion: entry.datasetVersion, steps: scratch.training.steps, flops: scratch.training.flops, trainSeconds: scratch.training.wallSeconds, finishedAt: entry.finishedAt }
    : summary.lastScratch;
  return { model: summary.model, lastAttempt, lastScratch };
}

export function summarize(model: string, entries: readonly AuditEntry[]): PolicySummary {
  return entries.reduce(foldEntry, emptySummary(model));
}

function inputsOf(summary: PolicySummary): PolicyInputs {
  const { lastAttempt, lastScratch } = summary;
  return {
    lastAttempt: lastAttempt ? { datasetVersion: lastAttempt.datasetVersion, mode: lastAttempt.mode, gatePassed: lastAttempt.gatePassed } : null,
    lastScratch: lastScratch ? { datasetVersion: lastScratch.datasetVersion, steps: lastScratch.steps, flops: lastScratch.flops, trainSeconds: lastScratch.trainSeconds } : null,
  };
}

/** One read when the summary exists; a ledger scan for a store that predates it. */
export async function readPolicyInputs(store: ObjectStore, model: string): Promise<PolicyInputs> {
  const found = await getJson<PolicySummary>(store, summaryKey(model));
  return inputsOf(found ? found.value : summarize(model, await listAuditEntries(store, model)));
}

/** Folds a just-written entry into the summary (building it from the ledger the first time). */
export async function updatePolicySummary(store: ObjectStore, entry: AuditEntry, maxTries = 20): Promise<PolicySummary> {
  const key = summaryKey(entry.model);
  for (let attempt = 0; attempt < maxTries; attempt++) {
    const found = await getJson<PolicySummary>(store, key);
    // The ledger already holds this entry, so a summary built from it includes it.
    const next = found ? foldEntry(found.value, entry) : summarize(entry.model, await listAuditEntries(store, entry.model));
    if (found && JSON.stringify(next) === JSON.stringify(found.value)) return next;
    try {
      await putJson(store, key, next, found ? { ifMatch: found.etag } : { ifNoneMatch: '*' });
      return next;
    } catch (error) {
      if (!isWarmstartError(error, 'STORE_PRECONDITION_FAILED')) throw error;
    }
  }
  throw new WarmstartError('LEDGER_CONFLICT', `could not update ${key}: too many concurrent writers; retry`, key);
}
