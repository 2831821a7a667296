import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRefreshContextActivity, type RefreshContext } from '../../activities/context.js';
import { publishVersion } from '../../src/data/publish.js';
import { readVerified } from '../../src/data/verified.js';
import { loadManifest } from '../../src/data/versions.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';

describe('loadRefreshContext', () => {
  it('validates the whole version in one pass, heartbeating the rows read, and counts the splits', async () => {
    const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-context-')));
    const rows = Array.from({ length: 20_000 }, (_, id) => ({ id, label: id % 2, features: Uint8Array.from([id % 256, 9]) }));
    await publishVersion(store, {
      dataset: 'toy',
      rows,
      columns: { id: 'id', label: 'label', features: 'x' },
      features: { encoding: 'uint8-binary', shape: [2], scale: 1 / 255 },
      classes: ['even', 'odd'],
      split: { kind: 'hash', testFraction: 0.2, validationFraction: 0.1 },
      rowsPerShard: 5000,
    });
    const env = new MockActivityEnvironment();
    const beats: { rowsRead: number }[] = [];
    env.on('heartbeat', (details: { rowsRead: number }) => beats.push(details));
    const activity = loadRefreshContextActivity({ store });
    const context = (await env.run(activity, { model: 'm', dataset: 'toy', version: 1 })) as RefreshContext;

    // A heartbeat after each row group (2048 rows, 5000-row shards), the last one after every row.
    expect(beats.map((b) => b.rowsRead).slice(0, 4)).toEqual([2048, 4096, 5000, 7048]);
    expect(beats.at(-1)!.rowsRead).toBe(20000);
    // What later steps read pinned to: each shard's verified ETag and its row groups' rows per split.
    const verified = await readVerified(store, await loadManifest(store, 'toy', 1));
    expect(verified?.shards.map((s) => s.groups.length)).toEqual([3, 3, 3, 3]);
    expect(verified?.shards.every((s) => s.etag.length > 0)).toBe(true);
    expect(verified!.shards.flatMap((s) => s.groups).reduce((n, g) => n + g[0], 0)).toBe(context.dataset.trainCount);
    expect(context.dataset).toMatchObject({ shards: 4, newShards: 4 });
    expect(context.dataset.trainCount + context.dataset.testCount).toBeLessThan(20_000);
    expect(context.dataset.newTrainCount).toBe(context.dataset.trainCount);
    expect(context.production).toBeNull();
  });
});
