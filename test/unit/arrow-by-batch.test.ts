import { Dictionary, Float64, Int32, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openArrowFile } from '../../src/data/arrow-by-batch.js';
import { openLocalFile, type LocalFile } from '../../src/data/input-file.js';
import { openShard, readGroupChecked, type ShardFile } from '../../src/data/shard-reader.js';
import { dictionaryStream } from '../helpers/arrow-dictionaries.js';

// publish validates an Arrow file batch by batch from disk (arrow-by-batch.ts) instead of whole
// (openShard): the same rows, values and refusals, with reads of one batch (and its schema and
// dictionaries) at a time.
const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-arrow-by-batch-'));
const rows = 24;
const table = new Table({
  a: vectorFromArray(Array.from({ length: rows }, (_, i) => i / 2), new Float64()),
  shop: vectorFromArray(Array.from({ length: rows }, (_, i) => ['n', 'e', 'w'][i % 3]!), new Dictionary(new Utf8(), new Int32())),
  note: vectorFromArray(Array.from({ length: rows }, (_, i) => (i % 4 ? `note ${i}` : null))),
});
const threeBatches = new Table([...table.slice(0, 8).batches, ...table.slice(8, 16).batches, ...table.slice(16).batches]);


/** A local file that records the largest single read and the bytes read since the last reset. */
async function counted(bytes: Uint8Array, name: string): Promise<LocalFile & { largest: number; total: number }> {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  const local = await openLocalFile(file);
  const out = Object.assign(local, { largest: 0, total: 0 });
  const read = local.read.bind(local);
  out.read = async (start, end) => {
    const got = await read(start, end);
    out.largest = Math.max(out.largest, got.byteLength);
    out.total += got.byteLength;
    return got;
  };
  return out;
}

/** Every row's values, and the row count (a file without batches reads whole as one empty batch, here as none). */
async function everyGroup(file: ShardFile, key: string): Promise<{ rows: number; values: Record<string, unknown[]> }> {
  const names = file.columns.map((c) => c.name);
  const values: Record<string, unknown[]> = Object.fromEntries(names.map((n) => [n, []]));
  let rows = 0;
  for (let g = 0; g < file.groupCount; g++) {
    const group = await readGroupChecked(file, g, names, key);
    rows += group.rows;
    for (const n of names) values[n]!.push(...Array.from(group.columns.get(n)!));
  }
  expect(rows).toBe(file.rows);
  return { rows, values };
}

describe('openArrowFile', () => {
  const inputs = { file: tableToIPC(threeBatches, 'file'), stream: tableToIPC(threeBatches, 'stream'), 'dictionary stream': dictionaryStream() };
  const batchCounts = { file: 3, stream: 3, 'dictionary stream': 5 };

  it.each(Object.keys(inputs) as (keyof typeof inputs)[])('an Arrow %s reads batch by batch as it reads whole', async (kind) => {
    const bytes = inputs[kind];
    const local = await counted(bytes, `${kind}.arrow`);
    try {
      const byBatch = await openArrowFile(local, 'k.arrow');
      const whole = await openShard(bytes, 'arrow', 'k.arrow');
      expect(byBatch.rows).toBe(whole.rows);
      expect(byBatch.columns).toEqual(whole.columns);
      expect(byBatch.groupCount).toBe(batchCounts[kind]);
      expect(await everyGroup(byBatch, 'k.arrow')).toEqual(await everyGroup(whole, 'k.arrow'));
    } finally {
      await local.close();
    }
  });

  it('reads a batch with its schema and dictionaries only, never the file whole', async () => {
    const many = new Table(Array.from({ length: 12 }, (_, k) => table.slice(2 * k, 2 * k + 2).batches).flat());
    const bytes = tableToIPC(many, 'file');
    const local = await counted(bytes, 'many.arrow');
    try {
      const file = await openArrowFile(local, 'many.arrow');
      expect(local.largest).toBeLessThan(bytes.length / 4);
      local.total = 0;
      await file.readGroup(5, ['a', 'shop', 'note']);
      expect(local.total).toBeLessThan(bytes.length / 4);
    } finally {
      await local.close();
    }
  });

  it('every byte of a file or a stream set to 0xff in turn: it reads as openShard reads it, or both refuse it as DATASET_INVALID', async () => {
    const small = new Table([...table.slice(0, 4).batches, ...table.slice(4, 8).batches]);
    const outcomes = new Map<string, number>();
    const outcome = (read: Promise<unknown>) => read.then(
      (value) => JSON.stringify(value),
      (error: unknown) => ((error as { code?: string }).code === 'DATASET_INVALID' ? 'refused' : `other: ${(error as Error).message}`),
    );
    for (const bytes of [tableToIPC(small, 'file'), tableToIPC(small, 'stream')]) {
      for (let at = 0; at < bytes.length; at++) {
        const damaged = bytes.slice();
        damaged[at] = 0xff;
        const local = await counted(damaged, 'damaged.arrow');
        try {
          const byBatch = await outcome(openArrowFile(local, 'd.arrow').then((file) => everyGroup(file, 'd.arrow')));
          const whole = await outcome(openShard(damaged, 'arrow', 'd.arrow').then((file) => everyGroup(file, 'd.arrow')));
          const kind = byBatch === 'refused' || byBatch.startsWith('other') ? byBatch : 'read';
          outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
          if (kind === 'read' && whole !== 'refused') expect(byBatch).toBe(whole);
        } finally {
          await local.close();
        }
      }
    }
    expect([...outcomes.keys()].filter((k) => k !== 'read' && k !== 'refused')).toEqual([]);
    expect(outcomes.get('read')).toBeGreaterThan(50);
    expect(outcomes.get('refused')).toBeGreaterThan(50);
  });
});
