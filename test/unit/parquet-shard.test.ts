import { describe, expect, it } from 'vitest';
import { checkColumns, decodeGroup, type RowSchema } from '../../src/data/decode.js';
import { writeParquetShard } from '../../src/data/parquet-write.js';
import { openShard, readGroupChecked } from '../../src/data/shard-reader.js';
import { isWarmstartError } from '../../src/errors.js';

const columns = { id: 'id', label: 'label', features: 'image' };
const rows = Array.from({ length: 50 }, (_, i) => ({ id: 1000 + i, label: i % 10, features: Uint8Array.from({ length: 4 }, (_, j) => (i * 7 + j) % 256) }));
const schema = (size: number): RowSchema => ({
  dataset: 'd',
  idColumn: 'id',
  features: { kind: 'binary', column: 'image', dtype: 'uint8', shape: [size], normalize: { kind: 'affine', scale: 1, offset: 0 } },
  label: { column: 'label', dtype: 'integer' },
  weightColumn: null,
  classes: Array.from({ length: 10 }, (_, i) => String(i)),
  split: { kind: 'hash', testFraction: 0.2, validationFraction: 0 },
});
const all = ['train', 'validation', 'test'] as const;

async function decodeAll(bytes: Uint8Array, size: number) {
  const file = await openShard(bytes, 'parquet', 'k');
  checkColumns(schema(size), file.columns, 'k');
  const out = [];
  for (let g = 0; g < file.groupCount; g++) {
    out.push(decodeGroup(schema(size), await readGroupChecked(file, g, ['id', 'label', 'image'], 'k'), { key: 'k', firstId: 0, splits: all }));
  }
  return { file, out };
}

describe('parquet shards', () => {
  it('round-trips ids, labels and feature bytes across several row groups', async () => {
    const { file, out } = await decodeAll(writeParquetShard(rows, columns, 16), 4);
    expect(file.groupCount).toBe(4);
    expect(out.flatMap((g) => Array.from(g.ids))).toEqual(rows.map((r) => r.id));
    expect(out.flatMap((g) => Array.from(g.y))).toEqual(rows.map((r) => r.label));
    expect(Array.from(out[1]!.x.subarray(0, 4))).toEqual(Array.from(rows[16]!.features));
  });

  it('names missing columns', async () => {
    const file = await openShard(writeParquetShard(rows, columns), 'parquet', 'shard-1');
    const other = { ...schema(4), label: { column: 'digit', dtype: 'integer' as const } };
    expect(() => checkColumns(other, file.columns, 'shard-1')).toThrow(/shard shard-1 column digit: missing \(the file has id, label, image\)/);
  });

  it('rejects feature bytes of the wrong size, naming the row', async () => {
    await expect(decodeAll(writeParquetShard(rows, columns), 784)).rejects.toThrow(/shard k column image row 0: holds 4 values, the shape \[784\] needs 784/);
  });

  it('rejects bytes that are not Parquet, and empty files', async () => {
    const error = await openShard(new TextEncoder().encode('definitely not parquet'), 'parquet', 'shard-x').catch((e: unknown) => e);
    expect(isWarmstartError(error, 'DATASET_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/shard shard-x is not a readable Parquet file/);
    await expect(openShard(new Uint8Array(0), 'parquet', 'shard-y')).rejects.toThrow(/shard shard-y is empty/);
  });

  it('rejects a truncated file', async () => {
    const bytes = writeParquetShard(rows, columns);
    await expect(openShard(bytes.subarray(0, bytes.length - 100), 'parquet', 'cut')).rejects.toThrow(/cut is not a readable Parquet file/);
  });
});
