/**
 * Checks of the FlatBuffer tables inside Arrow IPC metadata (a schema, a record batch's lengths and
 * buffer regions) against the bytes they have, and the span of bytes a schema occupies (to copy it
 * into a footer or a message of our own). Used by the message walk (arrow-messages.ts) and the bounds
 * check (arrow-bounds.ts).
 */
import type { BoundedFlatBuffer } from './flatbuffer-bounds.js';

/** Type ids of Schema.fbs's Type union whose tables hold offsets (the rest hold scalars only). */
const TIMESTAMP_TYPE = 10;
const UNION_TYPE = 14;
/** Nested types deeper than this are not data anyone publishes (and apache-arrow recurses per level). */
const MAX_NESTING = 64;
const FIELD_NODE_SIZE = 16;
const BUFFER_SIZE = 16;

/** Checks a Schema table: every field (recursively), name, type, dictionary encoding and metadata. */
export function checkSchema(fb: BoundedFlatBuffer, schema: number): void {
  fb.tables(schema, 1, 'schema fields').forEach((field, i) => checkField(fb, field, `field ${i}`, 1));
  checkKeyValues(fb, schema, 2, 'schema metadata');
  fb.vector(schema, 3, 8, 'schema features');
}

/**
 * The bytes a Schema table and everything it reaches occupy in its buffer. FlatBuffer offsets are
 * relative, so these bytes, copied whole at the same position modulo 8, are a valid Schema table again.
 */
export function schemaSpan(fb: BoundedFlatBuffer, schema: number): { start: number; end: number } {
  fb.track(schema);
  checkSchema(fb, schema);
  return fb.reachedSpan();
}

function checkField(fb: BoundedFlatBuffer, field: number, path: string, depth: number): void {
  if (depth > MAX_NESTING) fb.fail(`${path} is nested more than ${MAX_NESTING} levels deep`);
  fb.vector(field, 0, 1, `${path}'s name`);
  const type = fb.child(field, 3, `${path}'s type`);
  const typeId = fb.uint8(field, 2, `${path}'s type id`);
  if (type !== undefined && typeId === UNION_TYPE) fb.vector(type, 1, 4, `${path}'s union type ids`);
  if (type !== undefined && typeId === TIMESTAMP_TYPE) fb.vector(type, 1, 1, `${path}'s time zone`);
  const dictionary = fb.child(field, 4, `${path}'s dictionary`);
  if (dictionary !== undefined) fb.child(dictionary, 1, `${path}'s dictionary index type`);
  fb.tables(field, 5, `${path}'s children`).forEach((child, i) => checkField(fb, child, `${path}.${i}`, depth + 1));
  checkKeyValues(fb, field, 6, `${path}'s metadata`);
}

export function checkKeyValues(fb: BoundedFlatBuffer, table: number, slot: number, name: string): void {
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

/** Checks a RecordBatch table (a record batch's, or a dictionary batch's data) against its body; returns its row count. */
export function checkRecordBatch(fb: BoundedFlatBuffer, batch: number, bodyLength: number): number {
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
  return rows;
}
