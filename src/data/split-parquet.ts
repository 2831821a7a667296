/**
 * Splits a Parquet file larger than the shard bound into Parquet files of whole row groups. The
 * column chunks are copied byte for byte (pages, encodings, compression and dictionaries unchanged,
 * so every value decodes as in the input); only the footer is written anew, its offsets moved to the
 * chunks' new places. Memory: one column chunk at a time.
 */
import { promises as fs } from 'node:fs';
import { parquetMetadataAsync, type ColumnChunk, type FileMetaData, type RowGroup } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { WarmstartError } from '../errors.js';
import { asyncBufferOf, type LocalFile } from './input-file.js';
import { unreadableParquet } from './read-errors.js';
import { cutRuns, type PlannedShard, type TempShards } from './shard-plan.js';

const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]); // "PAR1"

/** Where a column chunk's bytes lie, as hyparquet reads them (a dictionary page comes first). */
function chunkRange(chunk: ColumnChunk): { start: number; length: number } {
  const meta = chunk.meta_data;
  if (!meta) throw new Error('a column chunk has no metadata');
  return { start: Number(meta.dictionary_page_offset || meta.data_page_offset), length: Number(meta.total_compressed_size) };
}

const groupBytes = (group: RowGroup) => group.columns.reduce((n, c) => n + chunkRange(c).length, 0);

/**
 * The chunk's metadata at its new offset. Page indexes, bloom filters and statistics are left out:
 * they point elsewhere in the input, and publish's readers do not use them.
 */
function moved(chunk: ColumnChunk, delta: bigint): ColumnChunk {
  const meta = chunk.meta_data!;
  return {
    file_offset: chunk.file_offset + delta,
    meta_data: {
      type: meta.type,
      encodings: meta.encodings,
      path_in_schema: meta.path_in_schema,
      codec: meta.codec,
      num_values: meta.num_values,
      total_uncompressed_size: meta.total_uncompressed_size,
      total_compressed_size: meta.total_compressed_size,
      ...(meta.key_value_metadata ? { key_value_metadata: meta.key_value_metadata } : {}),
      data_page_offset: meta.data_page_offset + delta,
      ...(meta.dictionary_page_offset ? { dictionary_page_offset: meta.dictionary_page_offset + delta } : {}),
      ...(meta.encoding_stats ? { encoding_stats: meta.encoding_stats } : {}),
    },
  };
}

/** Writes one shard of the given row groups to `target`; returns its row count. */
async function writeShard(input: LocalFile, metadata: FileMetaData, groups: readonly RowGroup[], target: string): Promise<number> {
  const out = await fs.open(target, 'w');
  try {
    let offset = MAGIC.byteLength;
    await out.write(MAGIC);
    const rowGroups: RowGroup[] = [];
    for (const group of groups) {
      const columns: ColumnChunk[] = [];
      const groupStart = offset;
      for (const chunk of group.columns) {
        const { start, length } = chunkRange(chunk);
        const bytes = await input.read(start, start + length);
        if (bytes.byteLength !== length) throw new Error(`a column chunk at ${start}+${length} lies outside the file's ${input.size} bytes`);
        await out.write(bytes);
        columns.push(moved(chunk, BigInt(offset - start)));
        offset += length;
      }
      rowGroups.push({ columns, total_byte_size: group.total_byte_size, num_rows: group.num_rows, file_offset: BigInt(groupStart), total_compressed_size: BigInt(offset - groupStart) });
    }
    const rows = rowGroups.reduce((n, g) => n + g.num_rows, 0n);
    const footer = new ByteWriter();
    const shardMetadata: FileMetaData = { version: metadata.version, schema: metadata.schema, num_rows: rows, row_groups: rowGroups, metadata_length: 0, ...(metadata.key_value_metadata ? { key_value_metadata: metadata.key_value_metadata } : {}), ...(metadata.created_by ? { created_by: metadata.created_by } : {}) };
    // hyparquet-writer has its own copy of hyparquet's types: the same shape, a newer logical-type list.
    writeMetadata(footer, shardMetadata as unknown as Parameters<typeof writeMetadata>[1]);
    footer.appendUint32(0x31524150);
    await out.write(footer.getBytes());
    return Number(rows);
  } finally {
    await out.close();
  }
}

/** Cuts the input into shards of whole row groups of at most `limit` bytes each (a larger group alone). */
export async function splitParquet(input: LocalFile, key: string, limit: number, temp: TempShards): Promise<PlannedShard[]> {
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(asyncBufferOf(input), { geoparquet: false });
    for (const group of metadata.row_groups) groupBytes(group);
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw unreadableParquet(key, error);
  }
  const shards: PlannedShard[] = [];
  let rowOffset = 0;
  for (const run of cutRuns(metadata.row_groups, groupBytes, limit)) {
    const target = temp.next('parquet');
    const rows = await writeShard(input, metadata, run, target).catch((error: unknown) => {
      if (error instanceof WarmstartError || (error as Error).name === 'AbortError') throw error;
      throw unreadableParquet(key, error);
    });
    shards.push({ path: target, format: 'parquet', rowOffset });
    rowOffset += rows;
  }
  return shards;
}
