import { Dictionary, Field, Float64, Int32, makeData, RecordBatch, RecordBatchStreamWriter, Schema, Struct, Utf8, vectorFromArray, type Vector } from 'apache-arrow';

/**
 * Batches whose dictionary changes between them, as apache-arrow's writers record it: batch 1 appends
 * 'c' (a delta), batch 3 replaces the dictionary with p, q (a replacement), batch 4 appends 'r'.
 */
export function changingDictionaryBatches(): RecordBatch[] {
  const shopType = new Dictionary(new Utf8(), new Int32(), 0);
  const schema = new Schema([new Field('a', new Float64()), new Field('shop', shopType)]);
  let row = 0;
  const batch = (dictionary: Vector<Utf8>) => {
    const n = 4;
    const a = makeData({ type: new Float64(), length: n, data: Float64Array.from({ length: n }, (_, i) => row + i) });
    const shop = makeData({ type: shopType, length: n, data: Int32Array.from({ length: n }, (_, i) => (row + i) % dictionary.length), dictionary });
    row += n;
    return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, children: [a, shop] }));
  };
  const ab = vectorFromArray(['a', 'b'], new Utf8());
  const abc = ab.concat(vectorFromArray(['c'], new Utf8()));
  const pq = vectorFromArray(['p', 'q'], new Utf8());
  return [batch(ab), batch(abc), batch(abc), batch(pq), batch(pq.concat(vectorFromArray(['r'], new Utf8())))];
}

/** changingDictionaryBatches as an Arrow IPC stream (deltas and a replacement between batches). */
export function dictionaryStream(): Uint8Array {
  return RecordBatchStreamWriter.writeAll(changingDictionaryBatches()).toUint8Array(true);
}
