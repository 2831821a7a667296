import { DataType, tableFromIPC, type Schema, type Type, type Vector } from 'apache-arrow';
import { checkArrowBounds } from './arrow-bounds.js';
import { rowStarts, type ColumnInfo, type ColumnKind, type ColumnValues, type ShardFile, type ShardGroup } from './shard-file.js';

/** Arrow IPC (file or stream format) via apache-arrow; record batches play the part of row groups. */
export async function openArrowShard(bytes: Uint8Array): Promise<ShardFile> {
  // apache-arrow allocates from the sizes a file states: check them against its bytes first.
  await checkArrowBounds(bytes);
  const table = tableFromIPC(bytes);
  const { starts, rows } = rowStarts(table.batches.map((batch) => batch.numRows));
  return {
    format: 'arrow',
    rows,
    columns: columnsOf(table.schema),
    groupCount: table.batches.length,
    readGroup(index, columns): Promise<ShardGroup> {
      const batch = table.batches[index]!;
      return Promise.resolve({ rowStart: starts[index]!, rows: batch.numRows, columns: batchColumns(batch, columns) });
    },
  };
}

/** The named columns' values of a record batch (or a table of one); a column it lacks is left out. */
export function batchColumns(batch: { getChild(name: string): Vector | null }, columns: readonly string[]): Map<string, ColumnValues> {
  const out = new Map<string, ColumnValues>();
  for (const name of columns) {
    const vector = batch.getChild(name);
    if (vector) out.set(name, valuesOf(vector));
  }
  return out;
}

/** The columns of an Arrow schema, as ShardFile describes them. */
export function columnsOf(schema: Schema): ColumnInfo[] {
  return schema.fields.map((field): ColumnInfo => ({ name: field.name, kind: kindOf(field.type), detail: String(field.type) }));
}

function kindOf(type: DataType): ColumnKind {
  if (DataType.isDictionary(type)) return kindOf(type.dictionary);
  if (DataType.isBinary(type) || DataType.isFixedSizeBinary(type) || DataType.isLargeBinary(type)) return 'binary';
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) return 'string';
  if (DataType.isInt(type)) return 'int';
  if (DataType.isFloat(type)) return 'float';
  if (DataType.isFixedSizeList(type) || DataType.isList(type)) return 'list';
  if (DataType.isBool(type)) return 'bool';
  return 'other';
}

/** Row values of a column: numeric columns without nulls as their typed array, the rest row by row. */
export function valuesOf(vector: Vector): ColumnValues {
  const type = vector.type as DataType<Type>;
  if ((DataType.isInt(type) || DataType.isFloat(type)) && vector.nullCount === 0) return vector.toArray() as ColumnValues;
  const out: unknown[] = new Array<unknown>(vector.length);
  const isList = DataType.isFixedSizeList(type) || DataType.isList(type);
  for (let i = 0; i < vector.length; i++) {
    const value: unknown = vector.get(i);
    out[i] = isList && value !== null && typeof value === 'object' && 'toArray' in value ? (value as Vector).toArray() : value;
  }
  return out;
}
