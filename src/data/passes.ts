import { gatherRows, type Examples } from './examples.js';
import type { ExampleSource, UnitRows } from './source.js';

/** Consecutive rows of a source in its natural order (shards as the manifest lists them, rows in file order). */
export interface RowBatch {
  count: number;
  featureSize: number;
  x: Float32Array;
  y: Int32Array;
  weights: Float32Array;
  ids: Float64Array;
  /** Each row's index among all rows of the version. */
  index: Int32Array;
  isNew: Uint8Array;
}

export interface PassOptions {
  batchSize?: number;
  /** The next unit is read while the current one is used (I/O overlaps compute). Default true. */
  readAhead?: boolean;
  /** Called after each unit (the caller heartbeats). */
  onUnit?: (rowsSoFar: number) => void;
}

/**
 * One pass over a source in natural order, in batches of exactly `batchSize` rows (the last one
 * shorter), carried across units: the same batches as the rows loaded whole and cut in order, so a
 * streamed evaluation predicts exactly what an in-memory one did. Memory: two units and one batch.
 */
export async function* rowBatches(source: ExampleSource, options: PassOptions = {}): AsyncGenerator<RowBatch> {
  const batchSize = options.batchSize ?? 512;
  const size = source.featureSize;
  const fresh = (): RowBatch => ({ count: 0, featureSize: size, x: new Float32Array(batchSize * size), y: new Int32Array(batchSize), weights: new Float32Array(batchSize), ids: new Float64Array(batchSize), index: new Int32Array(batchSize), isNew: new Uint8Array(batchSize) });
  let batch = fresh();
  let rows = 0;
  const read = (u: number): Promise<UnitRows> | undefined => {
    if (u >= source.units.length) return undefined;
    const pending = source.readUnit(u);
    pending.catch(() => undefined); // surfaced when awaited
    return pending;
  };
  let next = read(0);
  for (let u = 0; next; u++) {
    const unit = await next;
    next = options.readAhead === false ? undefined : read(u + 1);
    for (let r = 0; r < unit.count; ) {
      const take = Math.min(unit.count - r, batchSize - batch.count);
      const at = batch.count;
      batch.x.set(unit.x.subarray(r * size, (r + take) * size), at * size);
      batch.y.set(unit.y.subarray(r, r + take), at);
      batch.weights.set(unit.weights.subarray(r, r + take), at);
      batch.ids.set(unit.ids.subarray(r, r + take), at);
      batch.index.set(unit.index.subarray(r, r + take), at);
      batch.isNew.fill(unit.isNew ? 1 : 0, at, at + take);
      batch.count += take;
      r += take;
      if (batch.count === batchSize) {
        yield batch;
        batch = fresh();
      }
    }
    rows += unit.count;
    options.onUnit?.(rows);
    if (options.readAhead === false) next = read(u + 1);
  }
  if (batch.count > 0) yield trim(batch);
}

function trim(batch: RowBatch): RowBatch {
  const n = batch.count;
  return { ...batch, x: batch.x.slice(0, n * batch.featureSize), y: batch.y.slice(0, n), weights: batch.weights.slice(0, n), ids: batch.ids.slice(0, n), index: batch.index.slice(0, n), isNew: batch.isNew.slice(0, n) };
}

/**
 * The source's rows in memory, in natural order: for small splits only (the validation rows a
 * training curve evaluates on), so at most `limit` rows are kept; `truncated` says whether some were left.
 */
export async function collectRows(source: ExampleSource, options: { limit?: number; onUnit?: (rows: number) => void } = {}): Promise<Examples & { truncated: boolean }> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const parts: RowBatch[] = [];
  let count = 0;
  let truncated = false;
  for await (const batch of rowBatches(source, { batchSize: 8192, onUnit: options.onUnit })) {
    if (count + batch.count > limit) {
      truncated = true;
      const keep = limit - count;
      if (keep > 0) parts.push(trim({ ...batch, count: keep }));
      count += Math.max(0, keep);
      break;
    }
    parts.push(batch);
    count += batch.count;
  }
  return { ...gatherRows(parts, source.featureSize, source.weighted), truncated };
}
