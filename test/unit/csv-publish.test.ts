import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvToParquet, csvToShards } from '../../src/data/csv.js';
import { loadExamples } from '../../src/data/examples.js';
import { publishFiles } from '../../src/data/publish-files.js';
import { loadManifest } from '../../src/data/versions.js';
import { isWarmstartError } from '../../src/errors.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-csv-'));
const fresh = () => new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-csv-store-')));
const species = ['virginica', 'setosa', 'versicolor'];

/** A synthetic table unlike MNIST: 5 numeric features on different scales, string labels. */
function csv(name: string, rows: number, labels = species, from = 0): string {
  const lines = ['f1,f2,f3,f4,f5,species,note'];
  for (let i = from; i < from + rows; i++) lines.push([i, i * 100, -i / 10, 3.5, (i % 7) * 1e6, labels[i % labels.length], `"row, ${i}"`].join(','));
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const features = ['f1', 'f2', 'f3', 'f4', 'f5'];

describe('a non-MNIST dataset from CSV', () => {
  it('publishes 5 numeric features with string labels and loads them standardised, with stable class indices', async () => {
    const store = fresh();
    const result = await publishFiles(store, { dataset: 'iris-like', files: [csv('a.csv', 60)], label: 'species', features });
    expect(result.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    const manifest = await loadManifest(store, 'iris-like', 1);
    expect(manifest.features).toMatchObject({ kind: 'columns', columns: features, shape: [5], normalize: { kind: 'standardize' } });
    expect(manifest.label).toEqual({ column: 'species', dtype: 'string' });
    const all = await loadExamples(store, manifest, ['train', 'validation', 'test']);
    expect([all.count, all.featureSize]).toEqual([60, 5]);
    expect(all.ids).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(Array.from(all.y.subarray(0, 3))).toEqual([2, 0, 1]);
    for (let j = 0; j < 5; j++) {
      let mean = 0;
      for (let i = 0; i < 60; i++) mean += all.x[i * 5 + j]! / 60;
      expect(Math.abs(mean)).toBeLessThan(1e-5);
    }
    // The constant feature f4 gets std 1, not a division by zero.
    expect(all.x[4 * 5 + 3]).toBe(0);
  });

  it('refuses labels outside the known classes unless the version declares new classes, which are appended', async () => {
    const store = fresh();
    await publishFiles(store, { dataset: 'iris-like', files: [csv('b1.csv', 30)], label: 'species', features });
    const withNew = csv('b2.csv', 10, [...species, 'arctica'], 30);
    const error = await publishFiles(store, { dataset: 'iris-like', files: [withNew], label: 'species', features }).catch((e: unknown) => e);
    expect(isWarmstartError(error, 'DATASET_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/shard b2\.csv column species row 1: label "arctica" is not one of the 3 known classes; .*--new-classes/);
    const v2 = await publishFiles(store, { dataset: 'iris-like', files: [withNew], label: 'species', features, newClasses: true });
    expect(v2.classes).toEqual(['setosa', 'versicolor', 'virginica', 'arctica']);
    const manifest = await loadManifest(store, 'iris-like', 2);
    // v2 keeps v1's standardisation, and its row ids continue after v1's.
    expect(manifest.features.normalize).toEqual((await loadManifest(store, 'iris-like', 1)).features.normalize);
    const all = await loadExamples(store, manifest, ['train', 'validation', 'test']);
    expect(all.ids.slice(28, 32)).toEqual([28, 29, 30, 31]);
    expect(all.y[31]).toBe(3);
  });

  it('names a non-numeric or empty CSV cell by column and row', async () => {
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, 'f1,f2,f3,f4,f5,species\n1,2,3,4,5,a\n1,2,,4,5,b\n');
    const error = await publishFiles(fresh(), { dataset: 'bad', files: [file], label: 'species', features }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/shard bad\.csv column f3 row 1: NaN is not a finite number/);
  });

  it('streams a CSV file to the same Parquet bytes as converting its whole text', async () => {
    const file = csv('same.csv', 20_000);
    const columns = { numeric: [], maybeText: features, label: 'species' };
    let n = 0;
    const shards = await csvToShards(file, columns, 'same.csv', { limit: Number.MAX_SAFE_INTEGER, next: () => path.join(dir, `same-${n++}.parquet`) });
    expect(shards).toEqual([{ path: path.join(dir, 'same-0.parquet'), rows: 20_000, rowOffset: 0 }]);
    expect(Buffer.compare(readFileSync(shards[0]!.path), Buffer.from(csvToParquet(readFileSync(file, 'utf8'), columns, 'same.csv').bytes))).toBe(0);
  });

  it('decodes a multi-byte UTF-8 label cut in two by the 1 MiB read chunks', async () => {
    const rows: string[] = ['f1,f2,f3,f4,f5,species'];
    let size = rows[0]!.length + 1;
    const add = (row: string) => {
      rows.push(row);
      size += Buffer.byteLength(row) + 1;
    };
    while (size < 1024 * 1024 - 200) add(`${rows.length},1,2,3,4,café`);
    // Pad so that the next row's label starts one byte before the chunk boundary: its 3-byte first character straddles it.
    const head = '9,1,2,3,4,';
    const filler = `${rows.length},1,2,3,4,café`;
    add(`${filler}${' '.repeat(1024 * 1024 - 1 - size - head.length - Buffer.byteLength(filler) - 1)}`);
    add(`${head}東京`);
    add('10,1,2,3,4,café');
    const file = path.join(dir, 'straddle.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);
    expect(readFileSync(file).subarray(1024 * 1024 - 1, 1024 * 1024 + 2).toString('utf8')).toBe('東');
    const result = await publishFiles(fresh(), { dataset: 'utf8', files: [file], label: 'species', features });
    expect(result.classes).toEqual(['café', '東京']);
  });

  it('names a CSV file that stops parsing while megabytes of it are still to be read', async () => {
    const file = path.join(dir, 'bad-quote.csv');
    const rows = (from: number) => Array.from({ length: 60_000 }, (_, i) => `${from + i},1,2,3,4,setosa`).join('\n');
    writeFileSync(file, `f1,f2,f3,f4,f5,species\n1,2,3,4,5,"set"osa\n${rows(0)}\n${rows(60_000)}\n`);
    const error = await publishFiles(fresh(), { dataset: 'bad-quote', files: [file], label: 'species', features }).catch((e: unknown) => e);
    expect(isWarmstartError(error, 'DATASET_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/^CSV file bad-quote\.csv does not parse \(.*\); fix the file$/);
  });
});
