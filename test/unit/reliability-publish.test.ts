import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../src/data/manifest.js';
import { publishFiles } from '../../src/data/publish-files.js';
import { commitVersion } from '../../src/data/publish.js';
import { loadManifest } from '../../src/data/versions.js';
import { isWarmstartError } from '../../src/errors.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';

// A version that `validate` would refuse is never written: the manifest meets its own schema first.
const fresh = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-rel-'));
  return { dir, store: new LocalObjectStore(path.join(dir, 'store')) };
};

function csv(dir: string, name: string, rows: number): string {
  const file = path.join(dir, name);
  writeFileSync(file, ['a,b,kind', ...Array.from({ length: rows }, (_, i) => `${i},${i % 5},${i % 2 ? 'odd' : 'even'}`)].join('\n'));
  return file;
}

const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as Error);

describe('publish checks the manifest against its schema before writing', () => {
  it('a schema whose manifest would not parse is refused before any shard is uploaded', async () => {
    const { dir, store } = fresh();
    const error = await rejection(
      commitVersion(store, {
        dataset: 'dup',
        version: 1,
        parent: undefined,
        schema: {
          idColumn: null,
          features: { kind: 'columns', columns: ['a'], dtype: 'float32', shape: [1], normalize: { kind: 'affine', scale: 1, offset: 0 } },
          label: { column: 'kind', dtype: 'string' },
          weightColumn: null,
          classes: ['x', 'x'],
          split: { kind: 'hash', testFraction: 0.2, validationFraction: 0.1 },
        },
        shards: [{ body: new Uint8Array([1, 2, 3]), size: 3, format: 'parquet', rows: 1 }],
      }),
    );
    expect(isWarmstartError(error, 'DATASET_INVALID')).toBe(true);
    expect(error!.message).toMatch(/dup v1 would get a manifest that cannot be read \(field classes must not repeat a class name\)/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('split fractions that leave no train split are refused', async () => {
    const { dir, store } = fresh();
    const error = await rejection(publishFiles(store, { dataset: 'split', files: [csv(dir, 's.csv', 20)], label: 'kind', features: ['a', 'b'], testFraction: 0.7, validationFraction: 0.5 }));
    expect(isWarmstartError(error, 'DATASET_INVALID')).toBe(true);
    expect(error!.message).toMatch(/split fractions test 0\.7 and validation 0\.5 .* sum below 1/);
  });

  it('the same bytes under two file names are refused', async () => {
    const { dir, store } = fresh();
    const one = csv(dir, 'one.csv', 20);
    const two = path.join(dir, 'two.csv');
    writeFileSync(two, readFileSync(one));
    const error = await rejection(publishFiles(store, { dataset: 'same', files: [one, two], label: 'kind', features: ['a', 'b'] }));
    expect(error!.message).toMatch(/two\.csv holds the same bytes as .*one\.csv/);
  });

  it('a manifest listing a shard twice does not parse', async () => {
    const { dir, store } = fresh();
    await publishFiles(store, { dataset: 'twice', files: [csv(dir, 't.csv', 20)], label: 'kind', features: ['a', 'b'] });
    const manifest = await loadManifest(store, 'twice', 1);
    const doubled = JSON.stringify({ ...manifest, shards: [...manifest.shards, manifest.shards[0]] });
    expect(() => parseManifest(doubled, 'm.json')).toThrow(/field shards\.1\.key lists shard "datasets\/twice\/v1\/part-00000-[0-9a-f]+\.parquet" a second time/);
  });
});


describe('publish refuses data that would fail only later', () => {
  it('a CSV file that is not UTF-8', async () => {
    const { dir, store } = fresh();
    const file = path.join(dir, 'latin1.csv');
    const rows = Array.from({ length: 20 }, (_, i) => `${i},${i % 5},${i % 2 ? 'caf\xe9' : 'tea'}`).join('\n');
    writeFileSync(file, Buffer.from(`a,b,kind\n${rows}\n`, 'latin1'));
    const error = await rejection(publishFiles(store, { dataset: 'utf', files: [file], label: 'kind', features: ['a', 'b'] }));
    expect(isWarmstartError(error, 'DATASET_INVALID')).toBe(true);
    expect(error!.message).toMatch(/latin1\.csv is not valid UTF-8; save it as UTF-8/);
  });

  it('a first version without a single training row', async () => {
    const { dir, store } = fresh();
    const file = path.join(dir, 'test-only.csv');
    writeFileSync(file, ['a,b,kind,split', ...Array.from({ length: 20 }, (_, i) => `${i},${i % 5},${i % 2 ? 'odd' : 'even'},test`)].join('\n'));
    const error = await rejection(publishFiles(store, { dataset: 'notrain', files: [file], label: 'kind', features: ['a', 'b'], splitColumn: 'split' }));
    expect(isWarmstartError(error, 'DATASET_INVALID')).toBe(true);
    expect(error!.message).toMatch(/no row falls in the train split/);
    expect(readdirSync(dir).filter((f) => f === 'store')).toEqual([]);
  });
});
