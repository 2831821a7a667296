/**
 * A local input file read by positioned reads (publish's inputs and its temporary shards), so that a
 * file larger than memory is never held: each read takes only the range asked for, and checks the
 * caller's signal first, so a cancelled publish stops at its next read.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { parquetMetadataAsync, type AsyncBuffer } from 'hyparquet';
import { WarmstartError } from '../errors.js';
import { parquetShardFile } from './parquet-shard.js';
import { cannotReadFile, unreadableParquet } from './read-errors.js';
import type { ShardFile } from './shard-file.js';

export interface LocalFile {
  path: string;
  size: number;
  read(start: number, end: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Bytes hashed (and copied) per read: bounded, and large enough that a read's overhead does not matter. */
export const READ_CHUNK = 8 * 1024 * 1024;

export async function openLocalFile(file: string, signal?: AbortSignal): Promise<LocalFile> {
  signal?.throwIfAborted();
  let handle: fs.FileHandle;
  let size: number;
  try {
    handle = await fs.open(file, 'r');
    size = (await handle.stat()).size;
  } catch (error) {
    throw cannotReadFile(file, error);
  }
  return {
    path: file,
    size,
    async read(start, end) {
      signal?.throwIfAborted();
      const out = new Uint8Array(Math.max(0, Math.min(end, size) - start));
      let done = 0;
      while (done < out.byteLength) {
        const { bytesRead } = await handle.read(out, done, out.byteLength - done, start + done);
        if (bytesRead === 0) throw new WarmstartError('DATASET_INVALID', `file ${file} shrank while it was being read; leave the files alone while publishing, then publish again`, file);
        done += bytesRead;
      }
      return out;
    },
    close: () => handle.close(),
  };
}

/** sha256 of the whole file, read in bounded chunks. */
export async function hashLocalFile(file: LocalFile): Promise<string> {
  const hash = createHash('sha256');
  for (let at = 0; at < file.size; at += READ_CHUNK) hash.update(await file.read(at, Math.min(file.size, at + READ_CHUNK)));
  return hash.digest('hex');
}

export function asyncBufferOf(file: LocalFile): AsyncBuffer {
  return {
    byteLength: file.size,
    slice: async (start, end) => {
      const bytes = await file.read(start, end ?? file.size);
      return bytes.buffer as ArrayBuffer;
    },
  };
}

/**
 * A Parquet file opened from its footer; each row group's column chunks are read when the group is.
 * The refusals are openShard's: an empty file, and one that does not parse, name the shard.
 */
export async function openParquetFile(file: LocalFile, key: string): Promise<ShardFile> {
  if (file.size === 0) throw new WarmstartError('DATASET_INVALID', `shard ${key} is empty (0 bytes); publish a file with rows`, key);
  try {
    const buffer = asyncBufferOf(file);
    return parquetShardFile(buffer, await parquetMetadataAsync(buffer));
  } catch (error) {
    if (error instanceof WarmstartError || (error as Error).name === 'AbortError') throw error;
    throw unreadableParquet(key, error);
  }
}
