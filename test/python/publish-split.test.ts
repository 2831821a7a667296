import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadExamples } from '../../src/data/examples.js';
import { publishFiles, type PublishFilesRequest } from '../../src/data/publish-files.js';
import { loadManifest } from '../../src/data/versions.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import { pyarrow, pyarrowIpc } from '../helpers/pyarrow.js';

// Files written by pyarrow (4 row groups / record batches of 30, 30, 30, 10 rows), published with a
// 1-byte shard bound: one shard per group. The shards read back row for row, by warmstart and by
// pyarrow (two of the Parquet files, whose footers publish rewrote; the Arrow file's shards, which
// publish cut into Arrow IPC files of its own making, through pyarrow.ipc.open_file).
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'warmstart-split-pyarrow-'));
  pyarrow('make', dir);
  pyarrowIpc('make', dir);
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
    if (file === 'batches.arrow') {
      const ids: number[] = [];
      for (const [k, shard] of manifest.shards.entries()) {
        const local = path.join(dir, `read-${file}-${k}.arrow`);
        writeFileSync(local, (await store.get(shard.key))!.body);
        const read = JSON.parse(pyarrowIpc('read', local)) as { id: number[]; image: number[][]; label: string[]; _meta: { num_record_batches: number } };
        expect(read._meta.num_record_batches).toBe(1);
        expect(read.image).toEqual(read.id.map((id) => image(id - 1000)));
        expect(read.label).toEqual(read.id.map((id) => 'abc'[(id - 1000) % 3]));
        ids.push(...read.id);
      }
      expect(ids).toEqual(Array.from({ length: 100 }, (_, i) => 1000 + i));
    }
  });
});

/** dictionary-stream.arrows' city in row i (test/fixtures/arrow_ipc_interop.py). */
const DICTIONARIES = [['a', 'b'], ['a', 'b', 'c'], ['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd'], ['p', 'q'], ['p', 'q', 'r'], ['p', 'q', 'r'], ['x', 'y'], ['x', 'y', 'z'], ['x', 'y', 'z']];
const city = (i: number) => DICTIONARIES[Math.floor(i / 10)]![i % DICTIONARIES[Math.floor(i / 10)]!.length]!;

describe('a pyarrow stream whose dictionary changes by deltas and replacements, cut into Arrow IPC files', () => {
  const streamRequest = (): PublishFilesRequest => ({ dataset: 'dict', files: [path.join(dir, 'dictionary-stream.arrows')], label: 'label', features: ['x', 'city'], idColumn: 'id' });

  it('breaks only at the two replacements; every row reads as when the stream is published whole, by warmstart and by pyarrow', async () => {
    const wholeStore = fresh();
    const whole = await publishFiles(wholeStore, streamRequest());
    expect(whole.newShards).toBe(1);
    const cutStore = fresh();
    // Over the bound as a whole, each run of batches between replacements within it.
    const cut = await publishFiles(cutStore, { ...streamRequest(), maxShardBytes: statSync(streamRequest().files[0]!).size - 1 });
    const manifest = await loadManifest(cutStore, 'dict', cut.version);
    expect(manifest.shards.map((s) => s.rows)).toEqual([40, 30, 30]);
    const wholeManifest = await loadManifest(wholeStore, 'dict', whole.version);
    expect(manifest.features).toEqual(wholeManifest.features);
    const vocabulary = manifest.features.kind === 'columns' ? manifest.features.categorical![0]!.vocabulary : [];
    expect(vocabulary).toEqual(['a', 'b', 'c', 'd', 'p', 'q', 'r', 'x', 'y', 'z']);
    const splits = ['train', 'validation', 'test'] as const;
    const [fromCut, fromWhole] = await Promise.all([loadExamples(cutStore, manifest, splits), loadExamples(wholeStore, wholeManifest, splits)]);
    expect(fromCut.ids).toEqual(fromWhole.ids);
    expect(Array.from(fromCut.x)).toEqual(Array.from(fromWhole.x));
    expect(Array.from(fromCut.y)).toEqual(Array.from(fromWhole.y));
    // Each row's city, decoded through the vocabulary (index k + 1 is entry k), is the stream's.
    expect(fromCut.ids.map((_, row) => vocabulary[fromCut.x[row * 2 + 1]! - 1])).toEqual(fromCut.ids.map((id) => city(id - 1000)));
    const cities: string[] = [];
    for (const [k, shard] of manifest.shards.entries()) {
      const local = path.join(dir, `read-dict-${k}.arrow`);
      writeFileSync(local, (await cutStore.get(shard.key))!.body);
      const read = JSON.parse(pyarrowIpc('read', local)) as { id: number[]; city: string[] };
      expect(read.city).toEqual(read.id.map((id) => city(id - 1000)));
      cities.push(...read.city);
    }
    expect(cities).toEqual(Array.from({ length: 100 }, (_, i) => city(i)));
  });

  it('cut one batch per shard: ten shards, each row as published whole', async () => {
    const cutStore = fresh();
    const cut = await publishFiles(cutStore, { ...streamRequest(), maxShardBytes: 1 });
    const manifest = await loadManifest(cutStore, 'dict', cut.version);
    expect(manifest.shards.map((s) => s.rows)).toEqual(Array.from({ length: 10 }, () => 10));
    const all = await loadExamples(cutStore, manifest, ['train', 'validation', 'test']);
    const vocabulary = manifest.features.kind === 'columns' ? manifest.features.categorical![0]!.vocabulary : [];
    expect(all.ids.map((_, row) => vocabulary[all.x[row * 2 + 1]! - 1])).toEqual(all.ids.map((id) => city(id - 1000)));
  });
});
