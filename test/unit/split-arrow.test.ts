import { Dictionary, Float64, Int32, RecordBatchFileReader, RecordBatchFileWriter, Table, tableFromIPC, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFooter } from '../../src/data/arrow-bounds.js';
import { DICTIONARY_BATCH } from '../../src/data/arrow-format.js';
import { bytesSource } from '../../src/data/arrow-messages.js';
import { openLocalFile } from '../../src/data/input-file.js';
import { TempShards } from '../../src/data/shard-plan.js';
import { openShard, readGroupChecked } from '../../src/data/shard-reader.js';
import { splitArrow } from '../../src/data/split-arrow.js';
import { changingDictionaryBatches, dictionaryStream } from '../helpers/arrow-dictionaries.js';

// The Arrow splitter walks a file it has not checked yet: a damaged input must end in a refusal
// (DATASET_INVALID) or in shards that read, never in another error.
const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-split-arrow-'));
const rows = 16;
const table = new Table({
  a: vectorFromArray(Array.from({ length: rows }, (_, i) => i / 2), new Float64()),
  shop: vectorFromArray(Array.from({ length: rows }, (_, i) => ['n', 'e', 'w'][i % 3]!), new Dictionary(new Utf8(), new Int32())),
});
const batches = [...table.slice(0, 8).batches, ...table.slice(8).batches];

async function split(bytes: Uint8Array, name: string, limit: number): Promise<Uint8Array[]> {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  const input = await openLocalFile(file);
  try {
    const shards = await splitArrow(input, name, limit, new TempShards(mkdtempSync(path.join(dir, 'out-'))));
    return shards.map((shard) => new Uint8Array(readFileSync(shard.path)));
  } finally {
    await input.close();
  }
}

/** A column's values, row by row, through the shard reader that validation uses. */
async function valuesIn(shard: Uint8Array, column: string): Promise<unknown[]> {
  const opened = await openShard(shard, 'arrow', 'shard.arrow');
  const out: unknown[] = [];
  for (let g = 0; g < opened.groupCount; g++) out.push(...Array.from((await readGroupChecked(opened, g, [column], 'shard.arrow')).columns.get(column)!));
  return out;
}

async function dictionaryBlocks(shard: Uint8Array): Promise<number> {
  return (await readFooter(bytesSource(shard)))!.blocks.filter((block) => block.type === DICTIONARY_BATCH).length;
}

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

  it.each(['file', 'stream'] as const)('writes each shard of an Arrow %s as an Arrow IPC file that apache-arrow reads as a file, values unchanged', async (format) => {
    const input = new Table(batches);
    const shards = await split(tableToIPC(input, format), `as-file-${format}.arrow`, 1);
    expect(shards).toHaveLength(2);
    const magic = [...'ARROW1'].map((c) => c.charCodeAt(0));
    const a: number[] = [];
    const shop: unknown[] = [];
    for (const shard of shards) {
      expect([...shard.subarray(0, 8)]).toEqual([...magic, 0, 0]);
      expect([...shard.subarray(shard.length - 6)]).toEqual(magic);
      const reader = RecordBatchFileReader.from(shard);
      expect(reader.isFile()).toBe(true);
      const table = new Table(reader.readAll());
      expect(table.batches).toHaveLength(1);
      a.push(...table.getChild('a')!.toArray());
      shop.push(...table.getChild('shop')!.toArray());
    }
    expect(a).toEqual([...input.getChild('a')!.toArray()]);
    expect(shop).toEqual([...input.getChild('shop')!.toArray()]);
  });

  it('a stream with delta and replacement dictionaries: a shard breaks only at a replacement and carries only the dictionaries in effect', async () => {
    const stream = dictionaryStream();
    const expected = [...tableFromIPC(stream).getChild('shop')!.toArray()];
    expect(expected.slice(0, 12)).toEqual(['a', 'b', 'a', 'b', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c']);
    // A bound that the whole stream exceeds but each run fits: the deltas pack with their batches,
    // the replacement starts the second shard (one shard per dictionary message before).
    const packed = await split(stream, 'dict-packed.arrows', stream.length - 1);
    expect(packed).toHaveLength(2);
    expect((await Promise.all(packed.map((shard) => valuesIn(shard, 'shop')))).flat()).toEqual(expected);
    expect(await Promise.all(packed.map(dictionaryBlocks))).toEqual([2, 2]);
    // One batch per shard: each starts with the latest replacement and its deltas, nothing older.
    const each = await split(stream, 'dict-each.arrows', 1);
    expect(each).toHaveLength(5);
    expect((await Promise.all(each.map((shard) => valuesIn(shard, 'shop')))).flat()).toEqual(expected);
    expect(await Promise.all(each.map(dictionaryBlocks))).toEqual([1, 2, 2, 1, 2]);
  });

  it('an Arrow file with a delta dictionary (the file format has no replacements): every shard carries its footer\'s dictionaries', async () => {
    const file = RecordBatchFileWriter.writeAll(changingDictionaryBatches().slice(0, 3)).toUint8Array(true);
    const expected = [...tableFromIPC(file).getChild('shop')!.toArray()];
    const shards = await split(file, 'dict-file.arrow', 1);
    expect(shards).toHaveLength(3);
    expect((await Promise.all(shards.map((shard) => valuesIn(shard, 'shop')))).flat()).toEqual(expected);
    expect(await Promise.all(shards.map(dictionaryBlocks))).toEqual([2, 2, 2]);
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
