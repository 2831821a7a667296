import { WarmstartError } from '../errors.js';
import { getJson } from '../storage/json.js';
import { sha256Hex } from '../storage/sha256.js';
import { appendToChain, unstamped, type ChainStamp } from './chain.js';
import type { ComputeSaved, ScratchCost } from './savings.js';
import type { ActivityUsage, TrainingWork } from './usage.js';
import type { LeverSettings } from '../training/levers.js';
import type { TrainingStop } from '../training/adaptive-schedule.js';
import type { LedgerMetrics } from '../evaluation/metrics.js';
import { keysAtDepth, type ObjectStore } from '../storage/object-store.js';
import { auditKey, auditPrefix, correctionKey, correctionsPrefix, operatorActionKey } from '../storage/keys.js';

export interface TrainingRecord {
  candidateId: string;
  backend: string;
  device: string;
  steps: number;
  examples: number;
  /** Training plus the data-selection scoring pass. */
  flops: number;
  wallSeconds: number;
  /** The scoring pass alone (forward passes over old data, or a learning-speed probe): not free. */
  scoringFlops: number;
  scoringSeconds: number;
  finalLoss: number;
  initializedFrom: string | null;
  /** The levers as actually used (init, regularization, selection, schedule); null in entries from before they were recorded. */
  levers: LeverSettings | null;
  grownClasses: string[];
  /** Set when a retry resumed from a checkpoint (a lost worker, say). */
  resumedFromStep: number | null;
  /** Steps over all attempts of this run: done, lost after the last checkpoint, redone; absent in older entries. */
  work?: TrainingWork;
  /** Why training stopped where it did (fixed schedule, or the adaptive schedule's plateau, cap or scratch budget), its steps and extensions; absent in older entries. */
  stop?: TrainingStop;
}

/** Accuracy and count; log-loss, AUC and the like where the evaluation computed them (absent in older entries). */
export type SliceRecord = { accuracy: number; count: number } & LedgerMetrics;

export interface EvaluationRecord {
  testCount: number;
  /** Per slice (combined, old, new, class:<name>), candidate and production on the same examples. */
  candidate: Record<string, SliceRecord>;
  production: Record<string, SliceRecord> | null;
  /** ~95% Wilson interval of the candidate's combined accuracy. */
  accuracyInterval: { low: number; high: number };
  wallSeconds: number;
}

/** One training + evaluation + gate pass. A refresh has one, or two when a warm start fell back to scratch. */
export interface AttemptRecord {
  mode: 'scratch' | 'warm';
  training: TrainingRecord;
  evaluation: EvaluationRecord;
  gate: { passed: boolean; reasons: string[] };
}

/** One ledger entry per refresh: what was decided and why, what it cost, what it produced. */
export interface AuditEntry {
  model: string;
  dataset: string;
  datasetVersion: number;
  workflowId: string;
  /** A manual replay names the refresh it re-ran. */
  replayOf: string | null;
  status: 'promoted' | 'rejected' | 'superseded' | 'skipped' | 'failed';
  decision: { mode: 'scratch' | 'warm' | 'none'; reasons: string[] };
  attempts: AttemptRecord[];
  /** Why there was no second attempt after a failed warm start, when there was none. */
  fallback: string | null;
  promotion: { outcome: string; candidateId: string | null; detail: string | null; override: { by: string; reason: string } | null };
  /** Why the version was rejected before training (bad manifest or shard), when it was. */
  rejection: string | null;
  /** Why the refresh failed (a bad training configuration, an activity out of retries), when it did; absent in older entries. */
  failure?: string | null;
  /** Totals over all attempts. */
  compute: { steps: number; examples: number; flops: number; trainSeconds: number; evaluationSeconds: number };
  /** What retraining this version from scratch costs (measured or estimated) and what this refresh saved. */
  scratchCost: ScratchCost;
  saved: ComputeSaved;
  startedAt: string;
  finishedAt: string;
  /** Every activity run of the refresh with what it spent (lost attempts and failed ones too); absent in older entries. */
  usage?: { activities: ActivityUsage[] };
  /** The version of the price table in effect when the entry was written (prices are applied at read time); absent in older entries. */
  priceTable?: string | null;
  /** Set by the ledger when the entry joins the model's hash chain. */
  chain?: ChainStamp;
}

/** Every reason an entry gives, in order: decision, fallback, the final attempt's gate, rejection, failure. */
export function entryReasons(entry: AuditEntry): string[] {
  const final = entry.attempts.at(-1);
  return [...entry.decision.reasons, ...(entry.fallback ? [entry.fallback] : []), ...(final?.gate.reasons ?? []), ...(entry.rejection ? [entry.rejection] : []), ...(entry.failure ? [entry.failure] : [])];
}

/** Operator actions (promote, rollback) outside a refresh, kept beside the ledger. */
export interface OperatorAction {
  model: string;
  action: 'promote' | 'rollback';
  candidateId: string;
  by: string;
  reason: string;
  outcome: string;
  at: string;
}

