/**
 * An Arrow IPC file or stream on local disk, validated and read one record batch at a time (publish's
 * inputs within the shard bound, and the shards cut from larger ones). Opening walks its messages by
 * positioned reads (arrow-messages.ts: every stated size checked, as for any Arrow shard); a batch is
 * decoded by reading only its schema, the dictionaries in effect and its own bytes, and handing
 * apache-arrow those as a small stream. Memory follows the batch, not the file.
 */
import { RecordBatchReader, tableFromIPC } from 'apache-arrow';
import { WarmstartError } from '../errors.js';
import { fileMessage, readFooter } from './arrow-bounds.js';
import { DictionariesInEffect } from './arrow-dictionaries.js';
import { END_MARKER, schemaBytes, schemaMessage } from './arrow-file-layout.js';
import { DICTIONARY_BATCH, RECORD_BATCH, SCHEMA } from './arrow-format.js';
import { walkMessages, type ArrowMessage } from './arrow-messages.js';
import { batchColumns, columnsOf } from './arrow-shard.js';
import type { LocalFile } from './input-file.js';
import { emptyShard, unreadableArrow } from './read-errors.js';
import { rowStarts, type ShardFile } from './shard-file.js';

interface Range {
  start: number;
  end: number;
}

/** A record batch: where it lies, its rows, and the dictionary messages to decode it with. */
interface Batch extends Range {
  rows: number;
  dictionaries: readonly Range[];
}

const rangeOf = (message: ArrowMessage): Range => ({ start: message.start, end: message.end });

function fail(problem: string): never {
  throw new Error(problem);
}

/** The schema message's bytes and the batches, from the footer (file format) or in order (stream). */
async function index(file: LocalFile): Promise<{ schema: Uint8Array; batches: Batch[] }> {
  const dictionaries = new DictionariesInEffect<Range>();
  const batches: Batch[] = [];
  const footer = await readFooter(file);
  if (footer) {
    // The file format: every dictionary in the footer applies to every batch (deltas in order); the
    // footer's blocks list the dictionaries first.
    for (const block of footer.blocks) {
      const message = await fileMessage(file, footer, block);
      if (message.type === DICTIONARY_BATCH) dictionaries.apply(rangeOf(message), message.dictionaryId!, true);
      else batches.push({ ...rangeOf(message), rows: message.rows, dictionaries: dictionaries.current() });
    }
    return { schema: schemaMessage(schemaBytes(footer.buffer, footer.schema), footer.version), batches };
  }
  let schema: Uint8Array | undefined;
  for await (const message of walkMessages(file, 0, file.size)) {
    if (!schema) {
      if (message.type !== SCHEMA) fail('its first message is not a schema');
      schema = await file.read(message.start, message.end);
    } else if (message.type === DICTIONARY_BATCH) dictionaries.apply(rangeOf(message), message.dictionaryId!, message.isDelta ?? false);
    else if (message.type === RECORD_BATCH) batches.push({ ...rangeOf(message), rows: message.rows, dictionaries: dictionaries.current() });
  }
  return { schema: schema ?? fail('it holds no messages'), batches };
}

/** Opens a local Arrow IPC file (or stream) for reading batch by batch; the refusals are openShard's. */
export async function openArrowFile(file: LocalFile, key: string): Promise<ShardFile> {
  if (file.size === 0) throw emptyShard(key);
  const passThrough = (error: unknown) => error instanceof WarmstartError || (error as Error).name === 'AbortError';
  try {
    const { schema, batches } = await index(file);
    const reader = RecordBatchReader.from(concat([schema, END_MARKER]));
    reader.open();
    const { starts, rows } = rowStarts(batches.map((batch) => batch.rows));
    return {
      format: 'arrow',
      rows,
      columns: columnsOf(reader.schema),
      groupCount: batches.length,
      async readGroup(group, columns) {
        const batch = batches[group]!;
        const parts = [schema];
        for (const range of [...batch.dictionaries, batch]) parts.push(await file.read(range.start, range.end));
        parts.push(END_MARKER);
        let decoded;
        try {
          decoded = tableFromIPC(concat(parts));
          if (decoded.numRows !== batch.rows) fail(`record batch ${group} decodes to ${decoded.numRows} rows, not the ${batch.rows} it states`);
        } catch (error) {
          throw unreadableArrow(key, error);
        }
        return { rowStart: starts[group]!, rows: decoded.numRows, columns: batchColumns(decoded, columns) };
      },
    };
  } catch (error) {
    if (passThrough(error)) throw error;
    throw unreadableArrow(key, error);
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
