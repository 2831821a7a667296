/** The in-memory view of one shard, shared by the Parquet and Arrow readers. */
/** A column's kind as far as validation cares; the file format's own type is in `detail`. */
export type ColumnKind = 'binary' | 'string' | 'int' | 'float' | 'list' | 'bool' | 'other';

export interface ColumnInfo {
  name: string;
  kind: ColumnKind;
  /** The file's own type name, for messages ("INT64", "FixedSizeList<Float32>"). */
  detail: string;
}

/**
 * Values of one column over a group of rows: numbers (bigint for 64-bit ints), Uint8Array for binary,
 * string or Uint8Array for strings, array-likes for lists, null for a null.
 */
export type ColumnValues = ArrayLike<unknown>;

/** One decoded row group (Parquet) or record batch (Arrow IPC). */
export interface ShardGroup {
  /** Row index of the group's first row within the shard. */
  rowStart: number;
  rows: number;
  columns: Map<string, ColumnValues>;
}

/** Each group's first row within the shard, and the shard's rows, from the groups' row counts. */
export function rowStarts(groupRows: Iterable<number>): { starts: number[]; rows: number } {
  const starts: number[] = [];
  let rows = 0;
  for (const n of groupRows) {
    starts.push(rows);
    rows += n;
  }
  return { starts, rows };
}

/** A shard held in memory, read group by group so that decoded data stays bounded by one group. */
export interface ShardFile {
  format: 'parquet' | 'arrow';
  rows: number;
  columns: ColumnInfo[];
  groupCount: number;
  readGroup(index: number, columns: readonly string[]): Promise<ShardGroup>;
}
