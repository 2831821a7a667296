/**
 * A Snappy compressor (raw format, as Parquet pages hold it) that writes into one preallocated buffer.
 * hyparquet-writer's own compressor grows a byte writer one byte at a time, and was two thirds of the
 * time to write a converted CSV file's pages (bench/results/scale-data.md). Greedy matching of 4-byte
 * sequences through a hash table, the lookup step growing over runs without a match so that
 * incompressible bytes pass quickly; offsets stay within 65,535 (2-byte copies).
 * Format: the uncompressed length as a varint, then literals (tag 00) and copies (tags 01, 10).
 */

const MAX_OFFSET = 0xffff;
const MIN_MATCH = 4;
const tables: Int32Array[] = [];

/** The largest output for an input of n bytes (Snappy's bound). */
function maxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

function load32(input: Uint8Array, p: number): number {
  return input[p]! | (input[p + 1]! << 8) | (input[p + 2]! << 16) | (input[p + 3]! << 24);
}

function literal(out: Uint8Array, op: number, input: Uint8Array, from: number, to: number): number {
  const n = to - from;
  if (n === 0) return op;
  const m = n - 1;
  if (m < 60) {
    out[op++] = m << 2;
  } else {
    const bytes = m < 0x100 ? 1 : m < 0x10000 ? 2 : m < 0x1000000 ? 3 : 4;
    out[op++] = (59 + bytes) << 2;
    for (let i = 0; i < bytes; i++) out[op++] = (m >>> (8 * i)) & 0xff;
  }
  if (n < 16) {
    for (let i = 0; i < n; i++) out[op + i] = input[from + i]!;
  } else {
    out.set(input.subarray(from, to), op);
  }
  return op + n;
}

/** A copy of len (4..64) bytes from offset back. */
function copy64(out: Uint8Array, op: number, offset: number, len: number): number {
  if (len < 12 && offset < 2048) {
    out[op++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    out[op++] = offset & 0xff;
  } else {
    out[op++] = 2 | ((len - 1) << 2);
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
  }
  return op;
}

function copy(out: Uint8Array, op: number, offset: number, len: number): number {
  while (len >= 68) {
    op = copy64(out, op, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    op = copy64(out, op, offset, 60);
    len -= 60;
  }
  return copy64(out, op, offset, len);
}

/** Output space reused across calls (one page at a time); each result is a copy of what was written. */
let scratch = new Uint8Array(0);

export function snappyCompress(input: Uint8Array): Uint8Array {
  const n = input.length;
  if (scratch.length < maxCompressedLength(n)) scratch = new Uint8Array(maxCompressedLength(n));
  const out = scratch;
  let op = 0;
  for (let v = n; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      out[op++] = v;
      break;
    }
    out[op++] = (v & 0x7f) | 0x80;
  }
  if (n < MIN_MATCH + 1) return out.slice(0, literal(out, op, input, 0, n));
  let bits = 8;
  while (bits < 14 && 1 << bits < n) bits++;
  const table = (tables[bits] ??= new Int32Array(1 << bits));
  table.fill(-1);
  const shift = 32 - bits;
  const last = n - MIN_MATCH;
  let emitted = 0;
  let ip = 0;
  let misses = 32;
  while (ip <= last) {
    const word = load32(input, ip);
    const h = Math.imul(word, 0x1e35a7bd) >>> shift;
    const candidate = table[h]!;
    table[h] = ip;
    if (candidate < 0 || ip - candidate > MAX_OFFSET || load32(input, candidate) !== word) {
      ip += misses++ >>> 5;
      continue;
    }
    op = literal(out, op, input, emitted, ip);
    let len = MIN_MATCH;
    while (ip + len < n && input[candidate + len] === input[ip + len]) len++;
    op = copy(out, op, ip - candidate, len);
    ip += len;
    emitted = ip;
    misses = 32;
    // The position before the next lookup goes in the table too, so that runs keep matching.
    if (ip - 1 <= last) table[Math.imul(load32(input, ip - 1), 0x1e35a7bd) >>> shift] = ip - 1;
  }
  op = literal(out, op, input, emitted, n);
  return out.slice(0, op);
}
