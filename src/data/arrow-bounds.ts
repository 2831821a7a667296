import { BoundedFlatBuffer } from './flatbuffer-bounds.js';
import { DICTIONARY_BATCH, MAGIC, RECORD_BATCH, SCHEMA } from './arrow-format.js';

/**
 * Checks every size an Arrow IPC file states about itself (footer length, message metadata and body
 * lengths, vector lengths in the schema and the record batches, buffer regions) against the bytes it
 * actually has, before apache-arrow reads it. apache-arrow allocates from those sizes unchecked, so one
 * damaged length is enough to run the process out of memory; this throws one sentence instead.
 */
export function checkArrowBounds(bytes: Uint8Array): void {
  if (startsWithMagic(bytes)) checkFile(bytes);
  else checkStream(bytes);
}

/** The file format: magic + padding, messages, footer, footer length (int32), magic. */
const HEAD = 8;
const TAIL = 4 + MAGIC.length;
/** Arrow's MetadataVersion.V4 (Arrow 0.15): the layout read here. */
const V4 = 3;
const UNION_TYPE = 14;
/** Nested types deeper than this are not data anyone publishes (and apache-arrow recurses per level). */
const MAX_NESTING = 64;
const BLOCK_SIZE = 24;
const FIELD_NODE_SIZE = 16;
const BUFFER_SIZE = 16;

function startsWithMagic(bytes: Uint8Array): boolean {
  return MAGIC.every((byte, i) => bytes[i] === byte);
}

function fail(problem: string): never {
  throw new Error(problem);
}

function checkFile(bytes: Uint8Array): void {
  const size = bytes.byteLength;
  if (size < HEAD + TAIL || !MAGIC.every((byte, i) => bytes[size - MAGIC.length + i] === byte)) fail(`it starts like an Arrow file but does not end with the ARROW1 marker (${size} bytes)`);
  const footerLength = new DataView(bytes.buffer, bytes.byteOffset + size - TAIL, 4).getInt32(0, true);
  const footerStart = size - TAIL - footerLength;
  if (footerLength <= 0 || footerStart < HEAD) fail(`its footer length ${footerLength} does not fit its ${size} bytes`);
  const footer = new BoundedFlatBuffer(bytes.subarray(footerStart, size - TAIL), 'the footer');
  const root = footer.root();
  const schema = footer.child(root, 1, 'schema') ?? footer.fail('it has no schema');
  checkSchema(footer, schema);
  checkKeyValues(footer, root, 4, 'custom metadata');
  const blocks = [
    ...blockList(footer, root, 2, 'dictionary batch').map((block) => ({ ...block, type: DICTIONARY_BATCH })),
    ...blockList(footer, root, 3, 'record batch').map((block) => ({ ...block, type: RECORD_BATCH })),
  ];
  for (const block of blocks) {
    if (block.offset < HEAD || block.offset + block.metaLength + block.bodyLength > footerStart || block.metaLength < 0 || block.bodyLength < 0) {
      fail(`its footer places ${block.name} at bytes ${block.offset}+${block.metaLength}+${block.bodyLength}, outside the ${footerStart} bytes before the footer`);
    }
    const message = checkMessage(bytes, block.offset, footerStart, block.name);
    if (message.type !== block.type) fail(`${block.name} is not where the file's footer says (a message of type ${message.type} is there)`);
  }
}

interface Block {
  name: string;
  offset: number;
  metaLength: number;
  bodyLength: number;
}

function blockList(footer: BoundedFlatBuffer, root: number, slot: number, kind: string): Block[] {
  const vector = footer.vector(root, slot, BLOCK_SIZE, `${kind} list`);
  const blocks: Block[] = [];
  for (let i = 0; vector && i < vector.length; i++) {
    const at = vector.start + BLOCK_SIZE * i;
    blocks.push({ name: `${kind} ${i}`, offset: Number(footer.readBigInt64(at)), metaLength: footer.readInt32(at + 8), bodyLength: Number(footer.readBigInt64(at + 16)) });
  }
  return blocks;
}

/** The stream format: messages one after another, up to an end marker or the end of the bytes. */
function checkStream(bytes: Uint8Array): void {
  let at = 0;
  for (let index = 0; at + 4 <= bytes.byteLength; index++) {
    const message = checkMessage(bytes, at, bytes.byteLength, `message ${index}`);
    if (message.end === undefined) return;
    at = message.end;
  }
}

