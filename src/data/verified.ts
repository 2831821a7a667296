import { getJson, putJson } from '../storage/json.js';
import type { ObjectStore } from '../storage/object-store.js';
import { verifiedShardsKey } from '../storage/keys.js';
import type { Manifest } from './manifest.js';

/**
 * What context validation learnt about each shard of a version: the ETag of the object whose bytes
 * matched the manifest's sha256, and its row groups with their rows per split. Later steps read each
 * shard pinned to that ETag (If-Match) instead of hashing it again, list its row groups without
 * opening it, and skip groups without a row of the split they want. It sits beside the manifest: a
 * version's shards have the same identity for every model that refreshes on it.
 */
export interface VerifiedShard {
  key: string;
  etag: string;
  sha256: string;
  /** Per row group (Parquet) or record batch (Arrow): rows of [train, validation, test]. */
  groups: [number, number, number][];
}

export interface VerifiedVersion {
  dataset: string;
  version: number;
  shards: VerifiedShard[];
}

export async function writeVerified(store: ObjectStore, record: VerifiedVersion, signal?: AbortSignal): Promise<void> {
  await putJson(store, verifiedShardsKey(record.dataset, record.version), record, { signal });
}

/** The record, when it exists and still describes exactly the manifest's shards; else undefined (read and hash again). */
export async function readVerified(store: ObjectStore, manifest: Manifest): Promise<VerifiedVersion | undefined> {
  const found = await getJson<VerifiedVersion>(store, verifiedShardsKey(manifest.dataset, manifest.version));
  const record = found?.value;
  if (!record || record.dataset !== manifest.dataset || record.version !== manifest.version || record.shards.length !== manifest.shards.length) return undefined;
  const matches = manifest.shards.every((shard, i) => {
    const seen = record.shards[i]!;
    return seen.key === shard.key && seen.sha256 === shard.sha256 && typeof seen.etag === 'string' && seen.etag !== '' && seen.groups.reduce((n, g) => n + g[0] + g[1] + g[2], 0) === shard.rows;
  });
  return matches ? record : undefined;
}
