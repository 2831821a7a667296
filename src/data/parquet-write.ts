/** Writing Parquet shards (the readers are in parquet-shard.ts). */
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';

/** Page compressors by codec, as hyparquet-writer takes them. */
type Compressors = Parameters<typeof parquetWriteBuffer>[0]['compressors'];

/** A column to write; features go as BYTE_ARRAY, not a list: lists decode ~10x slower. */
export type WriteColumn = ColumnSource;

/** compressors: page compressors in place of hyparquet-writer's (the CSV conversion passes a faster Snappy). */
export function writeParquet(columns: WriteColumn[], rowGroupSize = 2048, compressors?: Compressors): Uint8Array {
  return new Uint8Array(parquetWriteBuffer({ columnData: columns, rowGroupSize, createdBy: 'warmstart', ...(compressors ? { compressors } : {}) }));
}

export interface ShardWriteRow {
  id: number;
  label: number;
  features: Uint8Array;
}

/** Writes image-like rows (id INT32, label INT32, features BYTE_ARRAY) as one Parquet shard. */
export function writeParquetShard(rows: readonly ShardWriteRow[], columns: { id: string; label: string; features: string }, rowGroupSize = 2048): Uint8Array {
  return writeParquet(
    [
      { name: columns.id, data: Int32Array.from(rows, (r) => r.id), type: 'INT32', nullable: false },
      { name: columns.label, data: Int32Array.from(rows, (r) => r.label), type: 'INT32', nullable: false },
      { name: columns.features, data: rows.map((r) => r.features), type: 'BYTE_ARRAY', nullable: false },
    ],
    rowGroupSize,
  );
}