/** The refresh's business key, with or without the dataset in it. */
function isBusinessKey(entry: Pick<AuditEntry, 'model' | 'dataset' | 'datasetVersion' | 'workflowId'>): boolean {
  return entry.workflowId === `refresh/${entry.model}/v${entry.datasetVersion}` || entry.workflowId === `refresh/${entry.model}/${entry.dataset}/v${entry.datasetVersion}`;
}

export function auditKeyOf(entry: Pick<AuditEntry, 'model' | 'dataset' | 'datasetVersion' | 'workflowId' | 'replayOf'>): string {
  return auditKey(entry.model, entry.dataset, entry.datasetVersion, entry.replayOf || !isBusinessKey(entry) ? entry.workflowId : undefined);
}

/** Fields an activity fills in when it writes (not chosen by the workflow): a retry may see other values. */
const WRITE_TIME_FIELDS = ['priceTable'];

const withoutFields = (value: object, fields: string[]) => JSON.stringify(Object.fromEntries(Object.entries(value).filter(([name]) => !fields.includes(name))));

/**
 * Appends the entry to the model's hash chain, create-only. Idempotent: a retried write of the same
 * entry (the workflow built it, so a retry carries the same content) finds its earlier success; a
 * different entry at the same key is refused (LEDGER_CONFLICT).
 */
export async function writeAuditEntry(store: ObjectStore, entry: AuditEntry): Promise<string> {
  const key = auditKeyOf(entry);
  await appendToChain(store, entry.model, key, entry, { isSame: (stored, record) => withoutFields(stored, WRITE_TIME_FIELDS) === withoutFields(record, WRITE_TIME_FIELDS) });
  return key;
}

/**
 * The entry already in the ledger at this draft's key (without its chain stamp), when it is this
 * draft's: equal but for the fields named (an outcome decided after the draft was built, a time taken
 * again on a retry) and those set at write time. A retried step that wrote it once uses it instead of
 * deciding again. undefined: none, or another's (its activities' figures differ).
 */
export async function concludedEntryOf(store: ObjectStore, draft: AuditEntry, decidedLater: (keyof AuditEntry)[]): Promise<AuditEntry | undefined> {
  const stored = await getJson<AuditEntry & Record<string, unknown>>(store, auditKeyOf(draft));
  if (!stored) return undefined;
  const ignored = [...WRITE_TIME_FIELDS, 'chain', ...decidedLater];
  return withoutFields(stored.value, ignored) === withoutFields(draft, ignored) ? (unstamped(stored.value) as unknown as AuditEntry) : undefined;
}

/**
 * An operator action joins the model's chain. The request ID (workflow and activity) is the token:
 * a retried activity re-runs the promotion, so its time and outcome may differ; the first record stands.
 */
export async function writeOperatorAction(store: ObjectStore, action: OperatorAction, requestId: string): Promise<string> {
  const key = operatorActionKey(action.model, requestId);
  const volatile = ['at', 'outcome'];
  await appendToChain(store, action.model, key, action, { isSame: (stored, record) => withoutFields(stored, volatile) === withoutFields(record, volatile) });
  return key;
}

/** A correction: a new record pointing at the one it corrects (by key and sha256); nothing is edited in place. */
export interface Correction {
  model: string;
  corrects: string;
  correctsSha256: string;
  by: string;
  reason: string;
  /** The corrected values, by field path of the corrected record (e.g. "status"). */
  changes: Record<string, unknown>;
  at: string;
}

export async function writeCorrection(store: ObjectStore, correction: Omit<Correction, 'correctsSha256'>, requestId: string): Promise<string> {
  const target = await store.get(correction.corrects);
  if (!target) throw new WarmstartError('LEDGER_CONFLICT', `cannot correct ${correction.corrects}: no such ledger record; name an existing record`, correction.corrects);
  const key = correctionKey(correction.model, requestId);
  await appendToChain(store, correction.model, key, { ...correction, correctsSha256: sha256Hex(target.body) }, { isSame: (stored, record) => withoutFields(stored, ['at', 'correctsSha256']) === withoutFields(record, ['at', 'correctsSha256']) });
  return key;
}

export async function listCorrections(store: ObjectStore, model: string): Promise<Correction[]> {
  const corrections: Correction[] = [];
  for (const key of (await store.list(correctionsPrefix(model))).filter((k) => k.endsWith('.json'))) {
    const found = await getJson<Correction>(store, key);
    if (found) corrections.push(found.value);
  }
  return corrections.sort((a, b) => a.at.localeCompare(b.at));
}

export async function listAuditEntries(store: ObjectStore, model: string): Promise<AuditEntry[]> {
  // audit/<model>/<dataset>/v<N>.json only: never another model's entries below this prefix.
  const keys = keysAtDepth(await store.list(auditPrefix(model)), auditPrefix(model), 2).filter((key) => key.endsWith('.json'));
  const entries: AuditEntry[] = [];
  for (const key of keys) {
    const found = await getJson<AuditEntry>(store, key);
    if (found) entries.push(found.value);
  }
  return entries.sort((a, b) => a.dataset.localeCompare(b.dataset) || a.datasetVersion - b.datasetVersion || a.finishedAt.localeCompare(b.finishedAt));
}

