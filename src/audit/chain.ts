import { sha256Hex } from '../storage/sha256.js';
import { WarmstartError, isWarmstartError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import { chainHeadHintKey, chainLinkKey, chainPrefix } from '../storage/keys.js';

/**
 * The append-only, tamper-evident ledger of one model: a hash chain.
 *
 * Every record (refresh entry, operator action, correction) is written create-only at its own key
 * with a `chain` stamp: its sequence number and the sha256 of the stored bytes of the model's
 * previous record. The order lives in an index of links, `audit-chain/<model>/<seq>.json`, each
 * naming a record's key and sha256. A link is created create-only (If-None-Match: *), so two
 * writers racing for the same sequence number cannot both win: the loser restamps its record
 * (which nothing refers to yet) at the new tail and tries the next number.
 *
 * Rewriting a record changes its sha256 (its link no longer matches); rewriting the link too breaks
 * the next record's `previous`; deleting a record leaves its link dangling; deleting a link leaves a
 * gap. Only the newest record and its link could be replaced together unnoticed: anchor the head
 * sha256 (`audit verify` prints it) somewhere else to close that too.
 */
export interface ChainStamp {
  seq: number;
  /** sha256 (hex) of the stored bytes of the model's previous record; null for the first. */
  previous: string | null;
  previousKey: string | null;
}

export interface ChainLink {
  seq: number;
  key: string;
  sha256: string;
}

export type Chained<T> = T & { chain: ChainStamp };



/** The exact bytes a record is stored as; its sha256 is over these. */
export function encodeRecord(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

const decoder = new TextDecoder();

async function readLink(store: ObjectStore, key: string): Promise<ChainLink | undefined> {
  const object = await store.get(key);
  return object ? (JSON.parse(decoder.decode(object.body)) as ChainLink) : undefined;
}

/** The newest link of the model's chain, or null when the chain is empty. */
export async function chainTail(store: ObjectStore, model: string): Promise<ChainLink | null> {
  // The head hint names a link at or behind the tail (a slow writer may leave an older one): walk
  // forward from it to the first missing number. Cost: a read or two, whatever the chain's length.
  const hint = await store.get(chainHeadHintKey(model));
  let link = hint ? await readLink(store, chainLinkKey(model, (JSON.parse(decoder.decode(hint.body)) as { seq: number }).seq)) : undefined;
  if (link) {
    for (let next = await readLink(store, chainLinkKey(model, link.seq + 1)); next; next = await readLink(store, chainLinkKey(model, link.seq + 1))) link = next;
    return link;
  }
  // No hint (a ledger written before it) or one that names no link: the listing is the truth.
  const keys = (await store.list(chainPrefix(model))).filter((key) => key.endsWith('.json'));
  const last = keys.at(-1);
  return last ? ((await readLink(store, last)) ?? null) : null;
}

/** Strips the stamp: what the writer asked to record. */
export function unstamped(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([name]) => name !== 'chain'));
}

export interface AppendOptions<T> {
  /** Whether a record already at the key is this writer's own (a retry), by default equal JSON. */
  isSame?: (stored: Record<string, unknown>, record: T) => boolean;
  maxTries?: number;
}

const sameJson = (stored: Record<string, unknown>, record: unknown) => JSON.stringify(stored) === JSON.stringify(record);

const isLost = (error: unknown) => isWarmstartError(error, 'STORE_PRECONDITION_FAILED');

/**
 * Appends `record` at `key` to the model's chain. Idempotent: a retry finds its own record (same
 * content) and finishes whatever the earlier attempt left undone; a different record at the key is
 * a LEDGER_CONFLICT, since nothing in the ledger is edited in place (record a correction instead).
 */
export async function appendToChain<T extends object>(store: ObjectStore, model: string, key: string, record: T, options: AppendOptions<T> = {}): Promise<ChainLink> {
  const isSame = options.isSame ?? sameJson;
  for (let attempt = 0; attempt < (options.maxTries ?? 50); attempt++) {
    const existing = await store.get(key);
    if (!existing) {
      const tail = await chainTail(store, model);
      const body = encodeRecord(stamp(record, tail));
      try {
        await store.put(key, body, { ifNoneMatch: '*', contentType: 'application/json' });
      } catch (error) {
        if (isLost(error)) continue; // someone (perhaps a concurrent attempt of ours) wrote it: look again
        throw error;
      }
      const linked = await tryLink(store, model, { seq: (tail?.seq ?? 0) + 1, key, sha256: sha256Hex(body) });
      if (linked) return linked;
      continue; // the sequence number went to another writer: the next pass restamps this record
    }
    const stored = JSON.parse(decoder.decode(existing.body)) as Record<string, unknown>;
    if (!isSame(unstamped(stored), record)) {
      throw new WarmstartError('LEDGER_CONFLICT', `ledger record ${key} already exists with other content; the ledger is append-only: record a correction that points at it instead`, key);
    }
    const sha256 = sha256Hex(existing.body);
    const claimed = stored.chain as ChainStamp | undefined;
    if (claimed) {
      const link = await readLink(store, chainLinkKey(model, claimed.seq));
      if (link?.key === key && link.sha256 === sha256) return link; // done earlier
      if (!link) {
        // An earlier attempt stopped between writing the record and linking it: link it where it claims, if that is still the tail.
        const tail = await chainTail(store, model);
        if ((tail?.seq ?? 0) === claimed.seq - 1 && (tail?.sha256 ?? null) === claimed.previous) {
          const linked = await tryLink(store, model, { seq: claimed.seq, key, sha256 });
          if (linked) return linked;
          continue;
        }
      }
    }
    // Not in the chain (its number went to another writer, or it predates the chain): nothing refers
    // to it yet, so it may be restamped at the current tail, guarded by its ETag.
    const tail = await chainTail(store, model);
    const body = encodeRecord(stamp(unstamped(stored), tail));
    try {
      await store.put(key, body, { ifMatch: existing.etag, contentType: 'application/json' });
    } catch (error) {
      if (isLost(error)) continue;
      throw error;
    }
    const linked = await tryLink(store, model, { seq: (tail?.seq ?? 0) + 1, key, sha256: sha256Hex(body) });
    if (linked) return linked;
  }
  throw new WarmstartError('LEDGER_CONFLICT', `could not append ${key} to the ledger of ${model}: too many concurrent writers; retry`, key);
}

function stamp<T extends object>(record: T, tail: ChainLink | null): Chained<T> {
  return { ...record, chain: { seq: (tail?.seq ?? 0) + 1, previous: tail?.sha256 ?? null, previousKey: tail?.key ?? null } };
}

/** Creates the link create-only; null when that sequence number is taken by another record. */
async function tryLink(store: ObjectStore, model: string, link: ChainLink): Promise<ChainLink | null> {
  const linkKey = chainLinkKey(model, link.seq);
  try {
    await store.put(linkKey, encodeRecord(link), { ifNoneMatch: '*', contentType: 'application/json' });
    // Unconditional: a hint behind the tail only costs the next writer a step forward.
    await store.put(chainHeadHintKey(model), encodeRecord({ seq: link.seq }), { contentType: 'application/json' });
    return link;
  } catch (error) {
    if (!isLost(error)) throw error;
    // A concurrent attempt of the same writer may have created the very same link.
    const current = await readLink(store, linkKey);
    return current?.key === link.key && current.sha256 === link.sha256 ? current : null;
  }
}
