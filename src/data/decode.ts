import { WarmstartError } from '../errors.js';
import { featureSize, type Manifest } from './manifest.js';
import type { ColumnInfo, ColumnKind, ShardGroup } from './shard-reader.js';
import { hashSplit, parseSplitValue, SPLITS, type Split } from './split.js';
import { categoryIndexer, categoryKey } from './vocabulary.js';

/** The manifest fields that say how to read rows (everything but the shard list). */
export type RowSchema = Pick<Manifest, 'dataset' | 'idColumn' | 'features' | 'label' | 'weightColumn' | 'classes' | 'split'>;

/** Decoded, validated rows of one group, already filtered to the wanted splits. */
export interface DecodedRows {
  count: number;
  /** count x featureSize, normalised as the manifest says. */
  x: Float32Array;
  y: Int32Array;
  weights: Float32Array;
  ids: Float64Array;
  /** Each row's split, as its index in SPLITS. */
  splits: Uint8Array;
  /** Each row's position within its shard (the row's number in the file). */
  positions: Int32Array;
}

export interface DecodeOptions {
  key: string;
  /** Id of the shard's first row when there is no id column. */
  firstId: number;
  splits: readonly Split[];
  /** Maps a raw label to a class index; undefined means "not a known class". */
  resolveLabel?: (label: number | string) => number | undefined;
  /**
   * Maps a categorical value (its vocabulary key, null for a null) at feature position `feature` to
   * its index; by default the manifest's vocabulary, unknown values and nulls to the OOV index 0.
   */
  resolveCategory?: (feature: number, key: string | null) => number;
}

const decoder = new TextDecoder();

export function dataColumns(schema: RowSchema): string[] {
  const features = schema.features.kind === 'columns' ? schema.features.columns : [schema.features.column];
  const optional = [schema.idColumn, schema.weightColumn, schema.split.kind === 'column' ? schema.split.column : null];
  return [...new Set([...features, schema.label.column, ...optional.filter((c): c is string => c !== null)])];
}

function fail(key: string, column: string, row: number | undefined, problem: string, fix: string): never {
  throw new WarmstartError('DATASET_INVALID', `shard ${key} column ${column}${row === undefined ? '' : ` row ${row}`}: ${problem}; ${fix}`, key);
}

/** Checks that every needed column exists with a kind the manifest can read. */
export function checkColumns(schema: RowSchema, columns: readonly ColumnInfo[], key: string): void {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const has = `the file has ${columns.map((c) => c.name).join(', ')}`;
  const expect = (name: string, kinds: ColumnKind[], what: string) => {
    const info = byName.get(name);
    if (!info) fail(key, name, undefined, `missing (${has})`, `add the column or pass the right column name`);
    if (!kinds.includes(info.kind)) fail(key, name, undefined, `is ${info.detail}, expected ${what}`, 'write the column with that type');
  };
  const f = schema.features;
  if (f.kind === 'binary') expect(f.column, ['binary'], 'binary or fixed-size binary of uint8 (image bytes)');
  else if (f.kind === 'list') expect(f.column, ['list'], 'a fixed-size list of numbers');
  else {
    const categorical = new Map((f.categorical ?? []).map((c) => [c.column, c.source]));
    for (const c of f.columns) {
      const source = categorical.get(c);
      if (source === 'string') expect(c, ['string'], 'a string (categorical) column, as in the first version');
      else if (source === 'integer') expect(c, ['int'], 'an integer (categorical) column, as in the first version');
      else expect(c, ['int', 'float'], 'a numeric column, as in the first version');
    }
  }
  expect(schema.label.column, schema.label.dtype === 'integer' ? ['int'] : ['string'], schema.label.dtype === 'integer' ? 'integer labels' : 'string labels');
  if (schema.idColumn) expect(schema.idColumn, ['int'], 'integer example ids');
  if (schema.weightColumn) expect(schema.weightColumn, ['int', 'float'], 'numeric example weights');
  if (schema.split.kind === 'column') expect(schema.split.column, ['string'], 'strings train / validation / test');
}

function toInteger(value: unknown, key: string, column: string, row: number): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      fail(key, column, row, `${value} is beyond 2^53 and cannot be represented exactly`, 'use values below 2^53 (9007199254740992)');
    }
    return Number(value);
  }
  return fail(key, column, row, `expected an integer, got ${value === null || value === undefined ? 'null' : JSON.stringify(String(value))}`, 'fill or drop the row');
}

function toFloat(value: unknown, key: string, column: string, row: number): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number') fail(key, column, row, `expected a number, got ${n === null || n === undefined ? 'null' : typeof n}`, 'fill or drop the row');
  if (!Number.isFinite(n)) fail(key, column, row, `${n} is not a finite number`, 'replace NaN and infinite values before publishing');
  return n;
}

export function toText(value: unknown): string | null {
  if (value instanceof Uint8Array) return decoder.decode(value);
  if (value === null || value === undefined) return null;
  return String(value);
}

/** Default label resolution: integer labels are indices into `classes`, string labels their names. */
export function labelResolver(schema: RowSchema): (label: number | string) => number | undefined {
  if (schema.label.dtype === 'integer') return (label) => (typeof label === 'number' && label >= 0 && label < schema.classes.length ? label : undefined);
  const index = new Map(schema.classes.map((name, i) => [name, i]));
  return (label) => index.get(String(label));
}

