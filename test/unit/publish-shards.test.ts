import { Dictionary, Float64, Int32, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadExamples } from '../../src/data/examples.js';
import { writeParquet } from '../../src/data/parquet-write.js';
import { publishFiles, type PublishFilesRequest } from '../../src/data/publish-files.js';
import { listVersions, loadManifest } from '../../src/data/versions.js';
import { isWarmstartError } from '../../src/errors.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import type { ObjectStore } from '../../src/storage/object-store.js';

// A large input is published as shards of a bounded size, cut at row-group / record-batch
// boundaries; the version reads back row for row as the same file published whole.
const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-shards-'));
const fresh = () => new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-shards-store-')));
const ROWS = 3000;
const label = (i: number) => ['north', 'east', 'west'][i % 3]!;

function parquetFile(name: string, rows = ROWS, groupRows = 250): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    writeParquet(
      [
        { name: 'id', data: BigInt64Array.from({ length: rows }, (_, i) => BigInt(7000 + i)), type: 'INT64', nullable: false },
        { name: 'a', data: Float64Array.from({ length: rows }, (_, i) => i / 7), type: 'DOUBLE', nullable: false },
        { name: 'b', data: Float64Array.from({ length: rows }, (_, i) => (i * 13) % 101), type: 'DOUBLE', nullable: false },
        { name: 'shop', data: Array.from({ length: rows }, (_, i) => label(i * 5)), type: 'STRING', nullable: false },
        { name: 'kind', data: Array.from({ length: rows }, (_, i) => label(i)), type: 'STRING', nullable: false },
      ],
      groupRows,
    ),
  );
  return file;
}

function arrowFile(name: string, format: 'file' | 'stream', rows = ROWS, batchRows = 250): string {
  const table = new Table({
    a: vectorFromArray(Array.from({ length: rows }, (_, i) => i / 7), new Float64()),
    b: vectorFromArray(Array.from({ length: rows }, (_, i) => (i * 13) % 101), new Float64()),
    shop: vectorFromArray(Array.from({ length: rows }, (_, i) => label(i * 5)), new Dictionary(new Utf8(), new Int32())),
    kind: vectorFromArray(Array.from({ length: rows }, (_, i) => label(i)), new Utf8()),
  });
  const batches = Array.from({ length: Math.ceil(rows / batchRows) }, (_, k) => table.slice(k * batchRows, (k + 1) * batchRows).batches).flat();
  const file = path.join(dir, name);
  writeFileSync(file, tableToIPC(new Table(batches), format));
  return file;
}

