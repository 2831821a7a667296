import { createHash } from 'node:crypto';
import { WarmstartError, isWarmstartError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import { putJson } from '../storage/json.js';
import { MANIFEST_FORMAT, manifestKey, type Manifest, type ShardEntry } from './manifest.js';
import { writeParquetShard, type ShardWriteRow } from './parquet-shard.js';
import { listVersions, loadManifest } from './versions.js';

export interface PublishRequest {
  dataset: string;
  rows: readonly ShardWriteRow[];
  columns: Manifest['columns'];
  features: Manifest['features'];
  /** Class names in index order; rows carry the class index as label. */
  classes: string[];
  split: Manifest['split'];
  rowsPerShard?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface PublishResult {
  dataset: string;
  version: number;
  parentVersion: number | null;
  manifestKey: string;
  newShards: number;
  inheritedShards: number;
  rows: number;
}

/** The newest version whose manifest is valid: a rejected (bad) version is not built upon. */
async function latestValidManifest(store: ObjectStore, dataset: string, versions: number[]): Promise<Manifest | undefined> {
  for (const version of [...versions].reverse()) {
    try {
      return await loadManifest(store, dataset, version);
    } catch (error) {
      if (!isWarmstartError(error, 'DATASET_INVALID')) throw error;
    }
  }
  return undefined;
}

/**
 * Publishes the next version of a dataset: uploads the new shards (create-only), then the manifest
 * (create-only, the commit point). If anything fails before the manifest lands, the shards this
 * call uploaded are removed, so a failed publish leaves nothing behind.
 */
export async function publishVersion(store: ObjectStore, request: PublishRequest): Promise<PublishResult> {
  if (request.rows.length === 0) throw new WarmstartError('DATASET_INVALID', `nothing to publish for ${request.dataset}: no rows`, request.dataset);
  const versions = await listVersions(store, request.dataset);
  const version = (versions.at(-1) ?? 0) + 1;
  const parent = await latestValidManifest(store, request.dataset, versions);
  // A changed class list or shape is allowed here; the refresh policy sees it and retrains from scratch.
  const rowsPerShard = request.rowsPerShard ?? 5000;
  const written: string[] = [];
  const shards: ShardEntry[] = [];
  try {
    for (let start = 0, index = 0; start < request.rows.length; start += rowsPerShard, index++) {
      const bytes = writeParquetShard(request.rows.slice(start, start + rowsPerShard), request.columns);
      const key = `datasets/${request.dataset}/v${version}/part-${String(index).padStart(5, '0')}.parquet`;
      await store.put(key, bytes, { ifNoneMatch: '*', contentType: 'application/vnd.apache.parquet' });
      written.push(key);
      shards.push({
        key,
        format: 'parquet',
        rows: Math.min(rowsPerShard, request.rows.length - start),
        bytes: bytes.byteLength,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        addedInVersion: version,
      });
      request.onProgress?.(Math.min(start + rowsPerShard, request.rows.length), request.rows.length);
    }
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      dataset: request.dataset,
      version,
      parentVersion: parent?.version ?? null,
      createdAt: new Date().toISOString(),
      columns: request.columns,
      features: request.features,
      classes: request.classes,
      labelEncoding: 'index',
      split: request.split,
      shards: [...(parent?.shards ?? []), ...shards],
    };
    await putJson(store, manifestKey(request.dataset, version), manifest, { ifNoneMatch: '*' });
  } catch (error) {
    await Promise.allSettled(written.map((key) => store.delete(key)));
    if (isWarmstartError(error, 'STORE_PRECONDITION_FAILED')) {
      throw new WarmstartError('VERSION_EXISTS', `${request.dataset} v${version} was published by someone else meanwhile; publish again to create v${version + 1}`, request.dataset, { cause: error });
    }
    throw error;
  }
  return {
    dataset: request.dataset,
    version,
    parentVersion: parent?.version ?? null,
    manifestKey: manifestKey(request.dataset, version),
    newShards: shards.length,
    inheritedShards: parent?.shards.length ?? 0,
    rows: request.rows.length,
  };
}
