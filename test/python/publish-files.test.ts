import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadExamples } from '../../src/data/examples.js';
import { publishFiles, type PublishFilesRequest } from '../../src/data/publish-files.js';
import { streamBatches } from '../../src/data/stream.js';
import { loadManifest } from '../../src/data/versions.js';
import { isWarmstartError } from '../../src/errors.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import { pyarrow } from '../helpers/pyarrow.js';

// Files written by pyarrow (test/fixtures/pyarrow_interop.py): 100 rows, 4 row groups each.
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'warmstart-pyarrow-'));
  pyarrow('make', dir);
}, 120_000);

const fresh = () => new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-files-')));
const image = (i: number) => Array.from({ length: 16 }, (_, j) => (i * 7 + j) % 256);
const request = (file: string, overrides: Partial<PublishFilesRequest> = {}): PublishFilesRequest => ({
  dataset: 'interop',
  files: [path.join(dir, file)],
  label: 'label',
  features: ['image'],
  idColumn: 'id',
  weightColumn: 'weight',
  splitColumn: 'split',
  ...overrides,
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isWarmstartError(error, 'DATASET_INVALID')).toBe(true);
  return error as Error;
}

describe('publishing files written by pyarrow', () => {
  it.each([
    ['snappy.parquet', 'parquet'],
    ['zstd-fixed.parquet', 'parquet'],
    ['gzip-dict.parquet', 'parquet'],
    ['v1-nullable.parquet', 'parquet'],
    ['batches.arrow', 'arrow'],
  ])('%s publishes and loads every value', async (file, format) => {
    const store = fresh();
    const result = await publishFiles(store, request(file));
    const manifest = await loadManifest(store, 'interop', result.version);
    expect(manifest.shards[0]!.format).toBe(format);
    const stringLabels = file.startsWith('gzip') || file.endsWith('.arrow');
    expect(manifest.classes).toEqual(stringLabels ? ['a', 'b', 'c'] : ['0', '1', '2']);
    const all = await loadExamples(store, manifest, ['train', 'validation', 'test']);
    expect(all.count).toBe(100);
    expect(all.ids).toEqual(Array.from({ length: 100 }, (_, i) => 1000 + i));
    expect(Array.from(all.y)).toEqual(Array.from({ length: 100 }, (_, i) => i % 3));
    expect(Array.from(all.weights!)).toEqual(Array.from({ length: 100 }, (_, i) => 0.5 + (i % 4) / 4));
    const row = 57;
    expect(Array.from(all.x.subarray(row * 16, row * 16 + 16), (v) => Math.round(v * 255))).toEqual(image(row));
    const test = await loadExamples(store, manifest, ['test']);
    expect(test.ids).toEqual(Array.from({ length: 20 }, (_, i) => 1000 + i * 5));
  });

  it('a fixed-size list of floats publishes and streams, shuffled across row groups with a seed', async () => {
    const store = fresh();
    await publishFiles(store, request('list.parquet', { features: ['vec'] }));
    const manifest = await loadManifest(store, 'interop', 1);
    expect(manifest.features).toMatchObject({ kind: 'list', shape: [16] });
    const seen: number[] = [];
    for await (const batch of streamBatches(store, manifest, { batchSize: 32, seed: 7 })) {
      for (let k = 0; k < batch.size; k++) {
        const id = batch.ids[k]!;
        seen.push(id);
        expect(Array.from(batch.x.subarray(k * 16, k * 16 + 16))).toEqual(image(id - 1000));
        expect(batch.y[k]).toBe((id - 1000) % 3);
      }
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => 1000 + i));
    expect(seen).not.toEqual([...seen].sort((a, b) => a - b));
    const again: number[] = [];
    for await (const batch of streamBatches(store, manifest, { batchSize: 32, seed: 7 })) again.push(...batch.ids);
    expect(again).toEqual(seen);
  });

  it('rejects a null label, NaN features and ids beyond 2^53, naming shard, column and row, and writes nothing', async () => {
    const store = fresh();
    expect((await rejection(publishFiles(store, request('null-label.parquet')))).message).toMatch(/shard null-label\.parquet column label row 42: expected an integer, got null/);
    expect((await rejection(publishFiles(store, request('nan.parquet', { features: ['vec'] })))).message).toMatch(/shard nan\.parquet column vec row 57: NaN is not a finite number/);
    expect((await rejection(publishFiles(store, request('big-id.parquet')))).message).toMatch(/shard big-id\.parquet column id row 7: 9007199254740997 is beyond 2\^53/);
    expect(await store.list('datasets/')).toEqual([]);
  });

  it('rejects missing columns, wrong dtypes, a schema that differs from the parent, and new labels', async () => {
    const store = fresh();
    expect((await rejection(publishFiles(store, request('snappy.parquet', { label: 'digit' })))).message).toMatch(/column digit: missing \(the file has id, label, image, weight, split\)/);
    expect((await rejection(publishFiles(store, request('snappy.parquet', { label: 'weight', weightColumn: undefined })))).message).toMatch(/column weight: is FLOAT, expected integer labels/);
    // A column in two parts is refused before its type is looked at.
    expect((await rejection(publishFiles(store, request('snappy.parquet', { label: 'weight' })))).message).toMatch(/column weight is both --label and --weight-column/);
    await publishFiles(store, request('snappy.parquet'));
    expect((await rejection(publishFiles(store, request('snappy.parquet', { shape: [4, 2] })))).message).toMatch(/schema differs from the parent interop v1: features\.shape is \[4,2\], the parent has \[16\]/);
    expect((await rejection(publishFiles(store, request('gzip-dict.parquet')))).message).toMatch(/label is \{"column":"label","dtype":"string"\}/);
    expect(await store.list('datasets/interop/v2')).toEqual([]);
  });

  it('rejects truncated and empty files', async () => {
    const store = fresh();
    const bytes = readFileSync(path.join(dir, 'snappy.parquet'));
    writeFileSync(path.join(dir, 'cut.parquet'), bytes.subarray(0, 3000));
    writeFileSync(path.join(dir, 'empty.arrow'), '');
    expect((await rejection(publishFiles(store, request('cut.parquet')))).message).toMatch(/shard cut\.parquet is not a readable Parquet file/);
    expect((await rejection(publishFiles(store, request('empty.arrow')))).message).toMatch(/shard empty\.arrow is empty/);
  });

  it('a file changed between validation and upload is refused and the shards already uploaded are removed', async () => {
    const store = fresh();
    const copy = path.join(dir, 'copy.parquet');
    writeFileSync(copy, readFileSync(path.join(dir, 'snappy.parquet')));
    const files = [path.join(dir, 'zstd-fixed.parquet'), copy];
    const onProgress = () => writeFileSync(copy, readFileSync(path.join(dir, 'v1-nullable.parquet')));
    const error = await rejection(publishFiles(store, { ...request('snappy.parquet'), files, onProgress }));
    expect(error.message).toMatch(/changed between validation and upload/);
    expect(await store.list('datasets/')).toEqual([]);
  });
});

