import { afterAll, describe, expect, it } from 'vitest';
import { collectRows } from '../../src/data/passes.js';
import { publishVersion } from '../../src/data/publish.js';
import { openVersionSource } from '../../src/data/source.js';
import { validateVersion } from '../../src/data/summary.js';
import { readVerified, writeVerified } from '../../src/data/verified.js';
import { loadManifest } from '../../src/data/versions.js';
import { testS3, uniqueName } from '../helpers/services.js';

// Reads pinned to the verified identity, against the real SeaweedFS S3 gateway.
const { store } = testS3();
afterAll(() => store.destroy());

describe('streamed reads on S3', () => {
  it('read every train row pinned to the verified ETag, and fail, naming the shard, once a shard is rewritten', async () => {
    const dataset = uniqueName('pinned');
    await publishVersion(store, {
      dataset,
      rows: Array.from({ length: 600 }, (_, id) => ({ id, label: id % 2, features: Uint8Array.from([id % 256, id >> 8]) })),
      columns: { id: 'id', label: 'label', features: 'x' },
      features: { encoding: 'uint8-binary', shape: [2], scale: 1 },
      classes: ['even', 'odd'],
      split: { kind: 'hash', testFraction: 0.25, validationFraction: 0 },
      rowsPerShard: 200,
      rowGroupSize: 50,
    });
    const manifest = await loadManifest(store, dataset, 1);
    const { summary, verified } = await validateVersion(store, manifest);
    await writeVerified(store, verified);
    const record = await readVerified(store, manifest);
    expect(record?.shards.map((s) => s.etag)).toEqual(verified.shards.map((s) => s.etag));

    const source = await openVersionSource(store, manifest, { splits: ['train'], verified: record, cacheBytes: 0 });
    expect((await collectRows(source)).count).toBe(summary.train);

    // Same key, other bytes (a rewritten upload): the verified ETag no longer matches.
    const shard = manifest.shards[2]!;
    const bytes = (await store.get(shard.key))!.body.slice();
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0xff;
    await store.put(shard.key, bytes);
    const unit = source.units.findIndex((u) => u.shard === 2);
    await expect(source.readUnit(unit)).rejects.toMatchObject({ code: 'DATASET_INVALID', message: expect.stringContaining(`shard ${shard.key} changed after it was verified`) });
  });
});
