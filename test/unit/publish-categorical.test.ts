import { Dictionary, Float64, Int32, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExamples } from '../../src/data/examples.js';
import { writeParquet } from '../../src/data/parquet-write.js';
import { publishFiles, type PublishFilesRequest } from '../../src/data/publish-files.js';
import { loadManifest } from '../../src/data/versions.js';
import { MAX_VOCABULARY } from '../../src/data/vocabulary.js';
import { isWarmstartError } from '../../src/errors.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import { CARRIERS, NEW_ORIGINS, ORIGINS, TABULAR_PUBLISH, tabularRows, writeTabularFile } from '../helpers/tabular-data.js';

const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-categorical-'));
const fresh = () => new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-categorical-store-')));
const request = (files: string[], extra: Partial<PublishFilesRequest> = {}): PublishFilesRequest => ({ dataset: 'flights', files, ...TABULAR_PUBLISH, ...extra });
const sorted = (values: readonly string[]) => [...values].sort();

/** The publish's error message, after checking it is one DATASET_INVALID line. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(isWarmstartError(error, 'DATASET_INVALID')).toBe(true);
  const message = (error as Error).message;
  expect(message.split('\n')).toHaveLength(1);
  return message;
}

describe('categorical feature columns', () => {
  it('stores each vocabulary sorted in the first version, encodes values as index + 1, nulls as 0, and standardises only numeric columns', async () => {
    const store = fresh();
    const file = writeTabularFile(dir, 'v1.parquet', { seed: 1, rows: 400, firstId: 0, nullCarrierEvery: 10 });
    await publishFiles(store, request([file]));
    const manifest = await loadManifest(store, 'flights', 1);
    const f = manifest.features;
    if (f.kind !== 'columns') throw new Error('expected columns');
    expect(f.categorical).toEqual([
      { column: 'origin', source: 'string', vocabulary: sorted(ORIGINS) },
      { column: 'carrier', source: 'string', vocabulary: sorted(CARRIERS) },
      { column: 'hour', source: 'integer', vocabulary: sorted(Array.from({ length: 24 }, (_, h) => String(h))) },
    ]);
    if (f.normalize.kind !== 'standardize') throw new Error('expected standardize');
    expect(f.normalize.mean.slice(0, 3)).toEqual([0, 0, 0]);
    expect(f.normalize.std.slice(0, 3)).toEqual([1, 1, 1]);
    expect(f.normalize.mean[3]).toBeGreaterThan(500);

    const rows = tabularRows({ seed: 1, rows: 400, firstId: 0, nullCarrierEvery: 10 });
    const all = await loadExamples(store, manifest, ['train', 'validation', 'test']);
    for (const i of [0, 1, 2, 37]) {
      const row = rows[all.ids[i]!]!;
      expect(all.x[i * 4]).toBe(sorted(ORIGINS).indexOf(row.origin) + 1);
      expect(all.x[i * 4 + 1]).toBe(row.carrier === null ? 0 : sorted(CARRIERS).indexOf(row.carrier) + 1);
      expect(all.x[i * 4 + 2]).toBe(f.categorical![2]!.vocabulary.indexOf(String(row.hour)) + 1);
    }
    // Row 0 had a null carrier: the OOV index.
    expect(all.x[all.ids.indexOf(0) * 4 + 1]).toBe(0);
  });

  it('appends the values a later version brings, sorted, so the first version\'s indices stay the same', async () => {
    const store = fresh();
    await publishFiles(store, request([writeTabularFile(dir, 'g1.parquet', { seed: 2, rows: 300, firstId: 0 })]));
    await publishFiles(store, request([writeTabularFile(dir, 'g2.parquet', { seed: 3, rows: 200, firstId: 300, origins: [...NEW_ORIGINS].reverse() })]));
    const [v1, v2] = [await loadManifest(store, 'flights', 1), await loadManifest(store, 'flights', 2)];
    const origin = (m: typeof v1) => (m.features.kind === 'columns' ? m.features.categorical![0]!.vocabulary : []);
    expect(origin(v2)).toEqual([...sorted(ORIGINS), ...NEW_ORIGINS]);
    expect(v2.features.normalize).toEqual(v1.features.normalize);
    const before = await loadExamples(store, v1, ['train', 'validation', 'test']);
    const after = await loadExamples(store, v2, ['train', 'validation', 'test']);
    expect(Array.from(after.x.subarray(0, before.x.length))).toEqual(Array.from(before.x));
    const newRow = after.ids.indexOf(300);
    expect(after.x[newRow * 4]).toBeGreaterThan(ORIGINS.length);
  });

  it('reads a dictionary-encoded Arrow column as categorical, by its values', async () => {
    const store = fresh();
    const n = 60;
    const table = new Table({
      shop: vectorFromArray(Array.from({ length: n }, (_, i) => ['north', 'east', 'west'][i % 3]!), new Dictionary(new Utf8(), new Int32())),
      price: vectorFromArray(Array.from({ length: n }, (_, i) => i / 3), new Float64()),
      label: vectorFromArray(Array.from({ length: n }, (_, i) => (i % 2 ? 'buy' : 'skip')), new Utf8()),
    });
    const file = path.join(dir, 'shops.arrow');
    writeFileSync(file, tableToIPC(table, 'file'));
    await publishFiles(store, { dataset: 'shops', files: [file], label: 'label', features: ['shop', 'price'] });
    const manifest = await loadManifest(store, 'shops', 1);
    expect(manifest.features.kind === 'columns' && manifest.features.categorical).toEqual([{ column: 'shop', source: 'string', vocabulary: ['east', 'north', 'west'] }]);
    const all = await loadExamples(store, manifest, ['train', 'validation', 'test']);
    expect([0, 1, 2].map((i) => all.x[all.ids.indexOf(i) * 2])).toEqual([2, 1, 3]);
  });

  it('reads string categorical columns from CSV, and a column with a non-number as strings', async () => {
    const store = fresh();
    const lines = ['city,size,label', ...Array.from({ length: 40 }, (_, i) => `${['oslo', 'rome', ''][i % 3]},${i},${i % 2 ? 'yes' : 'no'}`)];
    const file = path.join(dir, 'cities.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    await publishFiles(store, { dataset: 'cities', files: [file], label: 'label', features: ['city', 'size'] });
    const manifest = await loadManifest(store, 'cities', 1);
    expect(manifest.features.kind === 'columns' && manifest.features.categorical).toEqual([{ column: 'city', source: 'string', vocabulary: ['oslo', 'rome'] }]);
    const all = await loadExamples(store, manifest, ['train', 'validation', 'test']);
    expect([0, 1, 2].map((i) => all.x[all.ids.indexOf(i) * 2])).toEqual([1, 2, 0]);
  });
});

describe('categorical bad input: one line naming the column and the fix, nothing written', () => {
  it('refuses a vocabulary over the limit', async () => {
    const store = fresh();
    const n = MAX_VOCABULARY + 5;
    const file = path.join(dir, 'wide.parquet');
    writeFileSync(file, writeParquet([
      { name: 'user', data: Array.from({ length: n }, (_, i) => `u${i}`), type: 'STRING', nullable: false },
      { name: 'label', data: Array.from({ length: n }, (_, i) => (i % 2 ? 'a' : 'b')), type: 'STRING', nullable: false },
    ]));
    const message = await refusal(publishFiles(store, { dataset: 'wide', files: [file], label: 'label', features: ['user'] }));
    expect(message).toMatch(new RegExp(`column user: more than ${MAX_VOCABULARY} distinct values.*bucket it into fewer values`));
    expect(await store.list('')).toEqual([]);
  });

  it('refuses a timestamp column, saying how to derive features from it', async () => {
    const store = fresh();
    const file = path.join(dir, 'times.parquet');
    writeFileSync(file, writeParquet([
      { name: 'at', data: Array.from({ length: 20 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i))), type: 'TIMESTAMP', nullable: false },
      { name: 'label', data: Array.from({ length: 20 }, (_, i) => (i % 2 ? 'a' : 'b')), type: 'STRING', nullable: false },
    ]));
    const message = await refusal(publishFiles(store, { dataset: 'times', files: [file], label: 'label', features: ['at'] }));
    expect(message).toMatch(/column at: is .*TIMESTAMP.*derive columns from it \(hour of day, day of week/);
    expect(await store.list('')).toEqual([]);
  });

  it('refuses a numeric column that holds strings in a later version, naming it; v2 is not written', async () => {
    const store = fresh();
    await publishFiles(store, request([writeTabularFile(dir, 'n1.parquet', { seed: 4, rows: 100, firstId: 0 })]));
    const listed = await store.list('');
    const rows = tabularRows({ seed: 5, rows: 50, firstId: 100 });
    const file = path.join(dir, 'n2.parquet');
    writeFileSync(file, writeParquet([
      { name: 'id', data: BigInt64Array.from(rows, (r) => BigInt(r.id)), type: 'INT64', nullable: false },
      { name: 'origin', data: rows.map((r) => r.origin), type: 'STRING', nullable: false },
      { name: 'carrier', data: rows.map((r) => r.carrier), type: 'STRING', nullable: false },
      { name: 'hour', data: Int32Array.from(rows, (r) => r.hour), type: 'INT32', nullable: false },
      { name: 'distance', data: rows.map((r) => `${r.distance} mi`), type: 'STRING', nullable: false },
      { name: 'status', data: rows.map((r) => r.status), type: 'STRING', nullable: false },
    ]));
    const message = await refusal(publishFiles(store, request([file])));
    expect(message).toMatch(/column distance: is BYTE_ARRAY\/\w+, expected a numeric column, as in the first version/);
    expect(await store.list('')).toEqual(listed);
  });

  it('refuses --categorical on a float column, on a column --features lacks, and on a column numeric in the parent', async () => {
    const store = fresh();
    const file = writeTabularFile(dir, 'c1.parquet', { seed: 6, rows: 100, firstId: 0 });
    expect(await refusal(publishFiles(store, request([file], { categorical: ['distance'] })))).toMatch(/column distance: is DOUBLE; --categorical takes integer columns/);
    expect(await refusal(publishFiles(store, request([file], { categorical: ['gate'] })))).toMatch(/--categorical names column gate, which --features does not/);
    expect(await store.list('')).toEqual([]);
    await publishFiles(store, request([file], { categorical: [] }));
    const later = writeTabularFile(dir, 'c2.parquet', { seed: 7, rows: 100, firstId: 100 });
    expect(await refusal(publishFiles(store, request([later], { categorical: ['hour'] })))).toMatch(/--categorical names column hour, which is numeric in the parent flights v1; a column keeps its kind/);
  });
});
