import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectRows } from '../../src/data/passes.js';
import { publishVersion } from '../../src/data/publish.js';
import { openVersionSource } from '../../src/data/source.js';
import { validateVersion } from '../../src/data/summary.js';
import { loadManifest } from '../../src/data/versions.js';
import { isWarmstartError } from '../../src/errors.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';

// The file:// store's ranged reads honour If-Match as S3's do: a range pinned to an ETag comes from
// that version of the object or not at all, so a shard replaced between two ranges is noticed.
const fresh = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-ranges-'));
  return { dir, store: new LocalObjectStore(dir) };
};
const bytes = (fill: number, n = 4096) => new Uint8Array(n).fill(fill);
const preconditionFailed = (error: unknown) => isWarmstartError(error, 'STORE_PRECONDITION_FAILED');
/** File timestamps tick coarsely (a few ms): let one pass so an in-place rewrite gets a new mtime. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 25));

describe('file:// ranged reads pinned to an ETag', () => {
  it('read the pinned version, and refuse once the object is replaced by a put', async () => {
    const { store } = fresh();
    const { etag } = await store.put('s/shard.bin', bytes(1));
    expect((await store.head('s/shard.bin'))!.etag).toBe(etag);
    expect(Array.from(await store.getRange('s/shard.bin', 10, 14, { ifMatch: etag }))).toEqual([1, 1, 1, 1]);
    await store.put('s/shard.bin', bytes(2));
    await expect(store.getRange('s/shard.bin', 10, 14, { ifMatch: etag })).rejects.toSatisfy(preconditionFailed);
    // Unpinned ranges read whatever is there now.
    expect(Array.from(await store.getRange('s/shard.bin', 10, 12))).toEqual([2, 2]);
  });

  it('refuse a file rewritten in place by something other than the store (same size, same inode)', async () => {
    const { dir, store } = fresh();
    const { etag } = await store.put('s/shard.bin', bytes(1));
    expect((await store.getRange('s/shard.bin', 0, 2, { ifMatch: etag })).length).toBe(2);
    await tick();
    const file = path.join(dir, 's/shard.bin');
    writeFileSync(file, bytes(3));
    await expect(store.getRange('s/shard.bin', 0, 2, { ifMatch: etag })).rejects.toThrow(/no longer has ETag .*: it was replaced or rewritten since it was first read/);
  });

  it('a store that never saw the object (another process) checks the ETag by hashing it once', async () => {
    const { dir, store } = fresh();
    const { etag } = await store.put('s/shard.bin', bytes(5));
    const other = new LocalObjectStore(dir);
    expect(Array.from(await other.getRange('s/shard.bin', 0, 3, { ifMatch: etag }))).toEqual([5, 5, 5]);
    await expect(other.getRange('s/shard.bin', 0, 3, { ifMatch: '"0123"' })).rejects.toSatisfy(preconditionFailed);
  });

  it('a streamed pass over a version whose shard is replaced after validation fails as DATASET_INVALID, never mixing versions', async () => {
    const { dir, store } = fresh();
    await publishVersion(store, {
      dataset: 'toy',
      rows: Array.from({ length: 600 }, (_, id) => ({ id, label: id % 2, features: Uint8Array.from([id % 256, id >> 8]) })),
      columns: { id: 'id', label: 'label', features: 'x' },
      features: { encoding: 'uint8-binary', shape: [2], scale: 1 },
      classes: ['even', 'odd'],
      split: { kind: 'hash', testFraction: 0.3, validationFraction: 0.1 },
      rowsPerShard: 300,
      rowGroupSize: 100,
    });
    const manifest = await loadManifest(store, 'toy', 1);
    const { verified } = await validateVersion(store, manifest);
    // Another process reads pinned to what validation recorded: the intact version streams.
    const reader = new LocalObjectStore(dir);
    const intact = await collectRows(await openVersionSource(reader, manifest, { splits: ['train'], verified, cacheBytes: 0 }));
    expect(intact.ids.length).toBeGreaterThan(0);
    // The second shard swapped for the first's bytes: a readable Parquet file, but not the verified one.
    const [first, second] = manifest.shards;
    const swapped = (await store.get(first!.key))!.body;
    await tick();
    writeFileSync(path.join(dir, second!.key), swapped);
    const source = await openVersionSource(reader, manifest, { splits: ['train'], verified, cacheBytes: 0 });
    await expect(collectRows(source)).rejects.toThrow(/shard .* changed after it was verified/);
  });
});
