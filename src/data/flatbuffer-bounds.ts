/**
 * Bounds-checked reads of a FlatBuffer (the encoding of Arrow IPC metadata). apache-arrow trusts every
 * offset and vector length it finds and allocates from them, so a damaged footer that claims two
 * billion children runs the process out of memory. Everything read here is checked against the
 * buffer's own size first; a table's position is only ever handed out after its vtable was checked.
 */
export class FlatBufferBoundsError extends Error {}

/** A vector's element count and the position of its first element. */
export interface FlatVector {
  start: number;
  length: number;
}

export class BoundedFlatBuffer {
  private readonly view: DataView;
  /** Tables visited: a real buffer holds at most one table per 4 bytes; more means shared or cyclic offsets. */
  private tablesVisited = 0;
  /** The bytes touched since `track()`: every table, vtable and vector read (see reachedSpan). */
  private reached: { start: number; end: number } | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    /** What the buffer is, for messages ("the footer", "record batch 2's metadata"). */
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get size(): number {
    return this.bytes.byteLength;
  }

  /** Starts recording the bytes that the table at `from`, and tables, vtables and vectors read from now on, occupy. */
  track(from: number): void {
    this.reached = { start: this.size, end: 0 };
    this.table(from, 'table');
  }

  /** The range of bytes read since `track()`: everything reachable from what was walked, if it was walked whole. */
  reachedSpan(): { start: number; end: number } {
    const reached = this.reached ?? { start: 0, end: 0 };
    return reached.start < reached.end ? { ...reached } : { start: 0, end: 0 };
  }

  /** The root table's position. */
  root(): number {
    return this.table(this.offsetAt(0, 'root'), 'root');
  }

  /** A scalar field's position (`width` bytes inside the table), or undefined when the field is absent. */
  field(table: number, slot: number, width: number, name: string): number | undefined {
    const vtable = table - this.view.getInt32(table, true);
    const entry = 4 + 2 * slot;
    if (entry + 2 > this.view.getUint16(vtable, true)) return undefined;
    const offset = this.view.getUint16(vtable + entry, true);
    if (offset === 0) return undefined;
    if (offset + width > this.view.getUint16(vtable + 2, true)) this.fail(`${name} lies outside its table`);
    return table + offset;
  }

  int64(table: number, slot: number, name: string): bigint | undefined {
    const at = this.field(table, slot, 8, name);
    return at === undefined ? undefined : this.view.getBigInt64(at, true);
  }

  int16(table: number, slot: number, name: string): number | undefined {
    const at = this.field(table, slot, 2, name);
    return at === undefined ? undefined : this.view.getInt16(at, true);
  }

  uint8(table: number, slot: number, name: string): number | undefined {
    const at = this.field(table, slot, 1, name);
    return at === undefined ? undefined : this.view.getUint8(at);
  }

  /** A sub-table's position, or undefined when absent. */
  child(table: number, slot: number, name: string): number | undefined {
    const at = this.field(table, slot, 4, name);
    return at === undefined ? undefined : this.table(this.offsetAt(at, name), name);
  }

  /** A vector of `elementSize`-byte elements (strings are vectors of bytes), checked to fit the buffer. */
  vector(table: number, slot: number, elementSize: number, name: string): FlatVector | undefined {
    const at = this.field(table, slot, 4, name);
    if (at === undefined) return undefined;
    const position = this.offsetAt(at, name);
    this.need(position, 4, name);
    const length = this.view.getUint32(position, true);
    const room = this.size - position - 4;
    if (length * elementSize > room) this.fail(`${name} claims ${length} entries, more than its ${room} remaining bytes can hold`);
    // A string (a byte vector) ends with a NUL that FlatBuffers verifiers check: it is part of what is reached.
    this.reach(position, Math.min(this.size, position + 4 + length * elementSize + (elementSize === 1 ? 1 : 0)));
    return { start: position + 4, length };
  }

  /** The positions of the tables in a vector of tables. */
  tables(table: number, slot: number, name: string): number[] {
    const vector = this.vector(table, slot, 4, name);
    const out: number[] = [];
    for (let i = 0; vector && i < vector.length; i++) {
      const element = vector.start + 4 * i;
      out.push(this.table(this.offsetAt(element, `${name}[${i}]`), `${name}[${i}]`));
    }
    return out;
  }

  /** A copy of bytes `start` to `end`. */
  copy(start: number, end: number): Uint8Array {
    return this.bytes.slice(start, end);
  }

  readBigInt64(position: number): bigint {
    return this.view.getBigInt64(position, true);
  }

  readInt32(position: number): number {
    return this.view.getInt32(position, true);
  }

  fail(problem: string): never {
    throw new FlatBufferBoundsError(`${this.what}: ${problem}`);
  }

  /** Follows the unsigned offset stored at `position`. */
  private offsetAt(position: number, name: string): number {
    this.need(position, 4, name);
    const target = position + this.view.getUint32(position, true);
    if (target >= this.size) this.fail(`${name} points past the end (${target} of ${this.size} bytes)`);
    return target;
  }

  /** Checks a table and its vtable lie inside the buffer, and counts it. */
  private table(position: number, name: string): number {
    if (++this.tablesVisited > this.size / 4) this.fail(`more tables than its ${this.size} bytes can hold (offsets are shared or loop)`);
    this.need(position, 4, name);
    const vtable = position - this.view.getInt32(position, true);
    if (vtable < 0 || vtable + 4 > this.size) this.fail(`${name}'s field table is outside the buffer`);
    const vtableSize = this.view.getUint16(vtable, true);
    const tableSize = this.view.getUint16(vtable + 2, true);
    if (vtableSize < 4 || vtable + vtableSize > this.size || position + tableSize > this.size) this.fail(`${name}'s field table is damaged`);
    this.reach(vtable, vtable + vtableSize);
    this.reach(position, position + Math.max(4, tableSize));
    return position;
  }

  private reach(start: number, end: number): void {
    if (!this.reached) return;
    this.reached.start = Math.min(this.reached.start, start);
    this.reached.end = Math.max(this.reached.end, end);
  }

  private need(position: number, width: number, name: string): void {
    if (position < 0 || position + width > this.size) this.fail(`${name} lies outside the buffer`);
  }
}
