import { Dictionary, Float64, Int32, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalFile } from '../../src/data/input-file.js';
import { TempShards } from '../../src/data/shard-plan.js';
import { openShard, readGroupChecked } from '../../src/data/shard-reader.js';
import { splitArrow } from '../../src/data/split-arrow.js';

// The Arrow splitter walks a file it has not checked yet: a damaged input must end in a refusal
// (DATASET_INVALID) or in shards that read, never in another error.
const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-split-arrow-'));
const rows = 16;
const table = new Table({
  a: vectorFromArray(Array.from({ length: rows }, (_, i) => i / 2), new Float64()),
  shop: vectorFromArray(Array.from({ length: rows }, (_, i) => ['n', 'e', 'w'][i % 3]!), new Dictionary(new Utf8(), new Int32())),
});
const batches = [...table.slice(0, 8).batches, ...table.slice(8).batches];

async function splitAndRead(bytes: Uint8Array, name: string): Promise<number> {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  const input = await openLocalFile(file);
  try {
    const shards = await splitArrow(input, name, 1, new TempShards(mkdtempSync(path.join(dir, 'out-'))));
    let seen = 0;
    for (const shard of shards) {
      const opened = await openShard(new Uint8Array(readFileSync(shard.path)), 'arrow', name);
      for (let g = 0; g < opened.groupCount; g++) seen += (await readGroupChecked(opened, g, ['a', 'shop'], name)).rows;
    }
    return seen;
  } finally {
    await input.close();
  }
}

describe('splitArrow', () => {
  it.each(['file', 'stream'] as const)('cuts an Arrow %s into one shard per batch, each with the schema and dictionary', async (format) => {
    expect(await splitAndRead(tableToIPC(new Table(batches), format), `ok-${format}.arrow`)).toBe(rows);
  });

  it('every byte of a file or a stream set to 0xff in turn: the shards read, or the input is refused as DATASET_INVALID', async () => {
    const outcomes = new Map<string, number>();
    for (const format of ['file', 'stream'] as const) {
      const bytes = tableToIPC(new Table(batches), format);
      for (let at = 0; at < bytes.length; at++) {
        const damaged = bytes.slice();
        damaged[at] = 0xff;
        const outcome = await splitAndRead(damaged, `damaged-${format}-${at}.arrow`).then(
          () => 'read',
          (error: unknown) => ((error as { code?: string }).code === 'DATASET_INVALID' ? 'refused' : `other: ${(error as Error).message}`),
        );
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    }
    expect([...outcomes.keys()].filter((k) => k !== 'read' && k !== 'refused')).toEqual([]);
    expect(outcomes.get('read')).toBeGreaterThan(50);
    expect(outcomes.get('refused')).toBeGreaterThan(50);
  });
});
