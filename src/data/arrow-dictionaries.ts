/**
 * Which dictionary messages are in effect at a point of an Arrow IPC stream: per dictionary id, its
 * latest replacement and the deltas since. The splitter starts each shard with them; the batch-by-batch
 * reader decodes each record batch with them.
 */
export class DictionariesInEffect<T> {
  private readonly byId = new Map<string, T[]>();
  private snapshot: T[] | undefined = [];

  /** Applies a dictionary message; true when it replaced a dictionary already in effect. */
  apply(message: T, id: string, isDelta: boolean): boolean {
    const seen = this.byId.get(id);
    this.snapshot = undefined;
    if (isDelta && seen) {
      seen.push(message);
      return false;
    }
    this.byId.set(id, [message]);
    return seen !== undefined;
  }

  /** The messages in effect, in the order to apply them (the same array until the next change). */
  current(): readonly T[] {
    this.snapshot ??= [...this.byId.values()].flat();
    return this.snapshot;
  }
}