function csvFile(name: string, rows = 20_000, bad?: number): string {
  const lines = ['a,b,shop,kind'];
  for (let i = 0; i < rows; i++) lines.push(`${i === bad ? '' : i / 8},${(i * 13) % 101},${label(i * 5)},${label(i)}`);
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const request = (file: string, extra: Partial<PublishFilesRequest> = {}): PublishFilesRequest => ({ dataset: 'big', files: [file], label: 'kind', features: ['a', 'b', 'shop'], ...extra });

/** Publishes the file whole and split; returns both manifests after checking that every split reads the same rows. */
async function publishBoth(file: string, maxShardBytes: number, extra: Partial<PublishFilesRequest> = {}) {
  const whole = fresh();
  const split = fresh();
  await publishFiles(whole, request(file, extra));
  const result = await publishFiles(split, request(file, { ...extra, maxShardBytes }));
  const [one, many] = [await loadManifest(whole, 'big', 1), await loadManifest(split, 'big', 1)];
  for (const splits of [['train', 'validation', 'test'], ['test']] as const) {
    const [a, b] = [await loadExamples(whole, one, [...splits]), await loadExamples(split, many, [...splits])];
    expect(b.count).toBe(a.count);
    expect(b.ids).toEqual(a.ids);
    expect(Array.from(b.y)).toEqual(Array.from(a.y));
    expect(Array.from(b.x)).toEqual(Array.from(a.x));
  }
  expect(many.features).toEqual(one.features);
  expect(many.classes).toEqual(one.classes);
  return { one, many, result };
}

describe('publish splits a large input into bounded shards', () => {
  it('a Parquet file: whole row groups copied into shards of at most the bound, the same rows, ids and splits', async () => {
    const file = parquetFile('big.parquet');
    const { one, many, result } = await publishBoth(file, 8 * 1024, { idColumn: 'id' });
    expect(one.shards).toHaveLength(1);
    expect(many.shards.length).toBeGreaterThan(3);
    expect(result.newShards).toBe(many.shards.length);
    expect(many.shards.reduce((n, s) => n + s.rows, 0)).toBe(ROWS);
    for (const shard of many.shards) expect(shard.bytes).toBeLessThanOrEqual(8 * 1024 + 4096);
    // Row ids continue across the shards: each starts where the one before ended.
    expect(many.shards.map((s) => s.firstId)).toEqual(many.shards.map((_, k) => many.shards.slice(0, k).reduce((n, s) => n + s.rows, 0)));
  });

  it('a Parquet file without an id column: ids are row positions, so hash splits are unchanged', async () => {
    const { many } = await publishBoth(parquetFile('noid.parquet'), 8 * 1024);
    expect(many.shards.length).toBeGreaterThan(3);
  });

  it.each(['file', 'stream'] as const)('an Arrow IPC %s with a dictionary column: record batches copied into Arrow IPC file shards', async (format) => {
    const { many } = await publishBoth(arrowFile(`big-${format}.arrow`, format), 24 * 1024);
    expect(many.shards.length).toBeGreaterThan(3);
    expect(many.shards.every((s) => s.format === 'arrow')).toBe(true);
  });

  it('a CSV file: converted in row groups of 8192 rows, a new shard once one reaches the bound', async () => {
    const { many } = await publishBoth(csvFile('big.csv'), 16 * 1024);
    expect(many.shards.map((s) => s.rows)).toEqual([8192, 8192, 20_000 - 2 * 8192]);
  });

  it("a bad CSV cell in a later shard is named by the file's row, not the shard's", async () => {
    const error = await publishFiles(fresh(), request(csvFile('bad.csv', 20_000, 17_000), { maxShardBytes: 16 * 1024 })).catch((e: unknown) => e);
    expect(isWarmstartError(error, 'DATASET_INVALID')).toBe(true);
    expect((error as Error).message).toBe('shard bad.csv column a row 17000: NaN is not a finite number; replace NaN and infinite values before publishing');
  });

  it('a bad value in a later Parquet shard names the file and its row', async () => {
    const file = path.join(dir, 'nan.parquet');
    const rows = 2000;
    writeFileSync(
      file,
      writeParquet(
        [
          { name: 'a', data: Float64Array.from({ length: rows }, (_, i) => (i === 1500 ? Number.NaN : i)), type: 'DOUBLE', nullable: false },
          { name: 'b', data: Float64Array.from({ length: rows }, (_, i) => i % 9), type: 'DOUBLE', nullable: false },
          { name: 'shop', data: Array.from({ length: rows }, (_, i) => label(i)), type: 'STRING', nullable: false },
          { name: 'kind', data: Array.from({ length: rows }, (_, i) => label(i + 1)), type: 'STRING', nullable: false },
        ],
        100,
      ),
    );
    const error = await publishFiles(fresh(), request(file, { maxShardBytes: 8 * 1024 })).catch((e: unknown) => e);
    expect((error as Error).message).toBe('shard nan.parquet column a row 1500: NaN is not a finite number; replace NaN and infinite values before publishing');
  });

  it('a failed upload of a later shard leaves nothing behind, and the retry publishes the whole version', async () => {
    const inner = fresh();
    let puts = 0;
    const flaky: ObjectStore = Object.assign(Object.create(inner) as ObjectStore, {
      put: async (...args: Parameters<ObjectStore['put']>) => {
        if (++puts === 3) throw new Error('connection reset');
        return inner.put(...args);
      },
    });
    const file = parquetFile('flaky.parquet');
    await expect(publishFiles(flaky, request(file, { maxShardBytes: 16 * 1024 }))).rejects.toThrow(/connection reset/);
    expect(await inner.list('datasets/')).toEqual([]);
    const result = await publishFiles(flaky, request(file, { maxShardBytes: 16 * 1024 }));
    expect(result.version).toBe(1);
    expect(await listVersions(inner, 'big')).toEqual([1]);
  });
});

describe('publish cancellation and temporary shards', () => {
  const saved = process.env.TMPDIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  });

  it('a cancelled publish stops at its next read, uploads nothing, and removes its temporary shards', async () => {
    const store = fresh();
    const scratch = mkdtempSync(path.join(tmpdir(), 'warmstart-shards-tmp-'));
    process.env.TMPDIR = scratch;
    const controller = new AbortController();
    const file = csvFile('cancel.csv', 60_000);
    let reported = 0;
    // Aborted while the first shard is uploaded: the second shard's read must see it.
    const publish = publishFiles(store, { ...request(file, { maxShardBytes: 16 * 1024 }), signal: controller.signal, onProgress: () => (++reported === 1 ? controller.abort() : undefined) });
    const error = await publish.catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(reported).toBe(1);
    expect(await store.list('datasets/')).toEqual([]);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('an aborted signal is seen before the CSV is read through', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await publishFiles(fresh(), { ...request(csvFile('pre.csv', 100)), signal: controller.signal }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
  });

  it("a cancel during the parent version's check stops it: no parent shard is read after the abort", async () => {
    const inner = fresh();
    await publishFiles(inner, request(parquetFile('parent.parquet'), { maxShardBytes: 8 * 1024 }));
    const controller = new AbortController();
    let afterAbort = 0;
    const watched: ObjectStore = Object.assign(Object.create(inner) as ObjectStore, {
      get: async (...args: Parameters<ObjectStore['get']>) => {
        if (!args[0].includes('/part-')) return inner.get(...args);
        if (controller.signal.aborted) afterAbort++;
        controller.abort();
        return inner.get(...args);
      },
    });
    const error = await publishFiles(watched, { ...request(parquetFile('child.parquet', 100)), signal: controller.signal }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(afterAbort).toBe(0);
    expect(await listVersions(inner, 'big')).toEqual([1]);
  });
});
