import { checkKeyValues, checkSchema } from './arrow-metadata.js';
import { bytesSource, readMessage, walkMessages, type ArrowMessage, type ByteSource } from './arrow-messages.js';
import { DICTIONARY_BATCH, MAGIC, RECORD_BATCH } from './arrow-format.js';
import { BoundedFlatBuffer } from './flatbuffer-bounds.js';

/**
 * Checks every size an Arrow IPC file states about itself (footer length, message metadata and body
 * lengths, vector lengths in the schema and the record batches, buffer regions) against the bytes it
 * actually has, before apache-arrow reads it. apache-arrow allocates from those sizes unchecked, so one
 * damaged length is enough to run the process out of memory; this throws one sentence instead.
 */
export async function checkArrowBounds(bytes: Uint8Array): Promise<void> {
  const source = bytesSource(bytes);
  const footer = await readFooter(source);
  if (footer) await checkFileMessages(source, footer);
  else for await (const message of walkMessages(source, 0, bytes.byteLength)) void message;
}

/** The file format: magic + padding, messages, footer, footer length (int32), magic. */
const HEAD = 8;
const TAIL = 4 + MAGIC.length;
const BLOCK_SIZE = 24;
/** A footer larger than this is refused rather than read (a damaged length would otherwise be trusted). */
const MAX_FOOTER_BYTES = 64 * 1024 * 1024;

export interface Block {
  name: string;
  type: number;
  offset: number;
  metaLength: number;
  bodyLength: number;
}

/** A file's footer, checked: its schema and its dictionary and record batch blocks (in that order). */
export interface ArrowFooter {
  /** Where the footer starts: the messages lie before it. */
  start: number;
  buffer: BoundedFlatBuffer;
  schema: number;
  version: number;
  blocks: Block[];
}

function fail(problem: string): never {
  throw new Error(problem);
}

/** The footer of an Arrow IPC file, checked; undefined for a stream (no leading magic). */
export async function readFooter(source: ByteSource): Promise<ArrowFooter | undefined> {
  const size = source.size;
  const head = await source.read(0, Math.min(size, MAGIC.length));
  if (!MAGIC.every((byte, i) => head[i] === byte)) return undefined;
  const tail = await source.read(Math.max(0, size - TAIL), size);
  if (size < HEAD + TAIL || !MAGIC.every((byte, i) => tail[4 + i] === byte)) fail(`it starts like an Arrow file but does not end with the ARROW1 marker (${size} bytes)`);
  const footerLength = new DataView(tail.buffer, tail.byteOffset, 4).getInt32(0, true);
  const start = size - TAIL - footerLength;
  if (footerLength <= 0 || start < HEAD) fail(`its footer length ${footerLength} does not fit its ${size} bytes`);
  if (footerLength > MAX_FOOTER_BYTES) fail(`its footer of ${footerLength} bytes is over the ${MAX_FOOTER_BYTES}-byte limit`);
  const buffer = new BoundedFlatBuffer(await source.read(start, size - TAIL), 'the footer');
  const root = buffer.root();
  const schema = buffer.child(root, 1, 'schema') ?? buffer.fail('it has no schema');
  checkSchema(buffer, schema);
  checkKeyValues(buffer, root, 4, 'custom metadata');
  const blocks = [...blockList(buffer, root, 2, 'dictionary batch', DICTIONARY_BATCH), ...blockList(buffer, root, 3, 'record batch', RECORD_BATCH)];
  for (const block of blocks) {
    if (block.offset < HEAD || block.offset + block.metaLength + block.bodyLength > start || block.metaLength < 0 || block.bodyLength < 0) {
      fail(`its footer places ${block.name} at bytes ${block.offset}+${block.metaLength}+${block.bodyLength}, outside the ${start} bytes before the footer`);
    }
  }
  return { start, buffer, schema, version: buffer.int16(root, 0, 'version') ?? 0, blocks };
}

/** Each message the footer places, read where it says and of the kind it says. */
async function checkFileMessages(source: ByteSource, footer: ArrowFooter): Promise<void> {
  for (const block of footer.blocks) await fileMessage(source, footer, block);
}

/** The message a footer block places, checked to be of the block's kind. */
export async function fileMessage(source: ByteSource, footer: ArrowFooter, block: Block): Promise<ArrowMessage> {
  const message = await readMessage(source, block.offset, footer.start, block.name);
  if (!message || message.type !== block.type) fail(`${block.name} is not where the file's footer says (a message of type ${message?.type} is there)`);
  return message;
}

function blockList(footer: BoundedFlatBuffer, root: number, slot: number, kind: string, type: number): Block[] {
  const vector = footer.vector(root, slot, BLOCK_SIZE, `${kind} list`);
  const blocks: Block[] = [];
  for (let i = 0; vector && i < vector.length; i++) {
    const at = vector.start + BLOCK_SIZE * i;
    blocks.push({ name: `${kind} ${i}`, type, offset: Number(footer.readBigInt64(at)), metaLength: footer.readInt32(at + 8), bodyLength: Number(footer.readBigInt64(at + 16)) });
  }
  return blocks;
}
