import type { ObjectStore } from '../storage/object-store.js';
import type { Manifest } from './manifest.js';
import { SPLITS } from './split.js';
import { streamBatches } from './stream.js';

/** Rows per split of a version, and how many rows (all splits, and training) its own shards add. */
export interface VersionSummary {
  train: number;
  validation: number;
  test: number;
  newRows: number;
  newTrain: number;
}

/**
 * Reads every shard of a version once, in bounded memory, verifying checksums and decoding every row
 * of every split (labels, features, weights, split values): a bad row anywhere fails here, with the
 * shard, column and row named, before any training.
 */
export async function summarizeVersion(store: ObjectStore, manifest: Manifest, options: { signal?: AbortSignal; onProgress?: (rows: number) => void } = {}): Promise<VersionSummary> {
  let rows = 0;
  const summary: VersionSummary = { train: 0, validation: 0, test: 0, newRows: 0, newTrain: 0 };
  for await (const batch of streamBatches(store, manifest, { shuffle: false, batchSize: 8192, signal: options.signal })) {
    for (let i = 0; i < batch.size; i++) {
      const split = SPLITS[batch.splits[i]!]!;
      summary[split]++;
      if (!batch.isNew[i]) continue;
      summary.newRows++;
      if (split === 'train') summary.newTrain++;
    }
    rows += batch.size;
    options.onProgress?.(rows);
  }
  return summary;
}
