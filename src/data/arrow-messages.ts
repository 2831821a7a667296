/**
 * The one walk over Arrow IPC messages (the bounds check, the splitter and the batch-by-batch reader
 * all use it). A message is read by positioned reads, prefix and metadata first, so a body is never
 * read to learn where the next message starts; every length it states is checked against the bytes
 * there are, and its metadata against itself (arrow-metadata.ts), before anything trusts them.
 */
import { checkKeyValues, checkRecordBatch, checkSchema } from './arrow-metadata.js';
import { DICTIONARY_BATCH, RECORD_BATCH, SCHEMA } from './arrow-format.js';
import { BoundedFlatBuffer } from './flatbuffer-bounds.js';

/** Bytes read by position: a local file (input-file.ts) or bytes in memory (bytesSource). */
export interface ByteSource {
  size: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.byteLength, read: (start, end) => Promise.resolve(bytes.subarray(start, Math.min(end, bytes.byteLength))) };
}

/** Arrow's MetadataVersion.V4 (Arrow 0.15): the oldest layout read here. */
const V4 = 3;

export interface ArrowMessage {
  /** SCHEMA, DICTIONARY_BATCH or RECORD_BATCH (arrow-format.ts); other header types are refused. */
  type: number;
  version: number;
  /** Where the message starts (its prefix), where its body starts, and where it ends. */
  start: number;
  bodyStart: number;
  end: number;
  /** A record batch's rows (0 for other messages). */
  rows: number;
  /** A dictionary batch's id and whether it appends to the dictionary in effect. */
  dictionaryId?: string;
  isDelta?: boolean;
  /** The metadata and its header table (a schema message's Schema, for one), checked. */
  metadata: BoundedFlatBuffer;
  header: number | undefined;
}

function fail(problem: string): never {
  throw new Error(problem);
}

/** The message at `at`, all of it within `end`; undefined at an end marker. */
export async function readMessage(source: ByteSource, at: number, end: number, name: string): Promise<ArrowMessage | undefined> {
  if (at + 4 > end) fail(`${name} is cut short at byte ${at}`);
  const prefix = await source.read(at, Math.min(end, at + 8));
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  let metaStart = at + 4;
  let metaLength = view.getInt32(0, true);
  // Since Arrow 0.15 a message starts with 0xFFFFFFFF and then the length; before, with the length.
  if (metaLength === -1) {
    if (at + 8 > end) fail(`${name} is cut short at byte ${at}`);
    metaLength = view.getInt32(4, true);
    metaStart = at + 8;
  }
  if (metaLength === 0) return undefined;
  if (metaLength < 0 || metaStart + metaLength > end) fail(`${name} at byte ${at} claims ${metaLength} bytes of metadata, more than the ${end - metaStart} left`);
  const meta = new BoundedFlatBuffer(await source.read(metaStart, metaStart + metaLength), `${name}'s metadata`);
  const root = meta.root();
  const version = meta.int16(root, 0, 'version') ?? 0;
  if (version < V4) meta.fail(`metadata version ${version + 1} is older than Arrow 0.15's; write the file again with a current Arrow`);
  const bodyLength = Number(meta.int64(root, 3, 'body length') ?? 0n);
  const bodyStart = metaStart + metaLength;
  if (bodyLength < 0 || bodyStart + bodyLength > end) fail(`${name} claims a body of ${bodyLength} bytes, more than the ${end - bodyStart} left`);
  checkKeyValues(meta, root, 4, 'custom metadata');
  const type = meta.uint8(root, 1, 'header type') ?? 0;
  // Tensors (and damage) are not table data; readers would stop at them, or skip them, silently.
  if (type !== SCHEMA && type !== DICTIONARY_BATCH && type !== RECORD_BATCH) meta.fail(`its header type ${type} is not a schema, dictionary batch or record batch`);
  const header = meta.child(root, 2, 'header');
  const message: ArrowMessage = { type, version, start: at, bodyStart, end: bodyStart + bodyLength, rows: 0, metadata: meta, header };
  if (header === undefined) return message;
  if (type === SCHEMA) checkSchema(meta, header);
  if (type === RECORD_BATCH) message.rows = checkRecordBatch(meta, header, bodyLength);
  if (type === DICTIONARY_BATCH) {
    const data = meta.child(header, 1, 'dictionary data');
    if (data !== undefined) checkRecordBatch(meta, data, bodyLength);
    message.dictionaryId = String(meta.int64(header, 0, 'dictionary id') ?? 0n);
    message.isDelta = (meta.uint8(header, 2, 'delta flag') ?? 0) !== 0;
  }
  return message;
}

/** The messages one after another from `start`, up to an end marker or `end` (a stream, or a file's messages). */
export async function* walkMessages(source: ByteSource, start: number, end: number): AsyncGenerator<ArrowMessage> {
  let at = start;
  for (let index = 0; at + 4 <= end; index++) {
    const message = await readMessage(source, at, end, `message ${index}`);
    if (message === undefined) return;
    yield message;
    at = message.end;
  }
}
