import { epochWindows, windowRowOrder, type StreamSamplerState } from '../training/sampler.js';
import type { ExampleSource } from './source.js';
import { copyFeatures, drawWindow, type DrawnWindow } from './stream-window.js';

const NOTHING_LEFT = 'no training examples left: the train split is empty or selection dropped everything';

export interface StreamFeedOptions {
  seed: number;
  /** Share of each batch drawn from new units; absent: one pool of every unit. */
  newFraction?: number;
  /** Per-example loss weights by row index (selection); 0 leaves the example out. */
  exampleWeights?: Float32Array;
  /** Multiply by the dataset's weight column. Default true. */
  datasetWeights?: boolean;
  /** Units whose rows are shuffled together: the shuffle buffer. Default 4. */
  windowUnits?: number;
}

/** A window of one pool: its units' kept rows (weight > 0), in the seeded draw order. */
type Window = DrawnWindow;

interface Pool {
  units: number[];
  position: { epoch: number; window: number; pos: number };
  windows: number[][];
  windowsEpoch: number;
  current: Window | undefined;
  ahead: { key: string; window: Promise<Window>; settled: boolean } | undefined;
  empty: boolean;
}

/**
 * Training batches streamed from a source: each epoch walks a seeded order of units, a window of
 * `windowUnits` at a time, and draws the window's rows in a seeded order; the next window is read
 * while the current one is drawn from. The position (epoch, window, row) is the whole state, so a
 * resumed run reads the same window again and continues with exactly the batches it would have seen.
 */
export class StreamFeed {
  readonly featureSize: number;
  readonly weighted: boolean;
  private readonly pools: Pool[];
  private readonly windowUnits: number;
  private readonly fraction: number | undefined;

  constructor(private readonly source: ExampleSource, private readonly options: StreamFeedOptions, state?: StreamSamplerState) {
    this.featureSize = source.featureSize;
    this.windowUnits = Math.max(1, options.windowUnits ?? 4);
    this.fraction = options.newFraction;
    const useDataset = options.datasetWeights ?? true;
    this.weighted = !!options.exampleWeights || (useDataset && source.weighted);
    const all = source.units.map((_, i) => i).filter((i) => source.units[i]!.wanted !== 0);
    const members = this.fraction === undefined ? [all] : [all.filter((i) => !source.units[i]!.isNew), all.filter((i) => source.units[i]!.isNew)];
    this.pools = members.map((units, p) => ({
      units,
      position: state?.pools[p] ? { ...state.pools[p] } : { epoch: 0, window: 0, pos: 0 },
      windows: [],
      windowsEpoch: -1,
      current: undefined,
      ahead: undefined,
      empty: units.length === 0,
    }));
  }

  private windowsOf(pool: Pool, p: number, epoch: number): number[][] {
    if (pool.windowsEpoch !== epoch) {
      pool.windows = epochWindows(pool.units, this.options.seed, p, epoch, this.windowUnits);
      pool.windowsEpoch = epoch;
    }
    return pool.windows;
  }

  private async load(p: number, epoch: number, window: number): Promise<Window> {
    const units = epochWindows(this.pools[p]!.units, this.options.seed, p, epoch, this.windowUnits)[window]!;
    // The window's units are read at once (concurrent ranges), not one round trip after another.
    const read = await Promise.all(units.map((u) => this.source.readUnit(u)));
    return drawWindow(read, { datasetWeights: this.options.datasetWeights ?? true, exampleWeights: this.options.exampleWeights }, (kept) => windowRowOrder(kept, this.options.seed, p, epoch, window));
  }

  private readAhead(p: number, epoch: number, window: number): NonNullable<Pool['ahead']> {
    const pending = this.load(p, epoch, window);
    const ahead = { key: `${epoch}/${window}`, window: pending, settled: false };
    const settle = () => {
      ahead.settled = true;
    };
    pending.then(settle, settle); // a failure is surfaced when taken
    return ahead;
  }

