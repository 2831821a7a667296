import { stableHash } from '../data/split.js';
import { SeededRandom } from '../random.js';

/**
 * Seeded batches from one or two pools (old and new examples), each reshuffled when exhausted.
 * Its whole state is plain JSON, so a checkpoint restores the exact data order.
 */
export interface SamplerState {
  random: number;
  pools: { order: number[]; cursor: number }[];
}

export interface SamplerOptions {
  count: number;
  isNew: Uint8Array;
  /** Per example; 0 leaves the example out. */
  weights?: Float32Array;
  /** Share of each batch drawn from new examples; absent: one pool, the natural proportion. */
  newFraction?: number;
  seed: number;
}

export class BatchSampler {
  private readonly random: SeededRandom;
  private readonly members: Int32Array[];
  private readonly pools: { order: Int32Array; cursor: number }[];
  private readonly newPerBatch: ((batchSize: number) => number) | undefined;

  constructor(options: SamplerOptions, state?: SamplerState) {
    const kept = (i: number) => options.weights === undefined || options.weights[i]! > 0;
    const all = Int32Array.from({ length: options.count }, (_, i) => i).filter(kept);
    const split = options.newFraction !== undefined;
    this.members = split ? [all.filter((i) => options.isNew[i] === 0), all.filter((i) => options.isNew[i] === 1)] : [all];
    if (this.members.every((m) => m.length === 0)) throw new Error('no training examples left: the train split is empty or selection dropped everything');
    this.random = new SeededRandom(state?.random ?? options.seed);
    if (state) {
      this.pools = state.pools.map((p) => ({ order: Int32Array.from(p.order), cursor: p.cursor }));
    } else {
      this.pools = this.members.map((m) => ({ order: this.random.permutation(m.length), cursor: 0 }));
    }
    if (split) {
      const fraction = options.newFraction!;
      const [oldPool, newPool] = this.members as [Int32Array, Int32Array];
      // An empty pool cannot contribute: the other one fills the batch.
      this.newPerBatch = (b) => (newPool.length === 0 ? 0 : oldPool.length === 0 ? b : Math.round(fraction * b));
    }
  }

  private draw(pool: number): number {
    const p = this.pools[pool]!;
    const members = this.members[pool]!;
    if (p.cursor === p.order.length) {
      p.order = this.random.permutation(members.length);
      p.cursor = 0;
    }
    return members[p.order[p.cursor++]!]!;
  }

  /** Example indices of the next batch. */
  next(batchSize: number): Int32Array {
    const rows = new Int32Array(batchSize);
    const fromNew = this.newPerBatch?.(batchSize) ?? 0;
    for (let i = 0; i < batchSize; i++) rows[i] = this.newPerBatch ? this.draw(i < batchSize - fromNew ? 0 : 1) : this.draw(0);
    return rows;
  }

  state(): SamplerState {
    return { random: this.random.state, pools: this.pools.map((p) => ({ order: Array.from(p.order), cursor: p.cursor })) };
  }
}

/**
 * Where a streamed sampler stands, per pool (one pool, or old and new): the epoch, the window of
 * units within the epoch's seeded unit order, and how many of the window's rows were drawn. Plain
 * JSON, a few numbers whatever the dataset's size, so a checkpoint restores the exact data order.
 */
export interface StreamSamplerState {
  kind: 'stream';
  pools: { epoch: number; window: number; pos: number }[];
}

/** A seed for one (pool, epoch[, window]), independent of how far any other pool has got. */
export function derivedSeed(seed: number, ...parts: number[]): number {
  return stableHash(`${seed}:${parts.join(':')}`);
}

/**
 * The units of each window of one epoch: the pool's units in a seeded order, cut into windows of
 * `windowUnits`. A window's rows are shuffled together; memory holds one window (and the next, read ahead).
 */
export function epochWindows(units: readonly number[], seed: number, pool: number, epoch: number, windowUnits: number): number[][] {
  const order = new SeededRandom(derivedSeed(seed, pool, epoch)).permutation(units.length);
  const windows: number[][] = [];
  for (let start = 0; start < order.length; start += windowUnits) windows.push(Array.from(order.subarray(start, start + windowUnits), (i) => units[i]!));
  return windows;
}

/** The seeded order of a window's `count` rows. */
export function windowRowOrder(count: number, seed: number, pool: number, epoch: number, window: number): Int32Array {
  return new SeededRandom(derivedSeed(seed, pool, epoch, window, 1)).permutation(count);
}
