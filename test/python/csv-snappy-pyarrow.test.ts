import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvToParquet } from '../../src/data/csv.js';
import { pyarrow } from '../helpers/pyarrow.js';

// Converted CSV pages are compressed by warmstart's own Snappy compressor (src/data/snappy-compress.ts):
// pyarrow's Snappy must read them, copies and long literals included, to the same values.
const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-csv-snappy-'));

describe('CSV pages compressed by our Snappy, read by pyarrow', () => {
  it('20,000 rows in 3 row groups: 4-decimal doubles, repeated strings and integer labels identical', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ x: Math.round(((i * 7919) % 10_007) / 7) / 1e4, label: i % 10, city: ['oslo', 'lima', 'pune'][i % 3]! }));
    const text = `x,label,city\n${rows.map((r) => `${r.x},${r.label},${r.city}`).join('\n')}\n`;
    const { bytes } = csvToParquet(text, { numeric: ['x'], label: 'label', categorical: ['city'] }, 'big.csv');
    const file = path.join(dir, 'big.parquet');
    writeFileSync(file, bytes);
    const read = JSON.parse(pyarrow('dump', file)) as { x: number[]; label: number[]; city: string[]; _meta: { num_row_groups: number } };
    expect(read._meta.num_row_groups).toBe(3);
    expect(read.x).toEqual(rows.map((r) => r.x));
    expect(read.label).toEqual(rows.map((r) => r.label));
    expect(read.city).toEqual(rows.map((r) => r.city));
  });
});
