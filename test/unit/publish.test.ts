import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExamples } from '../../src/data/examples.js';
import { publishVersion, type PublishRequest } from '../../src/data/publish.js';
import { listVersions, loadManifest } from '../../src/data/versions.js';
import { isWarmstartError } from '../../src/errors.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { rejectionKey } from '../../src/storage/keys.js';

const fresh = () => new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-publish-')));

function request(ids: number[], overrides: Partial<PublishRequest> = {}): PublishRequest {
  return {
    dataset: 'toy',
    rows: ids.map((id) => ({ id, label: id % 2, features: Uint8Array.from([id % 256, 255, 0]) })),
    columns: { id: 'id', label: 'label', features: 'x' },
    features: { encoding: 'uint8-binary', shape: [3], scale: 1 / 255 },
    classes: ['even', 'odd'],
    split: { kind: 'hash', testFraction: 0.25, validationFraction: 0 },
    rowsPerShard: 40,
    ...overrides,
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('publishVersion', () => {
  it('creates cumulative versions: v2 lists v1 shards as inherited and its own as new', async () => {
    const store = fresh();
    const v1 = await publishVersion(store, request(range(0, 100)));
    const v2 = await publishVersion(store, request(range(100, 130)));
    expect([v1.version, v2.version, v2.parentVersion]).toEqual([1, 2, 1]);
    expect(v2.inheritedShards).toBe(3);
    expect(v2.newShards).toBe(1);
    const manifest = await loadManifest(store, 'toy', 2);
    expect(manifest.shards.map((s) => s.addedInVersion)).toEqual([1, 1, 1, 2]);

    const all = await loadExamples(store, manifest, ['train', 'validation', 'test']);
    expect(all.count).toBe(130);
    expect(all.ids.filter((_, i) => all.isNew[i] === 1)).toEqual(range(100, 130));
    // Features are scaled as the manifest says; labels map to class indices.
    const row = all.ids.indexOf(7);
    expect(all.x[row * 3]).toBeCloseTo(7 / 255);
    expect(all.x[row * 3 + 1]).toBeCloseTo(1);
    expect(all.y[row]).toBe(1);
  });

  it('splits by a stable hash: train and test never share an example', async () => {
    const store = fresh();
    await publishVersion(store, request(range(0, 200)));
    const manifest = await loadManifest(store, 'toy', 1);
    const train = await loadExamples(store, manifest, ['train']);
    const test = await loadExamples(store, manifest, ['test']);
    expect(train.count + test.count).toBe(200);
    expect(test.count).toBeGreaterThan(20);
    expect(train.ids.some((id) => test.ids.includes(id))).toBe(false);
  });

  it('detects a shard changed after publishing (sha256)', async () => {
    const store = fresh();
    await publishVersion(store, request(range(0, 10)));
    const manifest = await loadManifest(store, 'toy', 1);
    const shard = manifest.shards[0]!;
    const original = (await store.get(shard.key))!.body;
    const tampered = original.slice();
    const at = tampered.length - 20;
    tampered[at] = tampered[at]! ^ 0xff;
    await store.put(shard.key, tampered);
    const error = await loadExamples(store, manifest, ['train']).catch((e: unknown) => e);
    expect(isWarmstartError(error, 'DATASET_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/sha256/);
  });

  it('leaves nothing behind when the upload fails midway', async () => {
    const inner = fresh();
    let puts = 0;
    const flaky: ObjectStore = Object.assign(Object.create(inner) as ObjectStore, {
      put: async (...args: Parameters<ObjectStore['put']>) => {
        if (++puts === 2) throw new Error('connection reset');
        return inner.put(...args);
      },
    });
    await expect(publishVersion(flaky, request(range(0, 100)))).rejects.toThrow(/connection reset/);
    expect(await inner.list('datasets/')).toEqual([]);
    expect(await listVersions(inner, 'toy')).toEqual([]);
  });

  it('builds on the newest valid version, skipping a corrupt one', async () => {
    const store = fresh();
    await publishVersion(store, request(range(0, 10)));
    await store.put('datasets/toy/v2/manifest.json', '{ broken');
    const v3 = await publishVersion(store, request(range(10, 20)));
    expect(v3.version).toBe(3);
    expect(v3.parentVersion).toBe(1);
  });

  it('does not build on a version a refresh rejected as bad data, though its manifest parses', async () => {
    const store = fresh();
    await publishVersion(store, request(range(0, 10)));
    await publishVersion(store, request(range(10, 20)));
    await store.put(rejectionKey('toy', 2), JSON.stringify({ reason: 'sha256 mismatch' }));
    const v3 = await publishVersion(store, request(range(20, 30)));
    expect(v3).toMatchObject({ version: 3, parentVersion: 1 });
    const manifest = await loadManifest(store, 'toy', 3);
    expect(manifest.shards.map((s) => s.addedInVersion)).toEqual([1, 3]);
  });
});