  /**
   * Starts reading each pool's window at its position now, so the read overlaps what comes before the
   * first batch (a run's step-0 evaluation); the first `next` takes it.
   */
  prime(): void {
    this.pools.forEach((pool, p) => {
      if (pool.empty || pool.current || pool.ahead) return;
      pool.ahead = this.readAhead(p, pool.position.epoch, pool.position.window);
    });
  }

  /** The window at `position`, read ahead when it was the next one. */
  private take(p: number, epoch: number, window: number): Promise<Window> {
    const pool = this.pools[p]!;
    const key = `${epoch}/${window}`;
    if (pool.ahead?.key === key) {
      const { window: pending } = pool.ahead;
      pool.ahead = undefined;
      return pending;
    }
    return this.load(p, epoch, window);
  }

  private after(pool: Pool, p: number, epoch: number, window: number): { epoch: number; window: number } {
    return window + 1 < this.windowsOf(pool, p, epoch).length ? { epoch, window: window + 1 } : { epoch: epoch + 1, window: 0 };
  }

  /** Makes the pool's current window one with rows left; false when the pool has no rows at all. */
  private async ready(p: number): Promise<boolean> {
    const pool = this.pools[p]!;
    if (pool.empty) return false;
    let emptyInARow = 0;
    for (;;) {
      const { epoch, window, pos } = pool.position;
      if (!pool.current) {
        pool.current = await this.take(p, epoch, window);
        const next = this.after(pool, p, epoch, window);
        pool.ahead = this.readAhead(p, next.epoch, next.window);
      }
      if (pos < pool.current.count) return true;
      if (pool.current.count === 0 && ++emptyInARow >= this.windowsOf(pool, p, epoch).length) {
        pool.empty = true;
        pool.current = undefined;
        pool.ahead = undefined;
        return false;
      }
      if (pool.current.count > 0) emptyInARow = 0;
      const next = this.after(pool, p, epoch, window);
      pool.position = { ...next, pos: 0 };
      pool.current = undefined;
    }
  }

  /** Fills x, y and w with the next `batchSize` examples (old ones first, then new, as newFraction says). */
  async next(out: { x: Float32Array; y: Int32Array; w: Float32Array }, batchSize: number): Promise<void> {
    let fromNew = 0;
    if (this.fraction !== undefined) {
      const hasOld = await this.ready(0);
      const hasNew = await this.ready(1);
      if (!hasOld && !hasNew) throw new Error(NOTHING_LEFT);
      fromNew = !hasNew ? 0 : !hasOld ? batchSize : Math.round(this.fraction * batchSize);
    } else if (!(await this.ready(0))) throw new Error(NOTHING_LEFT);
    if (batchSize - fromNew > 0) await this.fill(0, out, 0, batchSize - fromNew);
    if (fromNew > 0) await this.fill(1, out, batchSize - fromNew, fromNew);
  }

  /** Copies the pool's next `count` rows to `out` from row `at` (labels and weights as ranges); only a window's end waits for the next. */
  private async fill(p: number, out: { x: Float32Array; y: Int32Array; w: Float32Array }, at: number, count: number): Promise<void> {
    const size = this.featureSize;
    const pool = this.pools[p]!;
    while (count > 0) {
      const hasRow = pool.current !== undefined && pool.position.pos < pool.current.count;
      if (!hasRow && !(await this.ready(p))) throw new Error(NOTHING_LEFT);
      const window = pool.current!;
      const from = pool.position.pos;
      const take = Math.min(count, window.count - from);
      copyFeatures(window, from, take, out.x, at, size);
      out.y.set(window.y.subarray(from, from + take), at);
      out.w.set(window.w.subarray(from, from + take), at);
      pool.position.pos += take;
      at += take;
      count -= take;
    }
  }

  /** True while a window is being read ahead: the caller should give the event loop a turn so its I/O gets on. */
  get reading(): boolean {
    return this.pools.some((pool) => pool.ahead !== undefined && !pool.ahead.settled);
  }

  state(): StreamSamplerState {
    return { kind: 'stream', pools: this.pools.map((p) => ({ ...p.position })) };
  }
}
