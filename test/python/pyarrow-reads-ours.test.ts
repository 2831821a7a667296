import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvToParquet } from '../../src/data/csv.js';
import { writeParquetShard } from '../../src/data/parquet-write.js';
import { pyarrow } from '../helpers/pyarrow.js';

// The Parquet warmstart writes is read by another implementation (pinned pyarrow) to the same values.
const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-ours-'));

describe('files warmstart writes, read back by pyarrow', () => {
  it('image shards: ids, labels and bytes identical across row groups', () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({ id: 5000 + i, label: i % 10, features: Uint8Array.from({ length: 784 }, (_, j) => (i + j * 3) % 256) }));
    const file = path.join(dir, 'ours.parquet');
    writeFileSync(file, writeParquetShard(rows, { id: 'id', label: 'label', features: 'image' }, 128));
    const read = JSON.parse(pyarrow('dump', file)) as { id: number[]; label: number[]; image: number[][]; _meta: { num_row_groups: number } };
    expect(read._meta.num_row_groups).toBe(3);
    expect(read.id).toEqual(rows.map((r) => r.id));
    expect(read.label).toEqual(rows.map((r) => r.label));
    expect(read.image).toEqual(rows.map((r) => Array.from(r.features)));
  });

  it('CSV converted to Parquet: doubles, string labels and text identical', () => {
    const { bytes } = csvToParquet('x,y,label,note\n1.5,-2,cat,"a, b"\n1e-3,7,dog,\n', { numeric: ['x', 'y'], label: 'label', text: ['note'] }, 't.csv');
    const file = path.join(dir, 'csv.parquet');
    writeFileSync(file, bytes);
    expect(JSON.parse(pyarrow('dump', file))).toMatchObject({ x: [1.5, 0.001], y: [-2, 7], label: ['cat', 'dog'], note: ['a, b', ''] });
  });
});
