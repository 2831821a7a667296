import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadExamples } from '../../src/data/examples.js';
import { publishFiles, type PublishFilesRequest } from '../../src/data/publish-files.js';
import { loadManifest } from '../../src/data/versions.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import { pyarrow } from '../helpers/pyarrow.js';

// Files written by pyarrow (4 row groups / record batches of 30, 30, 30, 10 rows), published with a
// 1-byte shard bound: one shard per group. The shards read back row for row, by warmstart and (two of
// the Parquet files, whose footers publish rewrote) by pyarrow.
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'warmstart-split-pyarrow-'));
  pyarrow('make', dir);
}, 120_000);

const fresh = () => new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-split-store-')));
const image = (i: number) => Array.from({ length: 16 }, (_, j) => (i * 7 + j) % 256);
const request = (file: string, extra: Partial<PublishFilesRequest> = {}): PublishFilesRequest => ({
  dataset: 'split',
  files: [path.join(dir, file)],
  label: 'label',
  features: ['image'],
  idColumn: 'id',
  weightColumn: 'weight',
  splitColumn: 'split',
  ...extra,
});

describe('pyarrow files split into shards of one group each', () => {
  it.each(['snappy.parquet', 'zstd-fixed.parquet', 'gzip-dict.parquet', 'v1-nullable.parquet', 'batches.arrow'])('%s', async (file) => {
    const store = fresh();
    const result = await publishFiles(store, request(file, { maxShardBytes: 1 }));
    expect(result.newShards).toBe(4);
    const manifest = await loadManifest(store, 'split', result.version);
    expect(manifest.shards.map((s) => s.rows)).toEqual([30, 30, 30, 10]);
    const all = await loadExamples(store, manifest, ['train', 'validation', 'test']);
    expect(all.ids).toEqual(Array.from({ length: 100 }, (_, i) => 1000 + i));
    expect(Array.from(all.y)).toEqual(Array.from({ length: 100 }, (_, i) => i % 3));
    expect(Array.from(all.x.subarray(57 * 16, 58 * 16), (v) => Math.round(v * 255))).toEqual(image(57));
    // pyarrow (a process per shard, slow) on the page kinds that matter: v2 pages, and dictionary pages.
    if (file === 'zstd-fixed.parquet' || file === 'gzip-dict.parquet') {
      const ids: number[] = [];
      for (const [k, shard] of manifest.shards.entries()) {
        const local = path.join(dir, `read-${file}-${k}.parquet`);
        writeFileSync(local, (await store.get(shard.key))!.body);
        const read = JSON.parse(pyarrow('dump', local)) as { id: number[]; image: number[][]; _meta: { num_row_groups: number } };
        expect(read._meta.num_row_groups).toBe(1);
        expect(read.image).toEqual(read.id.map((id) => image(id - 1000)));
        ids.push(...read.id);
      }
      expect(ids).toEqual(Array.from({ length: 100 }, (_, i) => 1000 + i));
    }
  });
});