/** Validates and normalises one group: every error names shard, column and row. */
export function decodeGroup(schema: RowSchema, group: ShardGroup, options: DecodeOptions): DecodedRows {
  const { key } = options;
  const size = featureSize(schema);
  const column = (name: string) => group.columns.get(name) ?? fail(key, name, undefined, 'missing', 'add the column');
  const resolve = options.resolveLabel ?? labelResolver(schema);
  const labels = column(schema.label.column);
  const ids = schema.idColumn ? column(schema.idColumn) : undefined;
  const weights = schema.weightColumn ? column(schema.weightColumn) : undefined;
  const splitValues = schema.split.kind === 'column' ? column(schema.split.column) : undefined;
  const all = options.splits.length === 3;

  // Pass 1: ids, splits, labels, weights; pick the rows to keep.
  const keep: number[] = [];
  const outIds: number[] = [];
  const outY: number[] = [];
  const outW: number[] = [];
  const outSplits: number[] = [];
  for (let r = 0; r < group.rows; r++) {
    const row = group.rowStart + r;
    const id = ids ? toInteger(ids[r], key, schema.idColumn!, row) : options.firstId + row;
    let split: Split;
    if (schema.split.kind === 'hash') split = hashSplit(schema.dataset, id, schema.split.testFraction, schema.split.validationFraction);
    else {
      const text = toText(splitValues![r]);
      split = parseSplitValue(text) ?? fail(key, schema.split.column, row, `split is ${JSON.stringify(text)}`, 'the split column holds train, validation or test');
    }
    if (!all && !options.splits.includes(split)) continue;
    const raw = labels[r];
    const label = schema.label.dtype === 'integer' ? toInteger(raw, key, schema.label.column, row) : toText(raw);
    if (label === null) fail(key, schema.label.column, row, 'label is null', 'fill or drop the row');
    const index = resolve(label);
    if (index === undefined) {
      fail(key, schema.label.column, row, `label ${JSON.stringify(label)} is not one of the ${schema.classes.length} known classes`, 'fix the label, or publish with --new-classes to add classes');
    }
    const weight = weights ? toFloat(weights[r], key, schema.weightColumn!, row) : 1;
    if (weight < 0) fail(key, schema.weightColumn!, row, `weight ${weight} is negative`, 'weights must be >= 0');
    keep.push(r);
    outIds.push(id);
    outY.push(index);
    outW.push(weight);
    outSplits.push(SPLITS.indexOf(split));
  }

  // Pass 2: features of the kept rows, normalised.
  const x = new Float32Array(keep.length * size);
  const norm = schema.features.normalize;
  const scale = norm.kind === 'affine' ? norm.scale : 1;
  const offset = norm.kind === 'affine' ? norm.offset : 0;
  const f = schema.features;
  if (f.kind === 'columns') {
    decodeColumns(f, column, keep, x, group.rowStart, key, options.resolveCategory);
  } else {
    const values = column(f.column);
    keep.forEach((r, i) => {
      const value = values[r] as ArrayLike<unknown> | null | undefined;
      const row = group.rowStart + r;
      if (value === null || value === undefined || typeof value !== 'object') fail(key, f.column, row, 'features are null', 'fill or drop the row');
      if (value.length !== size) fail(key, f.column, row, `holds ${value.length} values, the shape [${f.shape.join(', ')}] needs ${size}`, 'fix the row or the declared --shape');
      const base = i * size;
      if (value instanceof Uint8Array) {
        // The hot path (images): convert and scale in one pass.
        copyScaled(value, x, base, scale, offset);
      } else for (let j = 0; j < size; j++) x[base + j] = toFloat(value[j], key, f.column, row) * scale + offset;
    });
    if (norm.kind === 'standardize') standardize(x, size, norm.mean, norm.std);
  }
  return { count: keep.length, x, y: Int32Array.from(outY), weights: Float32Array.from(outW), ids: Float64Array.from(outIds), splits: Uint8Array.from(outSplits), positions: Int32Array.from(keep, (r) => group.rowStart + r) };
}

type ColumnFeatures = Extract<RowSchema['features'], { kind: 'columns' }>;

/** One feature per column: numeric values normalised, categorical values as vocabulary indices (never normalised). */
function decodeColumns(f: ColumnFeatures, column: (name: string) => ArrayLike<unknown>, keep: readonly number[], x: Float32Array, rowStart: number, key: string, resolveCategory: DecodeOptions['resolveCategory']): void {
  const size = f.columns.length;
  const norm = f.normalize;
  const categorical = new Map((f.categorical ?? []).map((c) => [c.column, c]));
  f.columns.forEach((name, j) => {
    const values = column(name);
    const entry = categorical.get(name);
    if (entry) {
      const resolve = resolveCategory ? (k: string | null) => resolveCategory(j, k) : categoryIndexer(entry.vocabulary);
      keep.forEach((r, i) => {
        x[i * size + j] = resolve(categoryKey(values[r]));
      });
      return;
    }
    keep.forEach((r, i) => {
      const v = toFloat(values[r], key, name, rowStart + r);
      x[i * size + j] = norm.kind === 'affine' ? v * norm.scale + norm.offset : (v - norm.mean[j]!) / norm.std[j]!;
    });
  });
}

function standardize(x: Float32Array, size: number, mean: readonly number[], std: readonly number[]): void {
  for (let k = 0; k < x.length; k++) x[k] = (x[k]! - mean[k % size]!) / std[k % size]!;
}

/** Kept monomorphic (Uint8Array in, Float32Array out) so the JIT makes it a tight loop. */
function copyScaled(src: Uint8Array, dst: Float32Array, base: number, scale: number, offset: number): void {
  const n = src.length;
  for (let j = 0; j < n; j++) dst[base + j] = src[j]! * scale + offset;
}
