import { WarmstartError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import { checkColumns, dataColumns, decodeGroup } from './decode.js';
import type { Manifest } from './manifest.js';
import { openRangedParquetShard } from './ranged-shard.js';
import { fetchVerifiedShard } from './shard-fetch.js';
import { readGroupChecked } from './shard-reader.js';
import { SPLITS } from './split.js';
import type { VerifiedShard, VerifiedVersion } from './verified.js';

/** Rows per split of a version, and how many rows (all splits, and training) its own shards add. */
export interface VersionSummary {
  train: number;
  validation: number;
  test: number;
  newRows: number;
  newTrain: number;
}

export interface ValidateOptions {
  signal?: AbortSignal;
  onProgress?: (rows: number) => void;
  /** Parquet shards larger than this are hashed and read by range instead of held whole. Default 64 MiB. */
  rangedReadAbove?: number;
}

/**
 * Reads every shard of a version once, in manifest order and bounded memory (one shard, or one row
 * group of a large one), verifying size and sha256 and decoding every row of every split (labels,
 * features, weights, split values): a bad row anywhere fails here, with the shard, column and row
 * named, before any training. Returns what later steps need to read the shards again without
 * hashing them: each shard's verified ETag and its row groups' rows per split.
 */
export async function validateVersion(store: ObjectStore, manifest: Manifest, options: ValidateOptions = {}): Promise<{ summary: VersionSummary; verified: VerifiedVersion }> {
  const summary: VersionSummary = { train: 0, validation: 0, test: 0, newRows: 0, newTrain: 0 };
  const columns = dataColumns(manifest);
  const shards: VerifiedShard[] = [];
  let rows = 0;
  for (const entry of manifest.shards) {
    options.signal?.throwIfAborted();
    const ranged = entry.format === 'parquet' && entry.bytes > (options.rangedReadAbove ?? 64 * 1024 * 1024) && store.getRange && store.head;
    const file = ranged ? await openRangedParquetShard(store, manifest, entry, options.signal) : await fetchVerifiedShard(store, manifest, entry, options.signal);
    if (file.rows !== entry.rows) throw new WarmstartError('DATASET_INVALID', `shard ${entry.key} has ${file.rows} rows, manifest says ${entry.rows}; republish the version`, entry.key);
    checkColumns(manifest, file.columns, entry.key);
    const isNew = entry.addedInVersion === manifest.version;
    const groups: VerifiedShard['groups'] = [];
    for (let g = 0; g < file.groupCount; g++) {
      options.signal?.throwIfAborted();
      const decoded = decodeGroup(manifest, await readGroupChecked(file, g, columns, entry.key), { key: entry.key, firstId: entry.firstId, splits: SPLITS });
      const counts: [number, number, number] = [0, 0, 0];
      for (let i = 0; i < decoded.count; i++) counts[decoded.splits[i]!]!++;
      groups.push(counts);
      summary.train += counts[0];
      summary.validation += counts[1];
      summary.test += counts[2];
      if (isNew) {
        summary.newRows += decoded.count;
        summary.newTrain += counts[0];
      }
      rows += decoded.count;
      options.onProgress?.(rows);
    }
    shards.push({ key: entry.key, etag: file.etag, sha256: entry.sha256, groups });
  }
  return { summary, verified: { dataset: manifest.dataset, version: manifest.version, shards } };
}

/** The row counts of validateVersion (same single verified pass). */
export async function summarizeVersion(store: ObjectStore, manifest: Manifest, options: ValidateOptions = {}): Promise<VersionSummary> {
  return (await validateVersion(store, manifest, options)).summary;
}
