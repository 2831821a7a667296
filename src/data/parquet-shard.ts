import { parquetMetadata, parquetRead, parquetSchema, type AsyncBuffer, type FileMetaData, type SchemaTree } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { rowStarts, type ColumnInfo, type ColumnKind, type ColumnValues, type ShardFile, type ShardGroup } from './shard-file.js';

/** Parquet via hyparquet: pure JS, reads pyarrow/Spark/DuckDB defaults (v2 pages, dictionaries, zstd). */
export function openParquetShard(bytes: Uint8Array): ShardFile {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return parquetShardFile(buffer, parquetMetadata(buffer));
}

/**
 * A Parquet file behind any AsyncBuffer: in memory, or ranged reads of an object, in which case
 * reading a row group fetches only that group's column chunks.
 */
export function parquetShardFile(file: AsyncBuffer, metadata: FileMetaData): ShardFile {
  const { starts, rows } = rowStarts(metadata.row_groups.map((group) => Number(group.num_rows)));
  return {
    format: 'parquet',
    rows,
    columns: parquetSchema(metadata).children.map(columnInfo),
    groupCount: metadata.row_groups.length,
    async readGroup(index, columns): Promise<ShardGroup> {
      const rowStart = starts[index]!;
      const rowEnd = rowStart + Number(metadata.row_groups[index]!.num_rows);
      const chunks = new Map<string, { start: number; data: ColumnValues }[]>();
      await parquetRead({
        file,
        metadata,
        columns: [...columns],
        rowStart,
        rowEnd,
        // Binary stays bytes: images must not go through a UTF-8 decoder.
        utf8: false,
        compressors,
        onChunk: (chunk) => {
          const list = chunks.get(chunk.columnName) ?? [];
          list.push({ start: chunk.rowStart, data: chunk.columnData as ColumnValues });
          chunks.set(chunk.columnName, list);
        },
      });
      const out = new Map<string, ColumnValues>();
      for (const name of columns) out.set(name, assemble(chunks.get(name) ?? [], rowStart, rowEnd));
      return { rowStart, rows: rowEnd - rowStart, columns: out };
    },
  };
}

/** Joins a column's chunks into exactly [rowStart, rowEnd): chunks may reach outside the range. */
function assemble(chunks: { start: number; data: ColumnValues }[], rowStart: number, rowEnd: number): ColumnValues {
  const only = chunks[0];
  if (chunks.length === 1 && only && only.start === rowStart && only.data.length === rowEnd - rowStart) return only.data;
  const out: unknown[] = new Array<unknown>(rowEnd - rowStart);
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.data.length; i++) {
      const row = chunk.start + i;
      if (row >= rowStart && row < rowEnd) out[row - rowStart] = chunk.data[i];
    }
  }
  return out;
}

function columnInfo(node: SchemaTree): ColumnInfo {
  const element = node.element;
  const logical = element.logical_type?.type;
  const detail = [element.type ?? 'group', logical ?? element.converted_type].filter(Boolean).join('/');
  let kind: ColumnKind = 'other';
  if (node.children.length > 0) kind = logical === 'LIST' || element.converted_type === 'LIST' ? 'list' : 'other';
  else if (element.type === 'BYTE_ARRAY') kind = logical === 'STRING' || element.converted_type === 'UTF8' || logical === 'ENUM' ? 'string' : 'binary';
  else if (element.type === 'FIXED_LEN_BYTE_ARRAY') kind = 'binary';
  else if (element.type === 'INT32' || element.type === 'INT64') kind = 'int';
  else if (element.type === 'FLOAT' || element.type === 'DOUBLE') kind = 'float';
  else if (element.type === 'BOOLEAN') kind = 'bool';
  return { name: element.name, kind, detail };
}
