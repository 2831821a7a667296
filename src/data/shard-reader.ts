import { WarmstartError } from '../errors.js';
import { openArrowShard } from './arrow-shard.js';
import { openParquetShard } from './parquet-shard.js';
import { emptyShard, unreadableArrow, unreadableParquet } from './read-errors.js';
import type { ShardFile, ShardGroup } from './shard-file.js';

export type { ColumnInfo, ColumnKind, ColumnValues, ShardFile, ShardGroup } from './shard-file.js';

export function shardFormatOf(name: string): 'parquet' | 'arrow' | 'csv' | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.parquet') || lower.endsWith('.pq')) return 'parquet';
  if (lower.endsWith('.arrow') || lower.endsWith('.feather') || lower.endsWith('.ipc') || lower.endsWith('.arrows')) return 'arrow';
  if (lower.endsWith('.csv')) return 'csv';
  return undefined;
}

/** Opens a shard's bytes; a file that does not parse is DATASET_INVALID naming the shard. */
export async function openShard(bytes: Uint8Array, format: 'parquet' | 'arrow', key: string): Promise<ShardFile> {
  if (bytes.byteLength === 0) throw emptyShard(key);
  try {
    return format === 'parquet' ? openParquetShard(bytes) : await openArrowShard(bytes);
  } catch (error) {
    throw format === 'parquet' ? unreadableParquet(key, error) : unreadableArrow(key, error);
  }
}

/** Reads a group, turning decoder failures (corrupt pages) into DATASET_INVALID naming shard and rows. */
export async function readGroupChecked(file: ShardFile, index: number, columns: readonly string[], key: string): Promise<ShardGroup> {
  try {
    return await file.readGroup(index, columns);
  } catch (error) {
    if (error instanceof WarmstartError) throw error;
    throw new WarmstartError('DATASET_INVALID', `shard ${key}: ${file.format === 'parquet' ? 'row group' : 'record batch'} ${index} cannot be decoded (${(error as Error).message}); the file is corrupt, write it again`, key, { cause: error });
  }
}
