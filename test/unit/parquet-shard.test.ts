import { describe, expect, it } from 'vitest';
import { readParquetShard, writeParquetShard } from '../../src/data/parquet-shard.js';
import { isWarmstartError } from '../../src/errors.js';

const columns = { id: 'id', label: 'label', features: 'image' };
const rows = Array.from({ length: 50 }, (_, i) => ({ id: 1000 + i, label: i % 10, features: Uint8Array.from({ length: 4 }, (_, j) => (i * 7 + j) % 256) }));

describe('parquet shards', () => {
  it('round-trips ids, labels and feature bytes across several row groups', async () => {
    const bytes = writeParquetShard(rows, columns, 16);
    const read = await readParquetShard(bytes, columns, 'k', 4);
    expect(read.ids).toEqual(rows.map((r) => r.id));
    expect(read.labels).toEqual(rows.map((r) => r.label));
    expect(read.features.map((f) => Array.from(f))).toEqual(rows.map((r) => Array.from(r.features)));
  });

  it('names missing columns', async () => {
    const bytes = writeParquetShard(rows, columns);
    await expect(readParquetShard(bytes, { ...columns, label: 'digit' }, 'shard-1', 4)).rejects.toThrow(/lacks column\(s\) digit/);
  });

  it('rejects feature bytes of the wrong size', async () => {
    const bytes = writeParquetShard(rows, columns);
    await expect(readParquetShard(bytes, columns, 'shard-1', 784)).rejects.toThrow(/must hold 784 bytes, got 4/);
  });

  it('rejects bytes that are not Parquet', async () => {
    const error = await readParquetShard(new TextEncoder().encode('definitely not parquet'), columns, 'shard-x', 4).catch((e: unknown) => e);
    expect(isWarmstartError(error, 'DATASET_INVALID')).toBe(true);
  });
});
