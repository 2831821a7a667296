/**
 * Splits an Arrow IPC input (file or stream format) larger than the shard bound into Arrow IPC files
 * of whole record batches. The input is walked message by message with positioned reads
 * (arrow-messages.ts: a message's prefix and metadata first, then its bytes to copy), never held.
 * Each shard is an Arrow IPC file: the magic, the schema message, the dictionaries in effect where it
 * starts, its record batches (and the delta dictionaries between them), all copied byte for byte, the
 * end marker and a footer placing them (arrow-file-layout.ts). Each shard is then validated like any
 * Arrow shard (arrow-bounds.ts, then apache-arrow).
 *
 * Dictionaries: the file format allows delta dictionaries but not replacements, so a shard starts with
 * the latest replacement of each dictionary and its deltas, and a replacement of a dictionary already
 * in effect starts a new shard. A file input's dictionaries are its footer's, all in effect throughout.
 */
import { promises as fs } from 'node:fs';
import { WarmstartError } from '../errors.js';
import { fileMessage, readFooter } from './arrow-bounds.js';
import { END_MARKER, FILE_HEAD, fileFooter, schemaBytes, schemaMessage, type Placed, type SchemaBytes } from './arrow-file-layout.js';
import { DictionariesInEffect } from './arrow-dictionaries.js';
import { DICTIONARY_BATCH, RECORD_BATCH, SCHEMA } from './arrow-format.js';
import { walkMessages, type ArrowMessage } from './arrow-messages.js';
import { READ_CHUNK, type LocalFile } from './input-file.js';
import { unreadableArrow } from './read-errors.js';
import type { PlannedShard, TempShards } from './shard-plan.js';

/** A message to copy: where it lies in the input, and what it is. */
interface Piece {
  kind: 'dictionary' | 'batch';
  start: number;
  bodyStart: number;
  end: number;
  rows: number;
}

/** One shard to write: the dictionaries it starts with, then its batches and in-run deltas in input order. */
interface ShardContents {
  carried: Piece[];
  items: Piece[];
  bytes: number;
}

/** What every shard starts with: the schema message (the input's own, or built) and the footer's schema. */
interface Head {
  schemaMessage: Uint8Array | { start: number; end: number };
  schema: SchemaBytes;
  version: number;
}

function fail(problem: string): never {
  throw new Error(problem);
}

const pieceOf = (message: ArrowMessage, kind: Piece['kind']): Piece => ({ kind, start: message.start, bodyStart: message.bodyStart, end: message.end, rows: message.rows });
const sizeOf = (pieces: readonly Piece[]) => pieces.reduce((n, piece) => n + piece.end - piece.start, 0);

/** Packs batches into shards of at most `limit` bytes (a larger batch alone), carrying the dictionaries in effect. */
class ShardPacker {
  readonly shards: ShardContents[] = [];
  private readonly dictionaries = new DictionariesInEffect<Piece>();
  private current: ShardContents | undefined;
  /** Deltas since the current shard's last batch: they join it only if another batch does. */
  private pending: Piece[] = [];

  constructor(private readonly limit: number) {}

  dictionary(piece: Piece, id: string, isDelta: boolean): void {
    // A replacement cannot follow the dictionary it replaces inside one file: the shard ends here.
    if (this.dictionaries.apply(piece, id, isDelta)) this.close();
    if (this.current) this.pending.push(piece);
  }

  batch(piece: Piece): void {
    const bytes = piece.end - piece.start + sizeOf(this.pending);
    if (this.current && this.current.bytes + bytes > this.limit) this.close();
    if (this.current) {
      this.current.items.push(...this.pending, piece);
      this.current.bytes += bytes;
    } else {
      const carried = [...this.dictionaries.current()];
      this.current = { carried, items: [piece], bytes: sizeOf(carried) + piece.end - piece.start };
    }
    this.pending = [];
  }

  close(): void {
    if (this.current) this.shards.push(this.current);
    this.current = undefined;
    this.pending = [];
  }
}

/** Walks the input: what each shard starts with, and the shards' contents. */
async function plan(input: LocalFile, limit: number): Promise<{ head: Head; shards: ShardContents[] }> {
  const packer = new ShardPacker(limit);
  const footer = await readFooter(input);
  if (footer) {
    const schema = schemaBytes(footer.buffer, footer.schema);
    for (const block of footer.blocks) {
      const message = await fileMessage(input, footer, block);
      if (message.type === DICTIONARY_BATCH) packer.dictionary(pieceOf(message, 'dictionary'), message.dictionaryId!, true);
      else packer.batch(pieceOf(message, 'batch'));
    }
    packer.close();
    return { head: { schemaMessage: schemaMessage(schema, footer.version), schema, version: footer.version }, shards: packer.shards };
  }
  let head: Head | undefined;
  for await (const message of walkMessages(input, 0, input.size)) {
    if (!head) {
      if (message.type !== SCHEMA || message.header === undefined) fail('its first message is not a schema');
      head = { schemaMessage: { start: message.start, end: message.end }, schema: schemaBytes(message.metadata, message.header), version: message.version };
    } else if (message.type === DICTIONARY_BATCH) packer.dictionary(pieceOf(message, 'dictionary'), message.dictionaryId!, message.isDelta ?? false);
    else if (message.type === RECORD_BATCH) packer.batch(pieceOf(message, 'batch'));
  }
  packer.close();
  return { head: head ?? fail('it holds no messages'), shards: packer.shards };
}

/** Writes one shard as an Arrow IPC file, copying each message's bytes from the input. */
async function writeShard(input: LocalFile, target: string, head: Head, contents: ShardContents): Promise<void> {
  const out = await fs.open(target, 'w');
  try {
    let position = 0;
    const write = async (bytes: Uint8Array) => {
      await out.write(bytes);
      position += bytes.byteLength;
    };
    const copy = async (piece: { start: number; end: number }) => {
      for (let at = piece.start; at < piece.end; at += READ_CHUNK) await write(await input.read(at, Math.min(piece.end, at + READ_CHUNK)));
    };
    await write(FILE_HEAD);
    if (head.schemaMessage instanceof Uint8Array) await write(head.schemaMessage);
    else await copy(head.schemaMessage);
    const dictionaries: Placed[] = [];
    const batches: Placed[] = [];
    for (const piece of [...contents.carried, ...contents.items]) {
      (piece.kind === 'dictionary' ? dictionaries : batches).push({ offset: position, metaDataLength: piece.bodyStart - piece.start, bodyLength: piece.end - piece.bodyStart });
      await copy(piece);
    }
    await write(END_MARKER);
    await write(fileFooter(head.schema, head.version, dictionaries, batches));
  } finally {
    await out.close();
  }
}

/** Cuts the input into Arrow IPC files of whole record batches, each at most `limit` bytes (a larger batch alone). */
export async function splitArrow(input: LocalFile, key: string, limit: number, temp: TempShards): Promise<PlannedShard[]> {
  let planned: Awaited<ReturnType<typeof plan>>;
  try {
    planned = await plan(input, limit);
  } catch (error) {
    if (error instanceof WarmstartError || (error as Error).name === 'AbortError') throw error;
    throw unreadableArrow(key, error);
  }
  const shards: PlannedShard[] = [];
  let rowOffset = 0;
  for (const contents of planned.shards) {
    const target = temp.next('arrow');
    await writeShard(input, target, planned.head, contents);
    shards.push({ path: target, format: 'arrow', rowOffset });
    rowOffset += contents.items.reduce((n, piece) => n + piece.rows, 0);
  }
  return shards;
}
