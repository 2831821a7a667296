/**
 * Splits an Arrow IPC file (file or stream format) larger than the shard bound into Arrow IPC streams
 * of whole record batches. The input is walked message by message with positioned reads (a message's
 * prefix and metadata first, then its bytes to copy), never held; each shard is the schema message,
 * every dictionary message seen so far, its record batches, copied byte for byte, and the end marker.
 * Each shard is then validated whole like any Arrow shard (arrow-bounds.ts, then apache-arrow).
 */
import { promises as fs } from 'node:fs';
import { WarmstartError } from '../errors.js';
import { DICTIONARY_BATCH, MAGIC, RECORD_BATCH, SCHEMA } from './arrow-format.js';
import { BoundedFlatBuffer } from './flatbuffer-bounds.js';
import { READ_CHUNK, type LocalFile } from './input-file.js';
import type { PlannedShard, TempShards } from './shard-plan.js';

const END_MARKER = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

interface Message {
  type: number;
  start: number;
  end: number;
  rows: number;
}

function fail(problem: string): never {
  throw new Error(problem);
}

/** The messages between `start` and `end`: their kind, place and (record batches) row count. */
async function messages(input: LocalFile, start: number, end: number): Promise<Message[]> {
  const out: Message[] = [];
  for (let at = start; at + 4 <= end; ) {
    const prefix = await input.read(at, Math.min(end, at + 8));
    const view = new DataView(prefix.buffer);
    let metaStart = at + 4;
    let metaLength = view.getInt32(0, true);
    // Since Arrow 0.15 a message starts with 0xFFFFFFFF, then the length.
    if (metaLength === -1) {
      if (prefix.byteLength < 8) fail(`message ${out.length} is cut short at byte ${at}`);
      metaLength = view.getInt32(4, true);
      metaStart = at + 8;
    }
    if (metaLength === 0) break;
    if (metaLength < 0 || metaStart + metaLength > end) fail(`message ${out.length} at byte ${at} claims ${metaLength} bytes of metadata, more than the ${end - metaStart} left`);
    const meta = new BoundedFlatBuffer(await input.read(metaStart, metaStart + metaLength), `message ${out.length}'s metadata`);
    const root = meta.root();
    const bodyLength = Number(meta.int64(root, 3, 'body length') ?? 0n);
    const bodyEnd = metaStart + metaLength + bodyLength;
    if (bodyLength < 0 || bodyEnd > end) fail(`message ${out.length} claims a body of ${bodyLength} bytes, more than the ${end - metaStart - metaLength} left`);
    const type = meta.uint8(root, 1, 'header type') ?? 0;
    const header = meta.child(root, 2, 'header');
    const rows = type === RECORD_BATCH && header !== undefined ? Number(meta.int64(header, 0, 'row count') ?? 0n) : 0;
    out.push({ type, start: at, end: bodyEnd, rows });
    at = bodyEnd;
  }
  return out;
}

/** A footer larger than this is refused rather than read (a damaged length would otherwise be trusted). */
const MAX_FOOTER_BYTES = 64 * 1024 * 1024;

/**
 * Where the messages lie: after the 8-byte head and before the footer (file format), or everywhere
 * (stream). A file's footer is returned too: apache-arrow writes the schema only there.
 */
async function messageSpan(input: LocalFile): Promise<{ start: number; end: number; footer?: Uint8Array }> {
  const head = await input.read(0, Math.min(input.size, 8));
  if (!MAGIC.every((byte, i) => head[i] === byte)) return { start: 0, end: input.size };
  const tail = await input.read(Math.max(0, input.size - 10), input.size);
  if (input.size < 18 || !MAGIC.every((byte, i) => tail[4 + i] === byte)) fail(`it starts like an Arrow file but does not end with the ARROW1 marker (${input.size} bytes)`);
  const footerLength = new DataView(tail.buffer).getInt32(0, true);
  const footerStart = input.size - 10 - footerLength;
  if (footerLength <= 0 || footerStart < 8) fail(`its footer length ${footerLength} does not fit its ${input.size} bytes`);
  if (footerLength > MAX_FOOTER_BYTES) fail(`its footer of ${footerLength} bytes is over the ${MAX_FOOTER_BYTES}-byte limit`);
  return { start: 8, end: footerStart, footer: await input.read(footerStart, footerStart + footerLength) };
}

