import type { ObjectStore } from '../storage/object-store.js';
import { featureSize, type Manifest } from './manifest.js';
import type { Split } from './split.js';
import { streamBatches } from './stream.js';

/** Examples of one split, decoded to the tensors' layout. */
export interface Examples {
  count: number;
  featureSize: number;
  /** count x featureSize, normalised as the manifest says. */
  x: Float32Array;
  /** Class index per example. */
  y: Int32Array;
  /** 1 when the example's shard was added in the manifest's own version (new data), else 0. */
  isNew: Uint8Array;
  ids: number[];
  /** Per-example weights, present when the manifest has a weight column. */
  weights?: Float32Array;
}

/** Rows of one batch as they are gathered: the first `count` of each array. */
export interface RowPart {
  count: number;
  x: Float32Array;
  y: Int32Array;
  isNew: Uint8Array;
  weights: Float32Array;
  ids: ArrayLike<number>;
}

/** Concatenates batches into one Examples (weights kept only for a weighted dataset). */
export function gatherRows(parts: readonly RowPart[], size: number, weighted: boolean): Examples {
  const count = parts.reduce((n, p) => n + p.count, 0);
  const out: Examples = { count, featureSize: size, x: new Float32Array(count * size), y: new Int32Array(count), isNew: new Uint8Array(count), ids: [] };
  const weights = new Float32Array(count);
  let at = 0;
  for (const part of parts) {
    out.x.set(part.x.subarray(0, part.count * size), at * size);
    out.y.set(part.y.subarray(0, part.count), at);
    out.isNew.set(part.isNew.subarray(0, part.count), at);
    weights.set(part.weights.subarray(0, part.count), at);
    for (let i = 0; i < part.count; i++) out.ids.push(part.ids[i]!);
    at += part.count;
  }
  if (weighted) out.weights = weights;
  return out;
}

/**
 * Loads every example of the wanted splits, from all shards of a (cumulative) version, in shard and
 * row order, reporting the rows read so far after each batch (activities heartbeat from it). For data
 * larger than memory, use streamBatches.
 */
export async function loadExamples(store: ObjectStore, manifest: Manifest, splits: readonly Split[], options: { onProgress?: (rows: number) => void } = {}): Promise<Examples> {
  const size = featureSize(manifest);
  const batches = [];
  let rows = 0;
  for await (const batch of streamBatches(store, manifest, { splits, shuffle: false, batchSize: 8192 })) {
    batches.push(batch);
    rows += batch.size;
    options.onProgress?.(rows);
  }
  return gatherRows(batches.map((b) => ({ ...b, count: b.size })), size, manifest.weightColumn !== null);
}

/** The examples at `rows`, in that order (a copy; weights kept when present). */
export function selectExamples(data: Examples, rows: ArrayLike<number>): Examples {
  const size = data.featureSize;
  const indices = Array.from(rows);
  const x = new Float32Array(indices.length * size);
  indices.forEach((row, i) => x.set(data.x.subarray(row * size, (row + 1) * size), i * size));
  return {
    count: indices.length,
    featureSize: size,
    x,
    y: Int32Array.from(indices, (i) => data.y[i]!),
    isNew: Uint8Array.from(indices, (i) => data.isNew[i]!),
    ids: indices.map((i) => data.ids[i]!),
    ...(data.weights ? { weights: Float32Array.from(indices, (i) => data.weights![i]!) } : {}),
  };
}
