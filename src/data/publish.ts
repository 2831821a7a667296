import { createHash, randomBytes } from 'node:crypto';
import { WarmstartError, isWarmstartError } from '../errors.js';
import { checkName } from '../names.js';
import type { ObjectStore } from '../storage/object-store.js';
import { CreateFailed, createOnce } from '../storage/create-once.js';
import { MANIFEST_FORMAT, manifestProblem, type Manifest, type ShardEntry } from './manifest.js';
import { writeParquetShard, type ShardWriteRow } from './parquet-write.js';
import { validateVersion } from './summary.js';
import { loadManifest, versionsIn } from './versions.js';
import { datasetPrefix, manifestKey, rejectionKey, shardKey } from '../storage/keys.js';

/** What every shard of a version shares: the manifest less its identity and shard list. */
export type VersionSchema = Pick<Manifest, 'idColumn' | 'features' | 'label' | 'weightColumn' | 'classes' | 'split'>;

export interface NewShard {
  /** The shard's bytes, or a loader, so that only one shard at a time needs to be in memory. */
  body: Uint8Array | (() => Promise<Uint8Array>);
  /** Byte size, for progress. */
  size: number;
  format: 'parquet' | 'arrow';
  rows: number;
  /** sha256 when the bytes were validated earlier: a loaded body must still match it. */
  sha256?: string;
}

export interface PublishResult {
  dataset: string;
  version: number;
  parentVersion: number | null;
  manifestKey: string;
  newShards: number;
  inheritedShards: number;
  /** Rows this version adds. */
  rows: number;
  classes: string[];
}

/**
 * The next version number and the newest valid version to build on. Skipped: a version whose manifest
 * does not parse, one that lists a shard the store does not hold (a broken upload, a deleted object),
 * one whose shards do not validate (size, sha256, rows: one read of the parent's shards), and one a
 * refresh rejected as bad data (its rejection marker), so a broken version is never inherited by
 * the versions after it.
 */
export async function nextVersion(store: ObjectStore, dataset: string, signal?: AbortSignal): Promise<{ version: number; parent: Manifest | undefined }> {
  checkName('dataset', dataset);
  const keys = new Set(await store.list(datasetPrefix(dataset), { signal }));
  const versions = versionsIn(keys);
  const next = (versions.at(-1) ?? 0) + 1;
  for (const version of [...versions].reverse()) {
    if (keys.has(rejectionKey(dataset, version))) continue;
    let manifest: Manifest;
    try {
      manifest = await loadManifest(store, dataset, version);
    } catch (error) {
      if (isWarmstartError(error, 'DATASET_INVALID')) continue;
      throw error;
    }
    if (!manifest.shards.every((shard) => keys.has(shard.key))) continue;
    // A parent whose shards fail validation (size, sha256, rows) would hand them down to this version.
    try {
      await validateVersion(store, manifest, { signal });
    } catch (error) {
      if (isWarmstartError(error, 'DATASET_INVALID')) continue;
      throw error;
    }
    return { version: next, parent: manifest };
  }
  return { version: next, parent: undefined };
}

export interface CommitRequest {
  dataset: string;
  version: number;
  parent: Manifest | undefined;
  schema: VersionSchema;
  shards: readonly NewShard[];
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  signal?: AbortSignal;
}

/**
 * Uploads the new shards (create-only, under keys with a random token so racing publishers never
 * share a key), then the manifest (create-only: the commit point). Every write recognises its own
 * earlier success when its reply was lost (createOnce): a retry's 412 on our own bytes is a success,
 * never "someone else won". If anything fails before the manifest lands, the shards this call
 * uploaded are removed: a failed publish leaves nothing behind. When the manifest's fate cannot be
 * learned (the store stopped answering), the shards are kept: a committed version is never broken.
 */