/**
 * A schema message built around a file's footer: the footer's bytes are copied whole after a small
 * Message table whose header points at the footer's Schema table (FlatBuffer offsets are relative, so
 * the copied table stays valid). The result is what a stream starts with; it is checked with the
 * shard (arrow-bounds.ts) before apache-arrow reads it.
 */
function schemaMessage(footerBytes: Uint8Array): Uint8Array {
  const footer = new BoundedFlatBuffer(footerBytes, 'the footer');
  const root = footer.root();
  const schema = footer.child(root, 1, 'schema') ?? fail('its footer has no schema');
  const version = footer.int16(root, 0, 'version') ?? 0;
  // Layout: root offset (4), vtable (12: sizes, then slots version, header type, header, body length), table (12), footer.
  const VTABLE = 4;
  const TABLE = 16;
  const FOOTER = 32;
  const meta = new Uint8Array(FOOTER + footerBytes.byteLength + ((8 - (footerBytes.byteLength % 8)) % 8));
  const view = new DataView(meta.buffer);
  view.setUint32(0, TABLE, true);
  view.setUint16(VTABLE, 12, true);
  view.setUint16(VTABLE + 2, 12, true);
  view.setUint16(VTABLE + 4, 8, true); // version at table + 8
  view.setUint16(VTABLE + 6, 10, true); // header type at table + 10
  view.setUint16(VTABLE + 8, 4, true); // header at table + 4
  view.setUint16(VTABLE + 10, 0, true); // body length: absent, 0
  view.setInt32(TABLE, TABLE - VTABLE, true);
  view.setUint32(TABLE + 4, FOOTER + schema - (TABLE + 4), true);
  view.setInt16(TABLE + 8, version, true);
  view.setUint8(TABLE + 10, SCHEMA);
  meta.set(footerBytes, FOOTER);
  const message = new Uint8Array(8 + meta.byteLength);
  new DataView(message.buffer).setInt32(0, -1, true);
  new DataView(message.buffer).setInt32(4, meta.byteLength, true);
  message.set(meta, 8);
  return message;
}

async function copy(input: LocalFile, out: fs.FileHandle, message: Message | Uint8Array): Promise<void> {
  if (message instanceof Uint8Array) {
    await out.write(message);
    return;
  }
  for (let at = message.start; at < message.end; at += READ_CHUNK) await out.write(await input.read(at, Math.min(message.end, at + READ_CHUNK)));
}

/** Cuts the input into Arrow IPC streams of whole record batches, each at most `limit` bytes of batches (a larger batch alone). */
export async function splitArrow(input: LocalFile, key: string, limit: number, temp: TempShards): Promise<PlannedShard[]> {
  let all: Message[];
  let schema: Message | Uint8Array;
  try {
    const span = await messageSpan(input);
    all = await messages(input, span.start, span.end);
    if (all[0]?.type === SCHEMA) schema = all.shift()!;
    else if (span.footer) schema = schemaMessage(span.footer);
    else fail('its first message is not a schema');
  } catch (error) {
    if (error instanceof WarmstartError || (error as Error).name === 'AbortError') throw error;
    throw new WarmstartError('DATASET_INVALID', `shard ${key} is not a readable Arrow IPC file (${(error as Error).message}); it is truncated or corrupt, write it again`, key, { cause: error });
  }
  const dictionaries: Message[] = [];
  const shards: PlannedShard[] = [];
  let run: Message[] = [];
  let runBytes = 0;
  let rowOffset = 0;
  const flush = async () => {
    if (run.length === 0) return;
    const target = temp.next('arrow');
    const out = await fs.open(target, 'w');
    try {
      for (const message of [schema, ...dictionaries, ...run]) await copy(input, out, message);
      await out.write(END_MARKER);
    } finally {
      await out.close();
    }
    const rows = run.reduce((n, m) => n + m.rows, 0);
    shards.push({ path: target, format: 'arrow', rowOffset });
    rowOffset += rows;
    run = [];
    runBytes = 0;
  };
  for (const message of all) {
    if (message.type === DICTIONARY_BATCH) {
      // A dictionary applies to the batches after it: later shards carry it too.
      await flush();
      dictionaries.push(message);
    } else if (message.type === RECORD_BATCH) {
      const bytes = message.end - message.start;
      if (run.length > 0 && runBytes + bytes > limit) await flush();
      run.push(message);
      runBytes += bytes;
    }
  }
  await flush();
  return shards;
}
