import { createHash } from 'node:crypto';
import { parquetMetadataAsync, type AsyncBuffer } from 'hyparquet';
import { WarmstartError, isWarmstartError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { Manifest, ShardEntry } from './manifest.js';
import { parquetShardFile } from './parquet-shard.js';
import { unreadableParquet } from './read-errors.js';
import type { ShardFile } from './shard-reader.js';

const HASH_CHUNK = 8 * 1024 * 1024;

/**
 * Opens a large Parquet shard without holding it: pass 1 hashes it in 8 MiB ranges and checks size and
 * sha256 against the manifest; pass 2 reads the footer and then each row group's column chunks by range,
 * every range pinned to the ETag seen first (If-Match), so the bytes decoded are the bytes verified.
 * Memory: one hash chunk, then one row group. Cost: the shard crosses the network twice.
 */
export async function openRangedParquetShard(store: ObjectStore, manifest: Pick<Manifest, 'dataset' | 'version'>, shard: ShardEntry, signal?: AbortSignal): Promise<ShardFile & { etag: string }> {
  if (!store.head || !store.getRange) throw new Error(`store ${store.uri} cannot read ranges`);
  const getRange = store.getRange.bind(store);
  const info = await store.head(shard.key, { signal });
  if (!info) {
    throw new WarmstartError('DATASET_INVALID', `shard ${shard.key} listed in ${manifest.dataset} v${manifest.version} is missing from the store; republish the version`, shard.key);
  }
  if (info.bytes !== shard.bytes) {
    throw new WarmstartError('DATASET_INVALID', `shard ${shard.key} has ${info.bytes} bytes, manifest says ${shard.bytes}; the shard was changed or truncated, republish the version`, shard.key);
  }
  const read = async (start: number, end: number): Promise<Uint8Array> => {
    try {
      return await getRange(shard.key, start, end, { signal, ifMatch: info.etag });
    } catch (error) {
      if (isWarmstartError(error, 'STORE_PRECONDITION_FAILED')) {
        throw new WarmstartError('DATASET_INVALID', `shard ${shard.key} changed while it was being read; shards must not be rewritten, republish the version`, shard.key, { cause: error });
      }
      throw error;
    }
  };
  const hash = createHash('sha256');
  for (let offset = 0; offset < info.bytes; offset += HASH_CHUNK) hash.update(await read(offset, Math.min(info.bytes, offset + HASH_CHUNK)));
  const digest = hash.digest('hex');
  if (digest !== shard.sha256) {
    throw new WarmstartError('DATASET_INVALID', `shard ${shard.key} sha256 ${digest.slice(0, 12)}... does not match the manifest's ${shard.sha256.slice(0, 12)}...; republish the version`, shard.key);
  }
  const file: AsyncBuffer = {
    byteLength: info.bytes,
    slice: async (start, end) => {
      const bytes = await read(start, end ?? info.bytes);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
  try {
    return Object.assign(parquetShardFile(file, await parquetMetadataAsync(file)), { etag: info.etag });
  } catch (error) {
    if (error instanceof WarmstartError) throw error;
    throw unreadableParquet(shard.key, error);
  }
}
