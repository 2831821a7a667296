import { WarmstartError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import { checkColumns, dataColumns, decodeGroup, type DecodedRows } from './decode.js';
import { featureSize, type Manifest } from './manifest.js';
import { openRangedParquetShard } from './ranged-shard.js';
import { fetchVerifiedShard } from './shard-fetch.js';
import { readGroupChecked, type ShardFile } from './shard-reader.js';
import type { Split } from './split.js';
import { SeededRandom } from '../random.js';

export interface Batch {
  size: number;
  featureSize: number;
  /** size x featureSize, normalised as the manifest says. */
  x: Float32Array;
  y: Int32Array;
  weights: Float32Array;
  ids: Float64Array;
  /** 1 when the example's shard was added in the manifest's own version, else 0. */
  isNew: Uint8Array;
  /** Each example's split, as its index in SPLITS (0 train, 1 validation, 2 test). */
  splits: Uint8Array;
}

export interface StreamOptions {
  splits?: readonly Split[];
  batchSize?: number;
  /** Shuffle shard order, row-group order and rows across a pool of groups. Default true. */
  shuffle?: boolean;
  seed?: number;
  /** Shards held open at once when shuffling (their bytes are in memory). Default 2. */
  openShards?: number;
  /** Decoded groups rows are drawn from when shuffling. Default 4. */
  poolGroups?: number;
  /**
   * Parquet shards larger than this are read by range, one row group at a time, instead of whole
   * (when the store can read ranges). Default 64 MiB.
   */
  rangedReadAbove?: number;
  signal?: AbortSignal;
}

/** Shuffled 0..n-1 when shuffling, else the identity order. */
function permutation(n: number, random: SeededRandom | undefined): Int32Array {
  return random ? random.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
}

interface Cursor {
  shard: number;
  file: ShardFile;
  groups: Int32Array;
  next: number;
}

interface Pooled {
  rows: DecodedRows;
  order: Int32Array;
  pos: number;
  isNew: number;
}

/**
 * Streams a version's examples as batches, reading one row group at a time. Memory holds at most
 * `openShards` shard files (verified by sha256 before decoding; large Parquet shards are read by range
 * and not held) and `poolGroups` decoded groups, whatever the dataset's size.
 */
export async function* streamBatches(store: ObjectStore, manifest: Manifest, options: StreamOptions = {}): AsyncGenerator<Batch> {
  const splits = options.splits ?? ['train', 'validation', 'test'];
  const batchSize = options.batchSize ?? 256;
  const shuffle = options.shuffle ?? true;
  const random = shuffle ? new SeededRandom(options.seed ?? 1) : undefined;
  const openShards = shuffle ? Math.max(1, options.openShards ?? 2) : 1;
  const poolGroups = shuffle ? Math.max(1, options.poolGroups ?? 4) : 1;
  const size = featureSize(manifest);
  const columns = dataColumns(manifest);
  const shardOrder = permutation(manifest.shards.length, random);
  let nextShard = 0;
  const cursors: Cursor[] = [];
  const pool: Pooled[] = [];

  const refill = async (): Promise<void> => {
    while (pool.length < poolGroups) {
      while (cursors.length < openShards && nextShard < shardOrder.length) {
        const index = shardOrder[nextShard++]!;
        const entry = manifest.shards[index]!;
        const ranged = entry.format === 'parquet' && entry.bytes > (options.rangedReadAbove ?? 64 * 1024 * 1024) && store.getRange && store.head;
        const file = ranged ? await openRangedParquetShard(store, manifest, entry, options.signal) : await fetchVerifiedShard(store, manifest, entry, options.signal);
        if (file.rows !== entry.rows) throw new WarmstartError('DATASET_INVALID', `shard ${entry.key} has ${file.rows} rows, manifest says ${entry.rows}; republish the version`, entry.key);
        checkColumns(manifest, file.columns, entry.key);
        cursors.push({ shard: index, file, groups: permutation(file.groupCount, random), next: 0 });
      }
      if (cursors.length === 0) return;
      const c = random ? Math.floor(random.next() * cursors.length) : 0;
      const cursor = cursors[c]!;
      const entry = manifest.shards[cursor.shard]!;
      const group = await readGroupChecked(cursor.file, cursor.groups[cursor.next++]!, columns, entry.key);
      if (cursor.next >= cursor.groups.length) cursors.splice(c, 1);
      const rows = decodeGroup(manifest, group, { key: entry.key, firstId: entry.firstId, splits });
      if (rows.count > 0) pool.push({ rows, order: permutation(rows.count, random), pos: 0, isNew: entry.addedInVersion === manifest.version ? 1 : 0 });
    }
  };

  for (;;) {
    options.signal?.throwIfAborted();
    const batch: Batch = {
      size: 0,
      featureSize: size,
      x: new Float32Array(batchSize * size),
      y: new Int32Array(batchSize),
      weights: new Float32Array(batchSize),
      ids: new Float64Array(batchSize),
      isNew: new Uint8Array(batchSize),
      splits: new Uint8Array(batchSize),
    };
    while (batch.size < batchSize) {
      if (pool.length < poolGroups) await refill();
      if (pool.length === 0) break;
      const g = random ? Math.floor(random.next() * pool.length) : 0;
      const item = pool[g]!;
      const r = item.order[item.pos++]!;
      const k = batch.size++;
      batch.x.set(item.rows.x.subarray(r * size, (r + 1) * size), k * size);
      batch.y[k] = item.rows.y[r]!;
      batch.weights[k] = item.rows.weights[r]!;
      batch.ids[k] = item.rows.ids[r]!;
      batch.isNew[k] = item.isNew;
      batch.splits[k] = item.rows.splits[r]!;
      if (item.pos >= item.rows.count) pool.splice(g, 1);
    }
    if (batch.size === 0) return;
    yield batch.size === batchSize ? batch : trim(batch);
    if (batch.size < batchSize) return;
  }
}

function trim(batch: Batch): Batch {
  const n = batch.size;
  return {
    ...batch,
    x: batch.x.slice(0, n * batch.featureSize),
    y: batch.y.slice(0, n),
    weights: batch.weights.slice(0, n),
    ids: batch.ids.slice(0, n),
    isNew: batch.isNew.slice(0, n),
    splits: batch.splits.slice(0, n),
  };
}
