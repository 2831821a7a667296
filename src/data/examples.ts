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
  const count = rows;
  const examples: Examples = { count, featureSize: size, x: new Float32Array(count * size), y: new Int32Array(count), isNew: new Uint8Array(count), ids: [] };
  const weights = new Float32Array(count);
  let offset = 0;
  for (const batch of batches) {
    examples.x.set(batch.x.subarray(0, batch.size * size), offset * size);
    examples.y.set(batch.y.subarray(0, batch.size), offset);
    examples.isNew.set(batch.isNew.subarray(0, batch.size), offset);
    weights.set(batch.weights.subarray(0, batch.size), offset);
    for (let i = 0; i < batch.size; i++) examples.ids.push(batch.ids[i]!);
    offset += batch.size;
  }
  if (manifest.weightColumn !== null) examples.weights = weights;
  return examples;
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
