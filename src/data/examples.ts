import { createHash } from 'node:crypto';
import { WarmstartError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import { featureSize, type Manifest } from './manifest.js';
import { readParquetShard } from './parquet-shard.js';
import { hashSplit, parseSplitValue, type Split } from './split.js';

/** Examples of one split, decoded to the tensors' layout. */
export interface Examples {
  count: number;
  featureSize: number;
  /** count x featureSize, scaled as the manifest says. */
  x: Float32Array;
  /** Class index per example. */
  y: Int32Array;
  /** 1 when the example's shard was added in the manifest's own version (new data), else 0. */
  isNew: Uint8Array;
  ids: number[];
}

/** Downloads a shard and checks its size and sha256 against the manifest before decoding it. */
async function fetchVerifiedShard(store: ObjectStore, manifest: Manifest, index: number): Promise<Uint8Array> {
  const shard = manifest.shards[index]!;
  const object = await store.get(shard.key);
  if (!object) {
    throw new WarmstartError('DATASET_INVALID', `shard ${shard.key} listed in ${manifest.dataset} v${manifest.version} is missing from the store; republish the version`, shard.key);
  }
  if (object.body.byteLength !== shard.bytes) {
    throw new WarmstartError('DATASET_INVALID', `shard ${shard.key} has ${object.body.byteLength} bytes, manifest says ${shard.bytes}; the shard was changed or truncated, republish the version`, shard.key);
  }
  const digest = createHash('sha256').update(object.body).digest('hex');
  if (digest !== shard.sha256) {
    throw new WarmstartError('DATASET_INVALID', `shard ${shard.key} sha256 ${digest.slice(0, 12)}... does not match the manifest's ${shard.sha256.slice(0, 12)}...; republish the version`, shard.key);
  }
  return object.body;
}

export function splitOf(manifest: Manifest, id: number, splitValue: string | null | undefined, key: string): Split {
  if (manifest.split.kind === 'hash') return hashSplit(manifest.dataset, id, manifest.split.testFraction, manifest.split.validationFraction);
  const split = parseSplitValue(splitValue);
  if (!split) {
    throw new WarmstartError('DATASET_INVALID', `shard ${key}: example ${id} has split "${splitValue}"; the split column holds train, validation or test`, key);
  }
  return split;
}

/** Loads every example of the wanted splits, from all shards of a (cumulative) version. */
export async function loadExamples(store: ObjectStore, manifest: Manifest, splits: readonly Split[]): Promise<Examples> {
  const size = featureSize(manifest);
  const classIndex = new Map(manifest.classes.map((name, index) => [name, index]));
  const columns = { ...manifest.columns, split: manifest.split.kind === 'column' ? manifest.split.column : undefined };
  const chunks: { x: Float32Array; y: number[]; isNew: number[]; ids: number[] }[] = [];
  for (let s = 0; s < manifest.shards.length; s++) {
    const shard = manifest.shards[s]!;
    const rows = await readParquetShard(await fetchVerifiedShard(store, manifest, s), columns, shard.key, size);
    const keep: number[] = [];
    for (let r = 0; r < rows.ids.length; r++) {
      if (splits.includes(splitOf(manifest, rows.ids[r]!, rows.splits?.[r], shard.key))) keep.push(r);
    }
    const x = new Float32Array(keep.length * size);
    const y: number[] = [];
    keep.forEach((r, i) => {
      const features = rows.features[r]!;
      for (let j = 0; j < size; j++) x[i * size + j] = features[j]! * manifest.features.scale;
      const label = rows.labels[r]!;
      const index = manifest.labelEncoding === 'index' ? (typeof label === 'number' && label >= 0 && label < manifest.classes.length && Number.isInteger(label) ? label : undefined) : classIndex.get(String(label));
      if (index === undefined) {
        throw new WarmstartError(
          'DATASET_INVALID',
          `shard ${shard.key}: label ${JSON.stringify(label)} is not a class ${manifest.labelEncoding} of [${manifest.classes.join(', ')}]; fix the label column or the manifest's classes`,
          shard.key,
        );
      }
      y.push(index);
    });
    chunks.push({ x, y, isNew: keep.map(() => (shard.addedInVersion === manifest.version ? 1 : 0)), ids: keep.map((r) => rows.ids[r]!) });
  }
  const count = chunks.reduce((n, c) => n + c.y.length, 0);
  const examples: Examples = { count, featureSize: size, x: new Float32Array(count * size), y: new Int32Array(count), isNew: new Uint8Array(count), ids: [] };
  let offset = 0;
  for (const chunk of chunks) {
    examples.x.set(chunk.x, offset * size);
    examples.y.set(chunk.y, offset);
    examples.isNew.set(chunk.isNew, offset);
    examples.ids.push(...chunk.ids);
    offset += chunk.y.length;
  }
  return examples;
}
