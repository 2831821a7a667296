import { createHash } from 'node:crypto';
import { WarmstartError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import { auditKeyOf, listCorrections, writeCorrection, type AuditEntry, type Correction } from './ledger.js';
import { auditPrefix } from '../storage/keys.js';

/** Fields a correction may not touch: the record's identity and its place in the chain. */
const FIXED = ['chain', 'model', 'workflowId'];

function hasPath(value: unknown, path: string[]): boolean {
  let node = value;
  for (const part of path) {
    if (typeof node !== 'object' || node === null || !(part in node)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return true;
}

function setPath(value: Record<string, unknown>, path: string[], to: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  return { ...value, [head!]: rest.length === 0 ? to : setPath(value[head!] as Record<string, unknown>, rest, to) };
}

/** Checks a correction's changes against the record it corrects: existing fields only, never its identity. */
export function checkChanges(record: unknown, changes: Record<string, unknown>): void {
  for (const field of Object.keys(changes)) {
    const path = field.split('.');
    if (FIXED.includes(path[0]!)) throw new WarmstartError('LEDGER_CONFLICT', `a correction cannot change ${field}: it is the record's identity; correct another field`, field);
    if (!hasPath(record, path)) throw new WarmstartError('LEDGER_CONFLICT', `the record has no field ${field}; name an existing field (e.g. status, dataset, decision.mode)`, field);
  }
}

/** Entries as corrected: each correction's changes applied in chain order, with a note of who and why. */
export function applyCorrections(entries: AuditEntry[], corrections: (Correction & { key?: string })[]): (AuditEntry & { correctedBy?: { by: string; reason: string; at: string }[] })[] {
  return entries.map((entry) => {
    const key = auditKeyOf(entry);
    const mine = corrections.filter((c) => c.corrects === key).sort((a, b) => ((a as { chain?: { seq: number } }).chain?.seq ?? 0) - ((b as { chain?: { seq: number } }).chain?.seq ?? 0));
    if (mine.length === 0) return entry;
    let corrected = entry as unknown as Record<string, unknown>;
    for (const correction of mine) for (const [field, value] of Object.entries(correction.changes)) corrected = setPath(corrected, field.split('.'), value);
    return { ...(corrected as unknown as AuditEntry), correctedBy: mine.map((c) => ({ by: c.by, reason: c.reason, at: c.at })) };
  });
}

/** `field=value` arguments: a value that parses as JSON is taken as JSON (numbers, null), else as text. */
export function parseChanges(args: string[]): Record<string, unknown> {
  if (args.length === 0) throw new WarmstartError('CONFIG_INVALID', 'a correction needs at least one field=value (e.g. status=rejected)', 'changes');
  return Object.fromEntries(
    args.map((arg) => {
      const at = arg.indexOf('=');
      if (at <= 0) throw new WarmstartError('CONFIG_INVALID', `"${arg}" is not field=value; write e.g. dataset=digits-2`, arg);
      const text = arg.slice(at + 1);
      let value: unknown = text;
      try {
        value = JSON.parse(text);
      } catch {
        // plain text
      }
      return [arg.slice(0, at), value];
    }),
  );
}

/** Appends a correction of `record` (a ledger key); the same correction asked for twice is recorded once. */
export async function correctRecord(store: ObjectStore, model: string, record: string, changes: Record<string, unknown>, who: { by: string; reason: string; at?: string }): Promise<string> {
  if (!record.startsWith(auditPrefix(model))) throw new WarmstartError('CONFIG_INVALID', `${record} is not a refresh entry of ${model}; name a key under audit/${model}/ (warmstart audit --json lists them)`, record);
  const target = await store.get(record);
  if (!target) throw new WarmstartError('LEDGER_CONFLICT', `cannot correct ${record}: no such ledger record; name an existing record`, record);
  checkChanges(JSON.parse(new TextDecoder().decode(target.body)), changes);
  const requestId = createHash('sha256').update(JSON.stringify({ record, changes, by: who.by, reason: who.reason })).digest('hex').slice(0, 24);
  return writeCorrection(store, { model, corrects: record, by: who.by, reason: who.reason, changes, at: who.at ?? new Date().toISOString() }, requestId);
}

export { listCorrections };
