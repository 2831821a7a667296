/** How publish turns input files into bounded shards (see publish-files.ts and docs/publishing.md). */
import path from 'node:path';

/**
 * Largest shard publish writes, in bytes: a larger input is split at row-group (Arrow: record-batch)
 * boundaries. 64 MiB is the size up to which readers hold a shard whole (`rangedReadAbove`): Arrow
 * shards and the upload body are always held whole, so this bounds the memory of every later read.
 * A shard exceeds it only by its last group (CSV), or when one group alone is larger.
 */
export const MAX_SHARD_BYTES = 64 * 1024 * 1024;

/** One shard to publish, on local disk: the input file itself, or a temporary file cut from it. */
export interface PlannedShard {
  path: string;
  format: 'parquet' | 'arrow';
  /** The input's row at which this shard starts, so that errors number the input's rows. */
  rowOffset: number;
}

/** Names temporary shard files in one directory, in the order they are cut. */
export class TempShards {
  private count = 0;
  constructor(readonly dir: string) {}

  next(format: 'parquet' | 'arrow'): string {
    return path.join(this.dir, `shard-${String(this.count++).padStart(5, '0')}.${format}`);
  }
}

/** Groups, in order, into runs of at most `limit` bytes (a group larger than the limit runs alone). */
export function cutRuns<T>(groups: readonly T[], bytesOf: (group: T) => number, limit: number): T[][] {
  const runs: T[][] = [];
  let size = 0;
  for (const group of groups) {
    const bytes = bytesOf(group);
    if (runs.length === 0 || (size > 0 && size + bytes > limit)) {
      runs.push([]);
      size = 0;
    }
    runs.at(-1)!.push(group);
    size += bytes;
  }
  return runs;
}
