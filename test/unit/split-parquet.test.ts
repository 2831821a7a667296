import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalFile, openParquetFile } from '../../src/data/input-file.js';
import { writeParquet } from '../../src/data/parquet-write.js';
import { TempShards } from '../../src/data/shard-plan.js';
import { readGroupChecked } from '../../src/data/shard-reader.js';
import { splitParquet } from '../../src/data/split-parquet.js';

// The Parquet splitter copies column chunks where a footer it has not validated says they are: a
// damaged input must end in a refusal (DATASET_INVALID) or in shards that read, never in another error.
const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-split-parquet-'));
const rows = 24;
const bytes = writeParquet(
  [
    { name: 'a', data: Float64Array.from({ length: rows }, (_, i) => i / 2), type: 'DOUBLE', nullable: false },
    { name: 'shop', data: Array.from({ length: rows }, (_, i) => ['n', 'e', 'w'][i % 3]!), type: 'STRING', nullable: false },
  ],
  8,
);

async function splitAndRead(input: Uint8Array, name: string): Promise<{ rows: number; values: unknown[] }> {
  const file = path.join(dir, name);
  writeFileSync(file, input);
  const local = await openLocalFile(file);
  const values: unknown[] = [];
  let seen = 0;
  try {
    for (const shard of await splitParquet(local, name, 1, new TempShards(mkdtempSync(path.join(dir, 'out-'))))) {
      const out = await openLocalFile(shard.path);
      try {
        const opened = await openParquetFile(out, name);
        for (let g = 0; g < opened.groupCount; g++) {
          const group = await readGroupChecked(opened, g, ['a'], name);
          seen += group.rows;
          values.push(...Array.from(group.columns.get('a')!));
        }
      } finally {
        await out.close();
      }
    }
  } finally {
    await local.close();
  }
  return { rows: seen, values };
}

describe('splitParquet', () => {
  it('cuts a file into one shard per row group, the values unchanged', async () => {
    expect(await splitAndRead(bytes, 'ok.parquet')).toEqual({ rows, values: Array.from({ length: rows }, (_, i) => i / 2) });
  });

  it('every byte set to 0xff or 0x00 in turn: the shards read, or the input is refused as DATASET_INVALID', async () => {
    const outcomes = new Map<string, number>();
    for (let at = 0; at < bytes.length; at++) {
      for (const value of [0xff, 0x00]) {
        const damaged = bytes.slice();
        damaged[at] = value;
        const outcome = await splitAndRead(damaged, `damaged-${at}-${value}.parquet`).then(
          () => 'read',
          (error: unknown) => ((error as { code?: string }).code === 'DATASET_INVALID' ? 'refused' : `other: ${(error as Error).message}`),
        );
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    }
    expect([...outcomes.keys()].filter((k) => k !== 'read' && k !== 'refused')).toEqual([]);
    expect(outcomes.get('read')).toBeGreaterThan(20);
    expect(outcomes.get('refused')).toBeGreaterThan(20);
  });
});
