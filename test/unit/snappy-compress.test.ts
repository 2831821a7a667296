import { snappyUncompress } from 'hyparquet';
import { snappyCompress as writerSnappy } from 'hyparquet-writer/src/snappy.js';
import { describe, expect, it } from 'vitest';
import { snappyCompress } from '../../src/data/snappy-compress.js';

/** A seeded generator, so that a failure names an input that can be made again. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

function roundTrip(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length);
  snappyUncompress(snappyCompress(input), out);
  return out;
}

describe('snappyCompress', () => {
  it('writes what hyparquet decompresses back to the same bytes: empty, tiny, runs, noise, long literals, far matches', () => {
    const random = generator(7);
    const inputs: Uint8Array[] = [new Uint8Array(0), Uint8Array.of(9), Uint8Array.of(1, 2, 3, 4, 5), new Uint8Array(100_000), Uint8Array.from({ length: 70_000 }, () => random() * 256)];
    // A block repeated beyond the 64 KiB copy offset, and one just within it.
    const block = Uint8Array.from({ length: 65_530 }, () => random() * 256);
    inputs.push(Uint8Array.from([...block, ...block.subarray(0, 500)]), Uint8Array.from([...block, 1, 2, 3, 4, 5, 6, 7, ...block.subarray(0, 500)]));
    for (let k = 0; k < 120; k++) {
      const n = Math.floor(random() ** 3 * 200_000);
      const alphabet = 1 + Math.floor(random() * 255);
      const skew = 1 + (k % 5);
      inputs.push(Uint8Array.from({ length: n }, () => Math.floor(random() ** skew * alphabet)));
    }
    for (const input of inputs) expect(Buffer.compare(roundTrip(input), input), `input of ${input.length} bytes`).toBe(0);
  });

  it("compresses a page of 4-decimal doubles as well as hyparquet-writer's own compressor (within 1%)", () => {
    const random = generator(3);
    const values = Float64Array.from({ length: 8192 }, (_, i) => Math.round((random() + (i % 10 === 0 ? 1 : 0)) * 1e4) / 1e4);
    const bytes = new Uint8Array(values.buffer);
    const size = snappyCompress(bytes).length;
    expect(size).toBeLessThan(0.65 * bytes.length);
    expect(size).toBeLessThanOrEqual(1.01 * writerSnappy(bytes).length);
    expect(Buffer.compare(roundTrip(bytes), bytes)).toBe(0);
  });
});
