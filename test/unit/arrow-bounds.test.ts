import { Dictionary, Field, FixedSizeList, Float32, Int32, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { checkArrowBounds } from '../../src/data/arrow-bounds.js';
import { bytesSource, walkMessages } from '../../src/data/arrow-messages.js';
import { openShard, readGroupChecked } from '../../src/data/shard-reader.js';

// The sizes an Arrow IPC file states about itself are checked against its bytes before apache-arrow
// allocates from them (it trusts them: seed 15 case 1553 of the fuzzer ran the heap out).
const rows = 300;
const table = new Table({
  f0: vectorFromArray(Array.from({ length: rows }, (_, i) => i), new Int32()),
  name: vectorFromArray(Array.from({ length: rows }, (_, i) => (i % 2 ? 'cat' : null))),
  label: vectorFromArray(Array.from({ length: rows }, (_, i) => (i % 3 ? 'a' : 'b')), new Dictionary(new Utf8(), new Int32())),
  image: vectorFromArray(Array.from({ length: rows }, (_, i) => [i, i + 1, i + 2]), new FixedSizeList(3, new Field('x', new Float32()))),
});
const twoBatches = new Table([...table.slice(0, 100).batches, ...table.slice(100).batches]);
const file = tableToIPC(twoBatches, 'file');
const stream = tableToIPC(twoBatches, 'stream');
/** Small enough to damage byte by byte. */
const small = new Table([...table.slice(0, 8).batches, ...table.slice(8, 16).batches]);

const setInt32 = (bytes: Uint8Array, at: number, value: number) => {
  const out = bytes.slice();
  new DataView(out.buffer).setInt32(at, value, true);
  return out;
};
const refusal = async (bytes: Uint8Array) => {
  try {
    await checkArrowBounds(bytes);
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
};

async function readAll(bytes: Uint8Array): Promise<number> {
  const shard = await openShard(bytes, 'arrow', 'k.arrow');
  let seen = 0;
  for (let g = 0; g < shard.groupCount; g++) seen += (await readGroupChecked(shard, g, shard.columns.map((c) => c.name), 'k.arrow')).rows;
  return seen;
}

describe('Arrow IPC bounds', () => {
  it('accepts what apache-arrow writes, file and stream, with dictionaries, lists and nulls', async () => {
    expect(await refusal(file)).toBe('accepted');
    expect(await refusal(stream)).toBe('accepted');
    expect(await readAll(file)).toBe(rows);
    expect(await readAll(stream)).toBe(rows);
  });

  it('refuses a footer length that does not fit the file', async () => {
    expect(await refusal(setInt32(file, file.length - 10, 0x7fffffff))).toBe(`its footer length 2147483647 does not fit its ${file.length} bytes`);
    expect(await refusal(setInt32(file, file.length - 10, -4))).toMatch(/^its footer length -4 does not fit/);
  });

  it('refuses a file cut short, whose end marker is gone', async () => {
    expect(await refusal(file.subarray(0, file.length - 3))).toMatch(/does not end with the ARROW1 marker/);
  });

  it('refuses a stream message whose metadata length is more than the bytes left', async () => {
    // A stream starts with the continuation marker and then the schema message's metadata length.
    expect(await refusal(setInt32(stream, 4, 1 << 30))).toBe(`message 0 at byte 0 claims ${1 << 30} bytes of metadata, more than the ${stream.length - 8} left`);
  });

  it('refuses a message that is not a schema, dictionary or record batch (a tensor), which readers would stop at or skip', async () => {
    const batches = [];
    for await (const message of walkMessages(bytesSource(stream), 0, stream.length)) if (message.type === 3) batches.push(message);
    // The last record batch's header type, in its metadata (after the 8-byte prefix), set to Tensor (4).
    const last = batches.at(-1)!;
    const damaged = stream.slice();
    damaged[last.start + 8 + last.metadata.field(last.metadata.root(), 1, 1, 'header type')!] = 4;
    expect(await refusal(damaged)).toBe('message 4\'s metadata: its header type 4 is not a schema, dictionary batch or record batch');
  });

  it('every byte of a file or a stream set to 0xff or 0x7f in turn: the file opens and reads, or is refused as DATASET_INVALID', async () => {
    const outcomes = new Map<string, number>();
    for (const bytes of [tableToIPC(small, 'file'), tableToIPC(small, 'stream')]) {
      for (let at = 0; at < bytes.length; at++) {
        for (const value of [0xff, 0x7f]) {
          const damaged = bytes.slice();
          damaged[at] = value;
          const outcome = await readAll(damaged).then(
            () => 'read',
            (error: unknown) => ((error as { code?: string }).code === 'DATASET_INVALID' ? 'refused' : `other: ${(error as Error).message}`),
          );
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        }
      }
    }
    expect([...outcomes.keys()].filter((k) => k !== 'read' && k !== 'refused')).toEqual([]);
    // Both ends are exercised: many damaged files are still readable, many are refused.
    expect(outcomes.get('read')).toBeGreaterThan(100);
    expect(outcomes.get('refused')).toBeGreaterThan(100);
  });
});
