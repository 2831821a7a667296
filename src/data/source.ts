import { createHash } from 'node:crypto';
import { parquetMetadataAsync, type AsyncBuffer } from 'hyparquet';
import { WarmstartError, isWarmstartError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import { checkColumns, dataColumns, decodeGroup, type DecodedRows } from './decode.js';
import { featureSize, type Manifest, type ShardEntry } from './manifest.js';
import { parquetShardFile } from './parquet-shard.js';
import { unreadableParquet } from './read-errors.js';
import { fetchVerifiedShard } from './shard-fetch.js';
import { openShard, readGroupChecked, type ShardFile } from './shard-reader.js';
import { SPLITS, type Split } from './split.js';
import type { VerifiedVersion } from './verified.js';

/**
 * A version's examples as units that can be read one at a time and in any order: a Parquet row group
 * (read by range), or a whole Arrow shard. Training, scoring and evaluation stream through units, so
 * memory is bounded by a unit, never by the dataset.
 */
export interface SourceUnit {
  shard: number;
  /** Row group within the shard; -1: the whole shard (Arrow IPC, read in one piece). */
  group: number;
  /** Rows of the unit, every split. */
  rows: number;
  isNew: boolean;
  /** Index of the unit's first row among all rows of the version (shards in manifest order): per-example arrays use it. */
  firstIndex: number;
  /** Rows of the source's splits, when validation recorded them. */
  wanted?: number;
}

/** Decoded rows of one unit, filtered to the source's splits. */
export interface UnitRows extends DecodedRows {
  /** Each row's index among all rows of the version. */
  index: Int32Array;
  isNew: boolean;
}

export interface ExampleSource {
  readonly featureSize: number;
  readonly units: readonly SourceUnit[];
  /** Rows of every shard and split: the length of per-example arrays (selection weights). */
  readonly indexSpace: number;
  /** Rows of the source's splits, when known without reading them (from the verified record). */
  readonly count: number | undefined;
  /** The dataset has a weight column (rows carry weights other than 1). */
  readonly weighted: boolean;
  readUnit(unit: number): Promise<UnitRows>;
}

export interface SourceOptions {
  splits: readonly Split[];
  /** From context validation: shards are read pinned to these ETags and not hashed again. */
  verified?: VerifiedVersion;
  /** Reaches every read: cancelling the activity stops the data path. */
  signal?: AbortSignal;
  /**
   * Decoded units kept for the next epoch, least recently used first out, up to this many bytes: a
   * split that fits is decoded once, a larger one streams. A fixed budget, not the dataset's size.
   * Default 128 MiB; 0 keeps nothing.
   */
  cacheBytes?: number;
}

export function isExampleSource(data: object): data is ExampleSource {
  return 'units' in data && 'readUnit' in data;
}

/** A view of a source with only some of its units (the same rows, indices and reads). */
export function restrictSource(source: ExampleSource, keep: (unit: SourceUnit) => boolean): ExampleSource {
  const picked = source.units.map((unit, i) => ({ unit, i })).filter(({ unit }) => keep(unit));
  const known = picked.every(({ unit }) => unit.wanted !== undefined);
  return {
    featureSize: source.featureSize,
    units: picked.map(({ unit }) => unit),
    indexSpace: source.indexSpace,
    count: known ? picked.reduce((n, { unit }) => n + unit.wanted!, 0) : undefined,
    weighted: source.weighted,
    readUnit: (u) => source.readUnit(picked[u]!.i),
  };
}

const HASH_CHUNK = 8 * 1024 * 1024;
/** The tail read for a Parquet footer: enough for most footers, a small share of a shard. */
const FOOTER_FETCH = 64 * 1024;

/**
 * Reads one version's shards: ranged reads pinned to each shard's verified ETag, Parquet footers
 * read once, a shard hashed once (by range) when no verified record names its identity.
 */
class ShardAccess {
  private readonly parquetFiles = new Map<number, Promise<{ file: ShardFile; groups: number[] }>>();
  private readonly identities = new Map<number, Promise<string>>();
  private readonly columns: string[];
  readonly ranged: boolean;

  constructor(
    private readonly store: ObjectStore,
    private readonly manifest: Manifest,
    private readonly options: SourceOptions,
  ) {
    this.columns = dataColumns(manifest);
    this.ranged = !!store.getRange && !!store.head;
  }

  private pinnedRead(entry: ShardEntry, etag: string | undefined) {
    return async (start: number, end: number): Promise<Uint8Array> => {
      try {
        return await this.store.getRange!(entry.key, start, end, { signal: this.options.signal, ...(etag ? { ifMatch: etag } : {}) });
      } catch (error) {
        if (isWarmstartError(error, 'STORE_PRECONDITION_FAILED')) {
          throw new WarmstartError('DATASET_INVALID', `shard ${entry.key} changed after it was verified; shards must not be rewritten, republish the version`, entry.key, { cause: error });
        }
        throw error;
      }
    };
  }

  /** The shard's ETag once its bytes are known to match the manifest: the recorded one, or hashed now. */
  private identity(index: number): Promise<string> {
    const known = this.options.verified?.shards[index]?.etag;
    if (known) return Promise.resolve(known);
    let pending = this.identities.get(index);
    if (!pending) {
      pending = hashShard(this.store, this.manifest, this.manifest.shards[index]!, this.options.signal);
      this.identities.set(index, pending);
    }
    return pending;
  }

  /** A Parquet shard behind ranged reads pinned to its verified ETag: only the footer is held. */
  parquetFile(index: number): Promise<{ file: ShardFile; groups: number[] }> {
    let pending = this.parquetFiles.get(index);
    if (!pending) {
      pending = this.openParquet(index);
      this.parquetFiles.set(index, pending);
    }
    return pending;
  }

  private async openParquet(index: number): Promise<{ file: ShardFile; groups: number[] }> {
    const entry = this.manifest.shards[index]!;
    const read = this.pinnedRead(entry, await this.identity(index));
    const buffer: AsyncBuffer = {
      byteLength: entry.bytes,
      slice: async (start, end) => {
        const bytes = await read(start, end ?? entry.bytes);
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      },
    };
    try {
      const metadata = await parquetMetadataAsync(buffer, { initialFetchSize: FOOTER_FETCH });
      const file = parquetShardFile(buffer, metadata);
      checkShape(this.manifest, entry, file);
      return { file, groups: metadata.row_groups.map((g) => Number(g.num_rows)) };
    } catch (error) {
      if (error instanceof WarmstartError) throw error;
      throw unreadableParquet(entry.key, error);
    }
  }

  /** A whole shard: Arrow IPC, or a store without ranged reads. */
  async wholeShard(index: number): Promise<ShardFile> {
    const entry = this.manifest.shards[index]!;
    const etag = this.options.verified?.shards[index]?.etag;
    const file = etag && this.ranged ? await openShard(await this.pinnedRead(entry, etag)(0, entry.bytes), entry.format, entry.key) : await fetchVerifiedShard(this.store, this.manifest, entry, this.options.signal);
    checkShape(this.manifest, entry, file);
    return file;
  }

  async decode(entry: ShardEntry, file: ShardFile, group: number): Promise<DecodedRows> {
    return decodeGroup(this.manifest, await readGroupChecked(file, group, this.columns, entry.key), { key: entry.key, firstId: entry.firstId, splits: this.options.splits });
  }
}

/** The version's units (Parquet row groups, or whole shards) in shard order, with each shard's first row index. */
async function listUnits(manifest: Manifest, access: ShardAccess, options: SourceOptions): Promise<{ units: SourceUnit[]; shardStart: number[]; indexSpace: number }> {
  const splitIndices = options.splits.map((s) => SPLITS.indexOf(s));
  const wantedOf = (counts: readonly number[]) => splitIndices.reduce((n, s) => n + counts[s]!, 0);
  const units: SourceUnit[] = [];
  const shardStart: number[] = [];
  let firstIndex = 0;
  for (const [index, entry] of manifest.shards.entries()) {
    shardStart.push(firstIndex);
    const isNew = entry.addedInVersion === manifest.version;
    const recorded = options.verified?.shards[index]?.groups;
    if (entry.format === 'parquet' && access.ranged) {
      // Without a record, this is the shard's one verified read (hashed by range), then its footer.
      const groups = recorded ? recorded.map((c) => c[0] + c[1] + c[2]) : (await access.parquetFile(index)).groups;
      let start = firstIndex;
      groups.forEach((rows, g) => {
        units.push({ shard: index, group: g, rows, isNew, firstIndex: start, ...(recorded ? { wanted: wantedOf(recorded[g]!) } : {}) });
        start += rows;
      });
    } else {
      units.push({ shard: index, group: -1, rows: entry.rows, isNew, firstIndex, ...(recorded ? { wanted: recorded.reduce((n, c) => n + wantedOf(c), 0) } : {}) });
    }
    firstIndex += entry.rows;
  }
  return { units, shardStart, indexSpace: firstIndex };
}

/**
 * Opens a version as an ExampleSource. With a verified record, units come from it and every read is
 * pinned to the verified ETag (no hashing); without one, each Parquet footer is read to list the row
 * groups, and each shard is hashed once, by range, the first time one of its units is read.
 */
export async function openVersionSource(store: ObjectStore, manifest: Manifest, options: SourceOptions): Promise<ExampleSource> {
  const access = new ShardAccess(store, manifest, options);
  const { units, shardStart, indexSpace } = await listUnits(manifest, access, options);
  const size = featureSize(manifest);
  const decodeUnit = async (u: number): Promise<UnitRows> => {
    options.signal?.throwIfAborted();
    const unit = units[u]!;
    const entry = manifest.shards[unit.shard]!;
    let rows: DecodedRows;
    if (unit.wanted === 0) rows = emptyRows(size);
    else if (unit.group >= 0) rows = await access.decode(entry, (await access.parquetFile(unit.shard)).file, unit.group);
    else {
      const file = await access.wholeShard(unit.shard);
      const parts: DecodedRows[] = [];
      for (let g = 0; g < file.groupCount; g++) parts.push(await access.decode(entry, file, g));
      rows = concatRows(parts, size);
    }
    const base = shardStart[unit.shard]!;
    return { ...rows, index: Int32Array.from(rows.positions, (p) => base + p), isNew: unit.isNew };
  };
  const cache = unitCache(options.cacheBytes ?? 128 * 1024 * 1024);
  return {
    featureSize: size,
    units,
    indexSpace,
    count: units.every((u) => u.wanted !== undefined) ? units.reduce((n, u) => n + u.wanted!, 0) : undefined,
    weighted: manifest.weightColumn !== null,
    readUnit: (u) => cache(u, () => decodeUnit(u)),
  };
}

function checkShape(manifest: Manifest, entry: ShardEntry, file: ShardFile): void {
  if (file.rows !== entry.rows) throw new WarmstartError('DATASET_INVALID', `shard ${entry.key} has ${file.rows} rows, manifest says ${entry.rows}; republish the version`, entry.key);
  checkColumns(manifest, file.columns, entry.key);
}

/** Hashes a shard by range (8 MiB at a time, pinned to the ETag first seen) and checks it against the manifest. */
async function hashShard(store: ObjectStore, manifest: Pick<Manifest, 'dataset' | 'version'>, entry: ShardEntry, signal?: AbortSignal): Promise<string> {
  const info = await store.head!(entry.key, { signal });
  if (!info) throw new WarmstartError('DATASET_INVALID', `shard ${entry.key} listed in ${manifest.dataset} v${manifest.version} is missing from the store; republish the version`, entry.key);
  if (info.bytes !== entry.bytes) throw new WarmstartError('DATASET_INVALID', `shard ${entry.key} has ${info.bytes} bytes, manifest says ${entry.bytes}; the shard was changed or truncated, republish the version`, entry.key);
  const hash = createHash('sha256');
  for (let offset = 0; offset < info.bytes; offset += HASH_CHUNK) hash.update(await store.getRange!(entry.key, offset, Math.min(info.bytes, offset + HASH_CHUNK), { signal, ifMatch: info.etag }));
  const digest = hash.digest('hex');
  if (digest !== entry.sha256) throw new WarmstartError('DATASET_INVALID', `shard ${entry.key} sha256 ${digest.slice(0, 12)}... does not match the manifest's ${entry.sha256.slice(0, 12)}...; republish the version`, entry.key);
  return info.etag;
}

function emptyRows(size: number): DecodedRows {
  return { count: 0, x: new Float32Array(0 * size), y: new Int32Array(0), weights: new Float32Array(0), ids: new Float64Array(0), splits: new Uint8Array(0), positions: new Int32Array(0) };
}

function concatRows(parts: readonly DecodedRows[], size: number): DecodedRows {
  if (parts.length === 1) return parts[0]!;
  const count = parts.reduce((n, p) => n + p.count, 0);
  const out: DecodedRows = { count, x: new Float32Array(count * size), y: new Int32Array(count), weights: new Float32Array(count), ids: new Float64Array(count), splits: new Uint8Array(count), positions: new Int32Array(count) };
  let at = 0;
  for (const p of parts) {
    out.x.set(p.x, at * size);
    out.y.set(p.y, at);
    out.weights.set(p.weights, at);
    out.ids.set(p.ids, at);
    out.splits.set(p.splits, at);
    out.positions.set(p.positions, at);
    at += p.count;
  }
  return out;
}

/** Memoizes unit reads up to `budget` bytes of decoded rows, evicting the least recently used. */
function unitCache(budget: number): (unit: number, read: () => Promise<UnitRows>) => Promise<UnitRows> {
  const kept = new Map<number, { rows: Promise<UnitRows>; bytes: number }>();
  let used = 0;
  return (unit, read) => {
    const hit = kept.get(unit);
    if (hit) {
      kept.delete(unit);
      kept.set(unit, hit);
      return hit.rows;
    }
    const rows = read();
    if (budget <= 0) return rows;
    const entry = { rows, bytes: 0 };
    kept.set(unit, entry);
    rows.then(
      (value) => {
        entry.bytes = value.x.byteLength + value.count * 33;
        used += entry.bytes;
        for (const [key, other] of kept) {
          if (used <= budget) break;
          if (other.bytes === 0) continue;
          kept.delete(key);
          used -= other.bytes;
        }
      },
      () => kept.delete(unit),
    );
    return rows;
  };
}
