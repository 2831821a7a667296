import { createHash } from 'node:crypto';
import { WarmstartError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { Manifest, ShardEntry } from './manifest.js';
import { openShard, type ShardFile } from './shard-reader.js';

/**
 * Downloads a shard and checks its size and sha256 against the manifest before anything is decoded,
 * so no row of a changed shard ever reaches training. The ETag of the bytes verified comes with it.
 */
export async function fetchVerifiedShard(store: ObjectStore, manifest: Pick<Manifest, 'dataset' | 'version'>, shard: ShardEntry, signal?: AbortSignal): Promise<ShardFile & { etag: string }> {
  const object = await store.get(shard.key, { signal });
  if (!object) {
    throw new WarmstartError('DATASET_INVALID', `shard ${shard.key} listed in ${manifest.dataset} v${manifest.version} is missing from the store; republish the version`, shard.key);
  }
  if (object.body.byteLength !== shard.bytes) {
    throw new WarmstartError('DATASET_INVALID', `shard ${shard.key} has ${object.body.byteLength} bytes, manifest says ${shard.bytes}; the shard was changed or truncated, republish the version`, shard.key);
  }
  const digest = createHash('sha256').update(object.body).digest('hex');
  if (digest !== shard.sha256) {
    throw new WarmstartError('DATASET_INVALID', `shard ${shard.key} sha256 ${digest.slice(0, 12)}... does not match the manifest's ${shard.sha256.slice(0, 12)}...; republish the version`, shard.key);
  }
  return Object.assign(await openShard(object.body, shard.format, shard.key), { etag: object.etag });
}
