/** The one-line refusals every reader of shards and input files gives, worded once. */
import { WarmstartError } from '../errors.js';

/** A local file that cannot be opened or read: names the file and the system's reason. */
export function cannotReadFile(file: string, error: unknown): WarmstartError {
  return new WarmstartError('DATASET_NOT_FOUND', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the path`, file, { cause: error });
}

/** A shard of 0 bytes: refused before any reader sees it. */
export function emptyShard(key: string): WarmstartError {
  return new WarmstartError('DATASET_INVALID', `shard ${key} is empty (0 bytes); publish a file with rows`, key);
}

/** An Arrow IPC shard whose messages do not parse (callers let their own refusals and cancellation pass first). */
export function unreadableArrow(key: string, error: unknown): WarmstartError {
  return new WarmstartError('DATASET_INVALID', `shard ${key} is not a readable Arrow IPC file (${(error as Error).message}); it is truncated or corrupt, write it again`, key, { cause: error });
}

/** A Parquet shard whose footer or chunks do not parse (callers let their own refusals and cancellation pass first). */
export function unreadableParquet(key: string, error: unknown): WarmstartError {
  return new WarmstartError('DATASET_INVALID', `shard ${key} is not a readable Parquet file (${(error as Error).message}); it is truncated or corrupt, write it again`, key, { cause: error });
}
