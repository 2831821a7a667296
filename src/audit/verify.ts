import type { ObjectStore } from '../storage/object-store.js';
import { sha256Hex } from '../storage/sha256.js';
import { type ChainLink, type ChainStamp } from './chain.js';
import { chainedPrefixes, chainLinkKey, chainPrefix } from '../storage/keys.js';

export type ChainVerdict =
  | { ok: true; model: string; records: number; head: string | null }
  /** `key`: the record (or link) at fault; `problem`: one line saying what is wrong with it. */
  | { ok: false; model: string; records: number; key: string; problem: string };

const decoder = new TextDecoder();

/**
 * Recomputes the model's hash chain from the stored bytes and reports the first broken link:
 * a missing or rewritten record, a missing link, a record whose `previous` is not its
 * predecessor's sha256, or a record under the ledger's prefixes that is in no link.
 */
export async function verifyChain(store: ObjectStore, model: string): Promise<ChainVerdict> {
  const linkKeys = (await store.list(chainPrefix(model))).filter((key) => key.endsWith('.json'));
  const linked = new Set<string>();
  let previous: ChainLink | null = null;
  const broken = (key: string, problem: string): ChainVerdict => ({ ok: false, model, records: linked.size, key, problem });
  for (const [index, linkKey] of linkKeys.entries()) {
    const seq = index + 1;
    if (linkKey !== chainLinkKey(model, seq)) return broken(chainLinkKey(model, seq), `link ${seq} of the chain is missing (the next one found is ${linkKey}): a record was removed from the ledger`);
    const linkObject = await store.get(linkKey);
    if (!linkObject) return broken(linkKey, `link ${seq} vanished while verifying; run verify again`);
    const link = JSON.parse(decoder.decode(linkObject.body)) as ChainLink;
    const record = await store.get(link.key);
    if (!record) return broken(link.key, `record ${link.key} (link ${seq}) is missing: deleted from the ledger`);
    const sha256 = sha256Hex(record.body);
    if (sha256 !== link.sha256) return broken(link.key, `record ${link.key} (link ${seq}) was rewritten: its sha256 is ${sha256.slice(0, 16)}..., the chain recorded ${link.sha256.slice(0, 16)}...`);
    let stamp: ChainStamp | undefined;
    try {
      stamp = (JSON.parse(decoder.decode(record.body)) as { chain?: ChainStamp }).chain;
    } catch {
      return broken(link.key, `record ${link.key} (link ${seq}) is not JSON`);
    }
    if (!stamp || stamp.seq !== seq) return broken(link.key, `record ${link.key} (link ${seq}) carries chain position ${stamp?.seq ?? 'none'}`);
    if (stamp.previous !== (previous?.sha256 ?? null)) {
      const before = previous ? `${previous.key} (link ${previous.seq})` : 'nothing';
      return broken(previous?.key ?? link.key, `record ${before} does not match what ${link.key} (link ${seq}) recorded as its predecessor's sha256: rewritten`);
    }
    linked.add(link.key);
    previous = link;
  }
  for (const prefix of chainedPrefixes(model)) {
    for (const key of await store.list(prefix)) {
      if (key.endsWith('.json') && !linked.has(key)) return broken(key, `record ${key} is in no link of the chain: written outside the ledger, or its append never finished`);
    }
  }
  return { ok: true, model, records: linked.size, head: previous?.sha256 ?? null };
}
