import { SeededRandom } from '../../src/random.js';

/** Picks and coin flips over the project's one seeded generator, so every fuzz case replays from its seed. */
export class Fuzz {
  readonly random: SeededRandom;

  constructor(seed: number) {
    this.random = new SeededRandom(seed);
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.random.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.random.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  /** Up to `max` distinct items, in a random order. */
  some<T>(items: readonly T[], max: number): T[] {
    const order = this.random.permutation(items.length);
    return Array.from(order.slice(0, this.int(0, Math.min(max, items.length))), (i) => items[i]!);
  }
}

/** Seed of case `index` in a run seeded with `seed`: cases replay one by one. */
export const caseSeed = (seed: number, index: number) => (Math.imul(seed, 1_000_003) + index) | 0;