export async function commitVersion(store: ObjectStore, request: CommitRequest): Promise<PublishResult> {
  const { dataset, version, parent, signal } = request;
  checkName('dataset', dataset);
  const token = randomBytes(4).toString('hex');
  const total = request.shards.reduce((n, s) => n + s.size, 0);
  let firstId = (parent?.shards ?? []).reduce((max, s) => Math.max(max, s.firstId + s.rows), 0);
  const written: string[] = [];
  const entries: ShardEntry[] = [];
  const key = manifestKey(dataset, version);
  const shardKeyOf = (index: number, format: string) => shardKey(dataset, version, index, token, format);
  const manifestOf = (shards: ShardEntry[]): Manifest => ({
    format: MANIFEST_FORMAT,
    dataset,
    version,
    parentVersion: parent?.version ?? null,
    createdAt: new Date().toISOString(),
    ...request.schema,
    shards: [...(parent?.shards ?? []), ...shards],
  });
  // Checked against its own schema before anything is uploaded (a draft with placeholder checksums),
  // and again before it is written: a version that validate would refuse is never published.
  requireReadable(
    manifestOf(request.shards.map((shard, index) => ({ key: shardKeyOf(index, shard.format), format: shard.format, rows: shard.rows, bytes: shard.size, sha256: '0'.repeat(64), addedInVersion: version, firstId }))),
  );
  let done = 0;
  let manifestSent = false;
  try {
    for (const [index, shard] of request.shards.entries()) {
      const shardKey = shardKeyOf(index, shard.format);
      const bytes = typeof shard.body === 'function' ? await shard.body() : shard.body;
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (shard.sha256 !== undefined && sha256 !== shard.sha256) {
        throw new WarmstartError('DATASET_INVALID', `shard ${index} of ${dataset} v${version} changed between validation and upload; leave the files alone while publishing, then publish again`, shardKey);
      }
      // Listed before the write: a write whose reply is lost may still have landed, and must be cleaned up.
      written.push(shardKey);
      await createOnce(store, shardKey, bytes, { contentType: shard.format === 'parquet' ? 'application/vnd.apache.parquet' : 'application/vnd.apache.arrow.file', signal });
      entries.push({ key: shardKey, format: shard.format, rows: shard.rows, bytes: bytes.byteLength, sha256, addedInVersion: version, firstId });
      firstId += shard.rows;
      done += bytes.byteLength;
      request.onProgress?.(done, total);
    }
    const manifest = requireReadable(manifestOf(entries));
    signal?.throwIfAborted();
    manifestSent = true;
    await createOnce(store, key, `${JSON.stringify(manifest, null, 2)}\n`, { contentType: 'application/json', signal });
  } catch (thrown) {
    const failure = thrown instanceof CreateFailed ? thrown : undefined;
    const error = failure?.error ?? thrown;
    if (manifestSent && failure?.landed === 'unknown') {
      throw new WarmstartError(
        isWarmstartError(error) ? error.code : 'STORE_ERROR',
        `${error instanceof Error ? error.message : String(error)}; whether ${dataset} v${version} was committed is unknown, so its shards were kept: run \`warmstart validate --dataset ${dataset} --version ${version}\``,
        key,
        { cause: error },
      );
    }
    const leftover = await removeAll(store, written);
    const left = leftover.length > 0 ? `; could not remove ${leftover.length} uploaded shard(s) (${leftover.join(', ')}): delete them by hand` : '';
    if (manifestSent && failure?.landed === 'theirs') {
      throw new WarmstartError('VERSION_EXISTS', `${dataset} v${version} was published by someone else meanwhile; publish again to create v${version + 1}${left}`, dataset, { cause: error });
    }
    if (left && isWarmstartError(error)) throw new WarmstartError(error.code, `${error.message}${left}`, error.subject, { cause: error });
    throw error;
  }
  return {
    dataset,
    version,
    parentVersion: parent?.version ?? null,
    manifestKey: key,
    newShards: entries.length,
    inheritedShards: parent?.shards.length ?? 0,
    rows: request.shards.reduce((n, s) => n + s.rows, 0),
    classes: request.schema.classes,
  };
}

/** Publishing rows held in memory (the MNIST import): uint8 features in a binary column, integer labels. */
export interface PublishRequest {
  dataset: string;
  rows: readonly ShardWriteRow[];
  columns: { id: string; label: string; features: string };
  features: { encoding: 'uint8-binary'; shape: number[]; scale: number };
  /** Class names in index order; rows carry the class index as label. */
  classes: string[];
  split: Manifest['split'];
  rowsPerShard?: number;
  /** Rows per Parquet row group (the unit streaming reads; default 2048). */
  rowGroupSize?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

/** Publishes the next version of a dataset from rows in memory. */
export async function publishVersion(store: ObjectStore, request: PublishRequest): Promise<PublishResult> {
  checkName('dataset', request.dataset);
  if (request.rows.length === 0) throw new WarmstartError('DATASET_INVALID', `nothing to publish for ${request.dataset}: no rows`, request.dataset);
  const { version, parent } = await nextVersion(store, request.dataset, request.signal);
  // A changed class list or shape is allowed here; the refresh policy sees it and retrains from scratch.
  const rowsPerShard = request.rowsPerShard ?? 5000;
  const shards: NewShard[] = [];
  for (let start = 0; start < request.rows.length; start += rowsPerShard) {
    const rows = request.rows.slice(start, start + rowsPerShard);
    const body = writeParquetShard(rows, request.columns, request.rowGroupSize);
    shards.push({ body, size: body.byteLength, format: 'parquet', rows: rows.length });
  }
  const schema: VersionSchema = {
    idColumn: request.columns.id,
    features: { kind: 'binary', column: request.columns.features, dtype: 'uint8', shape: request.features.shape, normalize: { kind: 'affine', scale: request.features.scale, offset: 0 } },
    label: { column: request.columns.label, dtype: 'integer' },
    weightColumn: null,
    // The list only grows: inherited shards' labels index the parent's list, so rows using a prefix of it keep it whole.
    classes: parent && request.classes.length < parent.classes.length && request.classes.every((c, i) => parent.classes[i] === c) ? parent.classes : request.classes,
    split: request.split,
  };
  let rowsDone = 0;
  return commitVersion(store, {
    dataset: request.dataset,
    version,
    parent,
    schema,
    shards,
    signal: request.signal,
    onProgress: () => request.onProgress?.((rowsDone = Math.min(request.rows.length, rowsDone + rowsPerShard)), request.rows.length),
  });
}

/** The manifest, if it passes its own schema; else a one-line error naming the field, before anything is written. */
function requireReadable(manifest: Manifest): Manifest {
  const problem = manifestProblem(manifest);
  if (problem) {
    throw new WarmstartError('DATASET_INVALID', `${manifest.dataset} v${manifest.version} would get a manifest that cannot be read (${problem}); fix the input or options behind that field and publish again`, manifest.dataset);
  }
  return manifest;
}

/** Deletes keys, not under any caller's signal (cleanup must run after an abort); returns those that failed. */
async function removeAll(store: ObjectStore, keys: readonly string[]): Promise<string[]> {
  const results = await Promise.allSettled(keys.map((key) => store.delete(key)));
  return keys.filter((_, index) => results[index]!.status === 'rejected');
}