/** A message's prefix, metadata and body length at `at`, all within `end`; `end` undefined at an end marker. */
function checkMessage(bytes: Uint8Array, at: number, end: number, name: string): { type: number | undefined; end: number | undefined } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (at + 4 > end) fail(`${name} is cut short at byte ${at}`);
  let metaStart = at + 4;
  let metaLength = view.getInt32(at, true);
  // Since Arrow 0.15 a message starts with 0xFFFFFFFF and then the length; before, with the length.
  if (metaLength === -1) {
    if (at + 8 > end) fail(`${name} is cut short at byte ${at}`);
    metaLength = view.getInt32(at + 4, true);
    metaStart = at + 8;
  }
  if (metaLength === 0) return { type: undefined, end: undefined };
  if (metaLength < 0 || metaStart + metaLength > end) fail(`${name} at byte ${at} claims ${metaLength} bytes of metadata, more than the ${end - metaStart} left`);
  const meta = new BoundedFlatBuffer(bytes.subarray(metaStart, metaStart + metaLength), `${name}'s metadata`);
  const root = meta.root();
  const version = meta.int16(root, 0, 'version') ?? 0;
  if (version < V4) meta.fail(`metadata version ${version + 1} is older than Arrow 0.15's; write the file again with a current Arrow`);
  const bodyLength = Number(meta.int64(root, 3, 'body length') ?? 0n);
  const bodyEnd = metaStart + metaLength + bodyLength;
  if (bodyLength < 0 || bodyEnd > end) fail(`${name} claims a body of ${bodyLength} bytes, more than the ${end - metaStart - metaLength} left`);
  checkKeyValues(meta, root, 4, 'custom metadata');
  const type = meta.uint8(root, 1, 'header type');
  const header = meta.child(root, 2, 'header');
  if (header !== undefined && type === SCHEMA) checkSchema(meta, header);
  if (header !== undefined && type === RECORD_BATCH) checkRecordBatch(meta, header, bodyLength);
  if (header !== undefined && type === DICTIONARY_BATCH) {
    const data = meta.child(header, 1, 'dictionary data');
    if (data !== undefined) checkRecordBatch(meta, data, bodyLength);
  }
  return { type, end: bodyEnd };
}

function checkSchema(fb: BoundedFlatBuffer, schema: number): void {
  fb.tables(schema, 1, 'schema fields').forEach((field, i) => checkField(fb, field, `field ${i}`, 1));
  checkKeyValues(fb, schema, 2, 'schema metadata');
  fb.vector(schema, 3, 8, 'schema features');
}

function checkField(fb: BoundedFlatBuffer, field: number, path: string, depth: number): void {
  if (depth > MAX_NESTING) fb.fail(`${path} is nested more than ${MAX_NESTING} levels deep`);
  fb.vector(field, 0, 1, `${path}'s name`);
  const type = fb.child(field, 3, `${path}'s type`);
  if (type !== undefined && fb.uint8(field, 2, `${path}'s type id`) === UNION_TYPE) fb.vector(type, 1, 4, `${path}'s union type ids`);
  const dictionary = fb.child(field, 4, `${path}'s dictionary`);
  if (dictionary !== undefined) fb.child(dictionary, 1, `${path}'s dictionary index type`);
  fb.tables(field, 5, `${path}'s children`).forEach((child, i) => checkField(fb, child, `${path}.${i}`, depth + 1));
  checkKeyValues(fb, field, 6, `${path}'s metadata`);
}

function checkKeyValues(fb: BoundedFlatBuffer, table: number, slot: number, name: string): void {
  for (const entry of fb.tables(table, slot, name)) {
    fb.vector(entry, 0, 1, `${name} key`);
    fb.vector(entry, 1, 1, `${name} value`);
  }
}

/**
 * Every row of a column takes at least one bit of the body (a validity or a value bit), so a batch
 * cannot hold more rows than 8 per body byte; the allowance lets small all-null columns through.
 */
const rowLimit = (bodyLength: number) => 8 * bodyLength + 64;

function checkRecordBatch(fb: BoundedFlatBuffer, batch: number, bodyLength: number): void {
  const limit = rowLimit(bodyLength);
  const rows = Number(fb.int64(batch, 0, 'row count') ?? 0n);
  if (rows < 0 || rows > limit) fb.fail(`it claims ${rows} rows, more than its ${bodyLength}-byte body can hold`);
  const nodes = fb.vector(batch, 1, FIELD_NODE_SIZE, 'column list');
  for (let i = 0; nodes && i < nodes.length; i++) {
    const length = Number(fb.readBigInt64(nodes.start + FIELD_NODE_SIZE * i));
    const nulls = Number(fb.readBigInt64(nodes.start + FIELD_NODE_SIZE * i + 8));
    if (length < 0 || length > limit || nulls < 0 || nulls > length) fb.fail(`column ${i} claims ${length} values (${nulls} null), more than its ${bodyLength}-byte body can hold`);
  }
  const buffers = fb.vector(batch, 2, BUFFER_SIZE, 'buffer list');
  for (let i = 0; buffers && i < buffers.length; i++) {
    const offset = Number(fb.readBigInt64(buffers.start + BUFFER_SIZE * i));
    const length = Number(fb.readBigInt64(buffers.start + BUFFER_SIZE * i + 8));
    if (offset < 0 || length < 0 || offset + length > bodyLength) fb.fail(`buffer ${i} at ${offset}+${length} lies outside its ${bodyLength}-byte body`);
  }
  fb.vector(batch, 4, 8, 'variadic buffer counts');
}
