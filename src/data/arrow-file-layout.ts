/**
 * Arrow IPC metadata built by hand for the shards cut from an input (split-arrow.ts): the schema
 * message a stream or file starts with, and the footer of an Arrow IPC file (format/File.fbs:
 * Footer { version, schema, dictionaries: [Block], recordBatches: [Block] }). The Schema table in
 * both is the input's own, its bytes copied: FlatBuffer offsets are relative, so a table copied whole
 * (with all it reaches, at the same position modulo 8) stays valid and aligned where it lands.
 */
import { schemaSpan } from './arrow-metadata.js';
import { MAGIC, SCHEMA } from './arrow-format.js';
import type { BoundedFlatBuffer } from './flatbuffer-bounds.js';

/** A Schema table lifted out of its buffer: `bytes` start 8-aligned in that buffer, the table is at `at` in them. */
export interface SchemaBytes {
  bytes: Uint8Array;
  at: number;
}

export function schemaBytes(fb: BoundedFlatBuffer, schema: number): SchemaBytes {
  const span = schemaSpan(fb, schema);
  const start = span.start - (span.start % 8);
  return { bytes: fb.copy(start, span.end), at: schema - start };
}

/** Where a message lies in the file being written (a footer's Block struct). */
export interface Placed {
  offset: number;
  metaDataLength: number;
  bodyLength: number;
}

/** "ARROW1" and two bytes of padding: how an Arrow IPC file starts. */
export const FILE_HEAD = new Uint8Array([...MAGIC, 0, 0]);
/** The stream's end-of-stream marker, which a file repeats before its footer. */
export const END_MARKER = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

const align8 = (n: number) => n + ((8 - (n % 8)) % 8);

/** A message that holds the schema and no body, as a stream (or a file, after its head) starts. */
export function schemaMessage(schema: SchemaBytes, version: number): Uint8Array {
  // Layout: root offset (4), vtable (12: sizes, then slots version, header type, header, body length), table (12), schema.
  const VTABLE = 4;
  const TABLE = 16;
  const SCHEMA_AT = 32;
  const meta = new Uint8Array(align8(SCHEMA_AT + schema.bytes.byteLength));
  const view = new DataView(meta.buffer);
  view.setUint32(0, TABLE, true);
  view.setUint16(VTABLE, 12, true);
  view.setUint16(VTABLE + 2, 12, true);
  view.setUint16(VTABLE + 4, 8, true); // version at table + 8
  view.setUint16(VTABLE + 6, 10, true); // header type at table + 10
  view.setUint16(VTABLE + 8, 4, true); // header at table + 4
  view.setUint16(VTABLE + 10, 0, true); // body length: absent, 0
  view.setInt32(TABLE, TABLE - VTABLE, true);
  view.setUint32(TABLE + 4, SCHEMA_AT + schema.at - (TABLE + 4), true);
  view.setInt16(TABLE + 8, version, true);
  view.setUint8(TABLE + 10, SCHEMA);
  meta.set(schema.bytes, SCHEMA_AT);
  const message = new Uint8Array(8 + meta.byteLength);
  new DataView(message.buffer).setInt32(0, -1, true);
  new DataView(message.buffer).setInt32(4, meta.byteLength, true);
  message.set(meta, 8);
  return message;
}

const BLOCK_SIZE = 24;

/** The footer and its tail (int32 footer length, "ARROW1"): what ends an Arrow IPC file. */
export function fileFooter(schema: SchemaBytes, version: number, dictionaries: readonly Placed[], batches: readonly Placed[]): Uint8Array {
  // Layout: root offset (4), vtable (12: sizes, then slots version, schema, dictionaries, record batches),
  // table (20), the schema at 40, then each Block vector: its count, then its structs 8-aligned.
  const VTABLE = 4;
  const TABLE = 16;
  const SCHEMA_AT = 40;
  const dictionariesAt = align8(SCHEMA_AT + schema.bytes.byteLength) + 4;
  const batchesAt = dictionariesAt + 4 + BLOCK_SIZE * dictionaries.length + 4;
  const length = align8(batchesAt + 4 + BLOCK_SIZE * batches.length);
  const out = new Uint8Array(length + 4 + MAGIC.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, TABLE, true);
  view.setUint16(VTABLE, 12, true);
  view.setUint16(VTABLE + 2, 20, true);
  view.setUint16(VTABLE + 4, 16, true); // version at table + 16
  view.setUint16(VTABLE + 6, 4, true); // schema at table + 4
  view.setUint16(VTABLE + 8, 8, true); // dictionaries at table + 8
  view.setUint16(VTABLE + 10, 12, true); // record batches at table + 12
  view.setInt32(TABLE, TABLE - VTABLE, true);
  view.setUint32(TABLE + 4, SCHEMA_AT + schema.at - (TABLE + 4), true);
  view.setUint32(TABLE + 8, dictionariesAt - (TABLE + 8), true);
  view.setUint32(TABLE + 12, batchesAt - (TABLE + 12), true);
  view.setInt16(TABLE + 16, version, true);
  out.set(schema.bytes, SCHEMA_AT);
  for (const [at, blocks] of [[dictionariesAt, dictionaries], [batchesAt, batches]] as const) {
    view.setUint32(at, blocks.length, true);
    blocks.forEach((block, i) => {
      const struct = at + 4 + BLOCK_SIZE * i;
      view.setBigInt64(struct, BigInt(block.offset), true);
      view.setInt32(struct + 8, block.metaDataLength, true);
      view.setBigInt64(struct + 16, BigInt(block.bodyLength), true);
    });
  }
  view.setInt32(length, length, true);
  out.set(MAGIC, length + 4);
  return out;
}
