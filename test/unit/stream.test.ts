import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishVersion, type PublishRequest } from '../../src/data/publish.js';
import { hashSplit } from '../../src/data/split.js';
import { streamBatches } from '../../src/data/stream.js';
import { loadManifest } from '../../src/data/versions.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const request = (ids: number[]): PublishRequest => ({
  dataset: 'toy',
  rows: ids.map((id) => ({ id, label: id % 2, features: Uint8Array.from([id % 256, 255]) })),
  columns: { id: 'id', label: 'label', features: 'x' },
  features: { encoding: 'uint8-binary', shape: [2], scale: 1 / 255 },
  classes: ['even', 'odd'],
  split: { kind: 'hash', testFraction: 0.25, validationFraction: 0 },
  rowsPerShard: 50,
});

/** Counts shard downloads, and how many shards were fetched when each batch came out. */
function counting(inner: ObjectStore): { store: ObjectStore; gets: () => number } {
  let gets = 0;
  const store = Object.assign(Object.create(inner) as ObjectStore, {
    get: (...args: Parameters<ObjectStore['get']>) => {
      if (args[0].endsWith('.parquet')) gets++;
      return inner.get(...args);
    },
  });
  return { store, gets: () => gets };
}

describe('streamBatches', () => {
  async function published() {
    const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-stream-')));
    await publishVersion(store, request(range(0, 400)));
    await publishVersion(store, request(range(400, 500)));
    return { store, manifest: await loadManifest(store, 'toy', 2) };
  }

  it('yields every example of the wanted splits once, tagged old or new, mixed across shards', async () => {
    const { store, manifest } = await published();
    const ids: number[] = [];
    let first: number[] = [];
    for await (const batch of streamBatches(store, manifest, { splits: ['train', 'validation', 'test'], batchSize: 64, seed: 3 })) {
      const batchIds = Array.from(batch.ids.subarray(0, batch.size));
      if (first.length === 0) first = batchIds;
      batchIds.forEach((id, k) => {
        expect(batch.isNew[k]).toBe(id >= 400 ? 1 : 0);
        expect(batch.y[k]).toBe(id % 2);
        expect(batch.x[k * 2]).toBeCloseTo((id % 256) / 255);
        expect(batch.weights[k]).toBe(1);
      });
      ids.push(...batchIds);
    }
    expect(ids.length).toBe(500);
    expect(new Set(ids).size).toBe(500);
    // Rows of one batch come from more than one shard (50 rows each).
    expect(new Set(first.map((id) => Math.floor(id / 50))).size).toBeGreaterThan(1);
  });

  it('fetches shards lazily: the first batch has fetched at most openShards + poolGroups of 10 shards', async () => {
    const { store: inner, manifest } = await published();
    const { store, gets } = counting(inner);
    const stream = streamBatches(store, manifest, { batchSize: 8, openShards: 2, poolGroups: 2 });
    await stream.next();
    // One row group per shard here, so each pooled group may come from its own (already released) shard.
    expect(gets()).toBeLessThanOrEqual(4);
    await stream.return(undefined);
  });

  it('filters splits and stops on abort', async () => {
    const { store, manifest } = await published();
    const test: number[] = [];
    for await (const batch of streamBatches(store, manifest, { splits: ['test'], batchSize: 1000, shuffle: false })) test.push(...batch.ids.subarray(0, batch.size));
    expect(test).toEqual(range(0, 500).filter((id) => hashSplit('toy', id, 0.25, 0) === 'test'));
    expect(test.length).toBeGreaterThan(0);
    const controller = new AbortController();
    const stream = streamBatches(store, manifest, { batchSize: 8, signal: controller.signal });
    await stream.next();
    controller.abort();
    await expect(stream.next()).rejects.toThrow(/abort/i);
  });

  it('reads large shards by range, never whole, with the same rows; a changed shard fails before any row', async () => {
    const { store: inner, manifest } = await published();
    const { store, gets } = counting(inner);
    const ids = async (rangedReadAbove: number) => {
      const out: number[] = [];
      for await (const batch of streamBatches(store, manifest, { batchSize: 64, seed: 5, rangedReadAbove })) out.push(...batch.ids.subarray(0, batch.size));
      return out;
    };
    const whole = await ids(Number.POSITIVE_INFINITY);
    const wholeGets = gets();
    expect(await ids(0)).toEqual(whole);
    expect(gets()).toBe(wholeGets);

    const shard = manifest.shards[3]!;
    const tampered = (await inner.get(shard.key))!.body.slice();
    tampered[10] = tampered[10]! ^ 0xff;
    await inner.put(shard.key, tampered);
    const stream = streamBatches(store, { ...manifest, shards: [shard] }, { rangedReadAbove: 0 });
    await expect(stream.next()).rejects.toThrow(/sha256 .* does not match the manifest's/);
  });
});

