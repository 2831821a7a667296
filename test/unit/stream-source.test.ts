import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExamples } from '../../src/data/examples.js';
import { collectRows } from '../../src/data/passes.js';
import { publishVersion } from '../../src/data/publish.js';
import { openVersionSource } from '../../src/data/source.js';
import { validateVersion } from '../../src/data/summary.js';
import { loadManifest } from '../../src/data/versions.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Counts whole-object reads and ranged bytes of shards. */
function counting(inner: ObjectStore) {
  const seen = { gets: 0, rangedBytes: 0 };
  const store = Object.assign(Object.create(inner) as ObjectStore, {
    get: (...args: Parameters<ObjectStore['get']>) => {
      if (args[0].endsWith('.parquet')) seen.gets++;
      return inner.get(...args);
    },
    getRange: (key: string, start: number, end: number, options?: Parameters<NonNullable<ObjectStore['getRange']>>[3]) => {
      if (key.endsWith('.parquet')) seen.rangedBytes += end - start;
      return inner.getRange!(key, start, end, options);
    },
  });
  return { store, seen };
}

async function published() {
  const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-source-')));
  await publishVersion(store, {
    dataset: 'toy',
    rows: range(0, 900).map((id) => ({ id, label: id % 2, features: Uint8Array.from([id % 256, id >> 8]) })),
    columns: { id: 'id', label: 'label', features: 'x' },
    features: { encoding: 'uint8-binary', shape: [2], scale: 1 },
    classes: ['even', 'odd'],
    split: { kind: 'hash', testFraction: 0.3, validationFraction: 0.1 },
    rowsPerShard: 300,
    rowGroupSize: 100,
  });
  return { store, manifest: await loadManifest(store, 'toy', 1) };
}

describe('openVersionSource', () => {
  it('reads pinned to the verified identity: no whole-shard read, no hash, each byte once per pass, same rows as loaded whole', async () => {
    const { store: inner, manifest } = await published();
    const { verified } = await validateVersion(inner, manifest);
    const { store, seen } = counting(inner);
    const source = await openVersionSource(store, manifest, { splits: ['train'], verified, cacheBytes: 0 });
    expect(source.units.length).toBe(9);
    expect(source.count).toBe(verified.shards.flatMap((s) => s.groups).reduce((n, g) => n + g[0], 0));
    const streamed = await collectRows(source);
    const whole = await loadExamples(inner, manifest, ['train']);
    expect(streamed.ids).toEqual(whole.ids);
    expect(Array.from(streamed.x)).toEqual(Array.from(whole.x));
    expect(seen.gets).toBe(0);
    // Footers are read once per source; a pass then reads each row group's column chunks once: at most
    // every byte once, and nothing hashed.
    const bytes = manifest.shards.reduce((n, s) => n + s.bytes, 0);
    const first = seen.rangedBytes;
    await collectRows(source);
    expect(seen.rangedBytes - first).toBeLessThanOrEqual(bytes);
    expect(seen.rangedBytes - first).toBeGreaterThan(bytes * 0.5);
    expect(seen.gets).toBe(0);

    // With a cache budget the split fits in, the second pass reads nothing.
    const cached = await openVersionSource(store, manifest, { splits: ['train'], verified });
    await collectRows(cached);
    const afterFirst = seen.rangedBytes;
    expect((await collectRows(cached)).ids).toEqual(whole.ids);
    expect(seen.rangedBytes).toBe(afterFirst);
  });

  it('without a record, verifies each shard once (by range) before any row is decoded; a changed shard fails; an abort stops the reads', async () => {
    const { store, manifest } = await published();
    const shard = manifest.shards[1]!;
    const tampered = (await store.get(shard.key))!.body.slice();
    tampered[20] = tampered[20]! ^ 0xff;
    await store.put(shard.key, tampered);
    await expect(openVersionSource(store, manifest, { splits: ['train'] })).rejects.toThrow(/sha256 .* does not match the manifest's/);

    const fresh = await published();
    const controller = new AbortController();
    const source = await openVersionSource(fresh.store, fresh.manifest, { splits: ['test'], signal: controller.signal });
    await source.readUnit(0);
    controller.abort();
    await expect(source.readUnit(1)).rejects.toThrow(/abort/i);
  });
});
