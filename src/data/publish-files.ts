import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WarmstartError } from '../errors.js';
import { checkName } from '../names.js';
import type { ObjectStore } from '../storage/object-store.js';
import { checkColumns, dataColumns, decodeGroup, labelResolver, type DecodedRows, type RowSchema } from './decode.js';
import { MAX_CLASSES, MAX_FEATURE_VALUES, type FeatureSpec, type Manifest, type Normalize } from './manifest.js';
import { commitVersion, nextVersion, type NewShard, type PublishResult, type VersionSchema } from './publish.js';
import { openPlanned, planInput, readWhole, type Input, type OpenedShard } from './publish-inputs.js';
import { MAX_SHARD_BYTES, TempShards } from './shard-plan.js';
import { readGroupChecked, type ColumnInfo } from './shard-reader.js';
import { grownVocabulary, MAX_VOCABULARY, OOV_INDEX, type CategoricalColumn } from './vocabulary.js';

export interface PublishFilesRequest {
  dataset: string;
  /** Paths of Parquet (.parquet), Arrow IPC (.arrow, .feather, .ipc) or CSV (.csv) files. */
  files: string[];
  label: string;
  /** One binary / fixed-size-list column, or several numeric columns. */
  features: string[];
  /**
   * Integer feature columns to treat as categorical (string and dictionary-encoded columns always are).
   * Fixed by the first version: later versions inherit each column's kind.
   */
  categorical?: string[];
  /** Declared feature shape; defaults to the flat length of the first row. */
  shape?: number[];
  idColumn?: string;
  weightColumn?: string;
  splitColumn?: string;
  /** Hash split fractions when there is no split column. */
  testFraction?: number;
  validationFraction?: number;
  /** Allow labels outside the parent version's classes; they are appended to the class list. */
  newClasses?: boolean;
  /** Largest shard in bytes (default MAX_SHARD_BYTES, 64 MiB): a larger input is split. */
  maxShardBytes?: number;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  signal?: AbortSignal;
}

const IDENTITY: Normalize = { kind: 'affine', scale: 1, offset: 0 };

function invalid(message: string, subject: string): WarmstartError {
  return new WarmstartError('DATASET_INVALID', message, subject);
}

/** Options that can be refused before any file is read: each problem in one line naming the flag and the fix. */
function checkRequest(request: PublishFilesRequest): void {
  if (request.files.length === 0) throw invalid(`nothing to publish for ${request.dataset}: no files`, request.dataset);
  const paths = request.files.map((file) => path.resolve(file));
  const twice = paths.find((file, index) => paths.indexOf(file) !== index);
  if (twice) throw invalid(`file ${twice} is given twice; each file's rows may be published once`, twice);
  if (request.features.length === 0) throw invalid('--features names no column; e.g. --features image, or --features f1,f2,f3', '--features');
  const repeated = request.features.find((name, index) => request.features.indexOf(name) !== index);
  if (repeated) throw invalid(`--features names column ${repeated} twice; list each feature column once`, '--features');
  // A column read in two parts (say label and id) is written twice on conversion, and means nothing.
  const roles: [string, string | undefined][] = [['--label', request.label], ['--id-column', request.idColumn], ['--weight-column', request.weightColumn], ['--split-column', request.splitColumn], ...request.features.map((name): [string, string] => ['--features', name])];
  for (const [index, [flag, name]] of roles.entries()) {
    const other = roles.findIndex(([, taken], at) => at < index && name !== undefined && taken === name);
    if (other >= 0) throw invalid(`column ${name} is both ${roles[other]![0]} and ${flag}; each column plays one part`, flag);
  }
  const stray = (request.categorical ?? []).find((name) => !request.features.includes(name));
  if (stray) throw invalid(`--categorical names column ${stray}, which --features does not; list it in --features too, or drop it from --categorical`, '--categorical');
  if (request.shape) {
    const size = request.shape.reduce((a, b) => a * b, 1);
    if (size > MAX_FEATURE_VALUES) throw invalid(`--shape [${request.shape.join(', ')}] holds ${size} values per example, over the limit of ${MAX_FEATURE_VALUES}`, '--shape');
  }
  const test = request.testFraction ?? 0.2;
  const validation = request.validationFraction ?? 0.1;
  if (!(test > 0 && test < 1 && validation >= 0 && test + validation < 1)) {
    throw invalid(`split fractions test ${test} and validation ${validation} must be in [0, 1) with test > 0 and sum below 1, so that the train split is not empty`, 'split');
  }
}

const TIME_TYPE = /timestamp|date|time|interval|duration/i;

/**
 * Each feature column's kind: numeric, or categorical (string, dictionary-encoded, or an integer column
 * named by --categorical); a later version inherits the parent's kinds (its vocabularies grow later).
 */
function columnKinds(info: readonly ColumnInfo[], request: PublishFilesRequest, parent: Manifest | undefined, file: string): CategoricalColumn[] {
  const declared = request.categorical ?? [];
  for (const c of info) {
    if (TIME_TYPE.test(c.detail)) {
      throw invalid(`shard ${file} column ${c.name}: is ${c.detail}, a timestamp, which is not a feature as it is; derive columns from it (hour of day, day of week, month as --categorical integers; days since a fixed date as a number) and publish those instead`, c.name);
    }
  }
  if (parent) {
    const inherited = parent.features.kind === 'columns' ? (parent.features.categorical ?? []) : [];
    const changed = declared.find((name) => !inherited.some((c) => c.column === name));
    if (changed) throw invalid(`--categorical names column ${changed}, which is numeric in the parent ${parent.dataset} v${parent.version}; a column keeps its kind across versions: drop it from --categorical, or publish under a new dataset name`, '--categorical');
    return inherited.map((c) => ({ ...c, vocabulary: [...c.vocabulary] }));
  }
  const out: CategoricalColumn[] = [];
  for (const c of info) {
    if (c.kind === 'string') out.push({ column: c.name, source: 'string', vocabulary: [] });
    else if (declared.includes(c.name)) {
      if (c.kind !== 'int') throw invalid(`shard ${file} column ${c.name}: is ${c.detail}; --categorical takes integer columns (string columns are categorical already): round the codes to integers, or drop it from --categorical`, '--categorical');
      out.push({ column: c.name, source: 'integer', vocabulary: [] });
    } else if (c.kind !== 'int' && c.kind !== 'float') {
      throw invalid(`shard ${file} column ${c.name}: is ${c.detail}; feature columns are numeric or categorical (string, or integer with --categorical), or one binary / fixed-size list column`, file);
    }
  }
  return out;
}

/** The feature spec implied by the first file's column types and the request. */
async function inferFeatures(first: OpenedShard, request: PublishFilesRequest, parent: Manifest | undefined): Promise<FeatureSpec> {
  const info = request.features.map((name) => {
    const column = first.file.columns.find((c) => c.name === name);
    if (!column) throw invalid(`shard ${first.name} column ${name}: missing (the file has ${first.file.columns.map((c) => c.name).join(', ')}); pass the right --features`, first.name);
    return column;
  });
  const single = info.length === 1 ? info[0]! : undefined;
  if (single && (single.kind === 'binary' || single.kind === 'list')) {
    let shape = request.shape;
    if (!shape) {
      const group = await readGroupChecked(first.file, 0, [single.name], first.name);
      const value = group.columns.get(single.name)?.[0] as ArrayLike<unknown> | null | undefined;
      if (!value || typeof value !== 'object') throw invalid(`shard ${first.name} column ${single.name} row 0: features are null; pass --shape or fill the row`, first.name);
      if (value.length === 0) throw invalid(`shard ${first.name} column ${single.name} row 0: holds no values (an empty image?); every example needs at least one feature value`, first.name);
      shape = [value.length];
    }
    return single.kind === 'binary'
      ? { kind: 'binary', column: single.name, dtype: 'uint8', shape, normalize: { kind: 'affine', scale: 1 / 255, offset: 0 } }
      : { kind: 'list', column: single.name, dtype: 'float32', shape, normalize: { kind: 'affine', scale: 1, offset: 0 } };
  }
  const categorical = columnKinds(info, request, parent, first.name);
  const shape = request.shape ?? [info.length];
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== info.length) throw invalid(`--shape [${shape.join(', ')}] holds ${size} values but --features names ${info.length} columns; make them agree, or leave --shape out`, '--shape');
  // Replaced by standardisation with the data's moments in a first version (see publishFiles).
  return { kind: 'columns', columns: request.features, dtype: 'float32', shape, normalize: IDENTITY, ...(categorical.length > 0 ? { categorical } : {}) };
}

/** Fields a version must share with its parent; a difference is named with both values. */
function checkAgainstParent(schema: Omit<VersionSchema, 'classes'>, parent: Manifest): void {
  const pairs: [string, unknown, unknown][] = [
    ['features.kind', schema.features.kind, parent.features.kind],
    ['features.columns', schema.features.kind === 'columns' ? schema.features.columns : [schema.features.column], parent.features.kind === 'columns' ? parent.features.columns : [parent.features.column]],
    ['features.shape', schema.features.shape, parent.features.shape],
    ['label', schema.label, parent.label],
    ['idColumn', schema.idColumn, parent.idColumn],
    ['weightColumn', schema.weightColumn, parent.weightColumn],
    ['split', schema.split.kind === 'column' ? schema.split : 'hash', parent.split.kind === 'column' ? parent.split : 'hash'],
  ];
  for (const [field, mine, theirs] of pairs) {
    if (JSON.stringify(mine) !== JSON.stringify(theirs)) {
      throw invalid(`schema differs from the parent ${parent.dataset} v${parent.version}: ${field} is ${JSON.stringify(mine)}, the parent has ${JSON.stringify(theirs)}; publish with the parent's columns and shape, or under a new dataset name`, field);
    }
  }
}

/** What the validation pass learns from every row: the labels (for the class list), feature moments, train rows. */
class RowsSeen {
  readonly names = new Set<string>();
  maxLabel = -1;
  readonly sum: Float64Array;
  readonly sumSq: Float64Array;
  count = 0;
  trainRows = 0;
  /** Per categorical feature position: the values its (parent) vocabulary lacks. */
  readonly newValues = new Map<number, Set<string>>();

  constructor(
    readonly size: number,
    private readonly categorical: ReadonlyMap<number, CategoricalColumn> = new Map(),
  ) {
    this.sum = new Float64Array(size);
    this.sumSq = new Float64Array(size);
  }

  /** Collects a categorical value during validation (nulls become the OOV index, and are not collected). */
  category(file: string) {
    const known = new Map([...this.categorical].map(([j, c]) => [j, new Set(c.vocabulary)]));
    return (feature: number, key: string | null): number => {
      const entry = this.categorical.get(feature);
      if (key === null || !entry || known.get(feature)!.has(key)) return OOV_INDEX;
      let added = this.newValues.get(feature);
      if (!added) this.newValues.set(feature, (added = new Set()));
      added.add(key);
      if (entry.vocabulary.length + added.size > MAX_VOCABULARY) {
        throw invalid(`shard ${file} column ${entry.column}: more than ${MAX_VOCABULARY} distinct values${entry.vocabulary.length > 0 ? ` with the parent's ${entry.vocabulary.length}` : ''}, the vocabulary limit of a categorical column; bucket it into fewer values (keep the frequent ones, map the rest to one "other" value), or leave it out of --features`, entry.column);
      }
      return OOV_INDEX;
    };
  }

  /** The categorical columns with their vocabularies grown by the values seen (see vocabulary.ts for the order). */
  vocabularies(): CategoricalColumn[] {
    return [...this.categorical].map(([j, c]) => ({ ...c, vocabulary: grownVocabulary(c.vocabulary, this.newValues.get(j) ?? []) }));
  }

  add(rows: DecodedRows): void {
    for (let k = 0; k < rows.x.length; k++) {
      const v = rows.x[k]!;
      const j = k % this.size;
      this.sum[j] = this.sum[j]! + v;
      this.sumSq[j] = this.sumSq[j]! + v * v;
    }
    this.count += rows.count;
    for (const split of rows.splits) if (split === 0) this.trainRows++;
  }

  /**
   * Resolves a raw label during validation: the parent's index for a known class; a new one is
   * collected (and bounded) when new classes are allowed or there is no parent.
   */
  labels(request: PublishFilesRequest, known: ((label: string | number) => number | undefined) | undefined, file: string) {
    return (label: string | number): number | undefined => {
      const index = known?.(label);
      if (index !== undefined || (known && !request.newClasses)) return index;
      if (typeof label === 'number') {
        if (label < 0) return undefined;
        // Integer labels are class indices: bounded before the class list is built from the largest.
        if (label >= MAX_CLASSES) throw invalid(`shard ${file} column ${request.label}: label ${label} is beyond the limit of ${MAX_CLASSES} classes (integer labels are class indices 0-${MAX_CLASSES - 1}); renumber the classes or use string labels`, request.label);
        this.maxLabel = Math.max(this.maxLabel, label);
      } else {
        this.names.add(label);
        if (this.names.size > MAX_CLASSES) throw invalid(`shard ${file} column ${request.label}: more than ${MAX_CLASSES} distinct labels, the limit of classes; is ${request.label} really the label column?`, request.label);
      }
      return 0;
    };
  }
}

/** The version's schema from the first file and the request; a later version keeps the parent's normalisation. */
async function schemaOf(first: OpenedShard, request: PublishFilesRequest, parent: Manifest | undefined): Promise<Omit<VersionSchema, 'classes'>> {
  const features = await inferFeatures(first, request, parent);
  const labelInfo = first.file.columns.find((c) => c.name === request.label);
  const base: Omit<VersionSchema, 'classes'> = {
    idColumn: request.idColumn ?? null,
    features: parent ? { ...features, normalize: parent.features.normalize } : features,
    label: { column: request.label, dtype: labelInfo?.kind === 'string' ? 'string' : 'integer' },
    weightColumn: request.weightColumn ?? null,
    split: request.splitColumn
      ? { kind: 'column', column: request.splitColumn }
      : (parent?.split ?? { kind: 'hash', testFraction: request.testFraction ?? 0.2, validationFraction: request.validationFraction ?? 0.1 }),
  };
  if (parent) checkAgainstParent(base, parent);
  return base;
}

/**
 * Validates every row of every shard of every file, raw values (identity normalisation): one input
 * planned at a time, one shard open at a time, one row group decoded at a time.
 */
async function validateFiles(request: PublishFilesRequest, base: Omit<VersionSchema, 'classes'>, parent: Manifest | undefined, first: Input, plan: (file: string) => Promise<Input>): Promise<{ shards: NewShard[]; seen: RowsSeen }> {
  const known = parent ? labelResolver(parent) : undefined;
  const f = base.features;
  const positions = new Map(f.kind === 'columns' ? (f.categorical ?? []).map((c) => [f.columns.indexOf(c.column), c]) : []);
  const seen = new RowsSeen(base.features.shape.reduce((a, b) => a * b, 1), positions);
  const raw: RowSchema = { ...base, dataset: request.dataset, features: { ...base.features, normalize: IDENTITY }, classes: parent?.classes ?? [] };
  const shards: NewShard[] = [];
  /** Each shard's sha256 -> the index of the file it came from. */
  const owners = new Map<string, number>();
  for (const [index, file] of request.files.entries()) {
    const input = index === 0 ? first : await plan(file);
    let rows = 0;
    for (const planned of input.shards) {
      const opened = await openPlanned(planned, input.name, request.signal);
      try {
        if (opened.file.rows === 0 && input.shards.length === 1) throw invalid(`shard ${input.name} has no rows; publish a file with rows`, input.name);
        checkColumns(raw, opened.file.columns, input.name);
        for (let g = 0; g < opened.file.groupCount; g++) {
          request.signal?.throwIfAborted();
          const group = await readGroupChecked(opened.file, g, dataColumns(raw), input.name);
          seen.add(decodeGroup(raw, group, { key: input.name, firstId: 0, splits: ['train', 'validation', 'test'], resolveLabel: seen.labels(request, known, input.name), resolveCategory: seen.category(input.name) }));
        }
        const owner = owners.get(opened.sha256);
        if (owner !== undefined) throw invalid(`file ${file} holds the same bytes as ${request.files[owner]}; each file's rows may be published once`, file);
        owners.set(opened.sha256, index);
        shards.push({ body: () => readWhole(planned.path, request.signal), size: opened.size, format: planned.format, rows: opened.file.rows, sha256: opened.sha256 });
        rows += opened.file.rows;
      } finally {
        await opened.close();
      }
    }
    if (rows === 0) throw invalid(`shard ${input.name} has no rows; publish a file with rows`, input.name);
  }
  return { shards, seen };
}

/** The parent's classes, then new ones: indices up to the largest integer label, or new names sorted. */
function classListOf(base: Omit<VersionSchema, 'classes'>, parent: Manifest | undefined, seen: RowsSeen): string[] {
  const inherited = parent?.classes ?? [];
  if (base.label.dtype === 'integer') {
    const have = inherited.length;
    return [...inherited, ...Array.from({ length: Math.max(0, seen.maxLabel + 1 - have) }, (_, i) => String(have + i))];
  }
  return [...inherited, ...[...seen.names].filter((name) => !inherited.includes(name)).sort()];
}

/**
 * Publishes files as the next version of a dataset: every row of every file is validated (columns,
 * types, shape, NaN/infinite features, labels, weights, splits) before anything is uploaded; the
 * shards are then uploaded, checksummed, and committed by the manifest. A file within the shard
 * bound is stored as it is (CSV as Parquet); a larger one as shards cut from it (shard-plan.ts), in
 * row order, so row ids and hash splits are those of the file. Memory: one row group, and at upload
 * one shard; cut shards wait in a temporary directory, removed at the end whatever the outcome.
 */
export async function publishFiles(store: ObjectStore, request: PublishFilesRequest): Promise<PublishResult> {
  checkName('dataset', request.dataset);
  checkRequest(request);
  const limit = request.maxShardBytes ?? MAX_SHARD_BYTES;
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'warmstart-publish-'));
  try {
    const temp = new TempShards(dir);
    const plan = (file: string) => planInput(file, request, limit, temp);
    const first = await plan(request.files[0]!);
    const { version, parent } = await nextVersion(store, request.dataset, request.signal);
    const opened = await openPlanned(first.shards[0]!, first.name, request.signal);
    let base: Omit<VersionSchema, 'classes'>;
    try {
      if (opened.file.rows === 0 && first.shards.length === 1) throw invalid(`shard ${first.name} has no rows; publish a file with rows`, first.name);
      base = await schemaOf(opened, request, parent);
    } finally {
      await opened.close();
    }
    const { shards, seen } = await validateFiles(request, base, parent, first, plan);
    return await commit(store, request, { version, parent, base, shards, seen });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The class list, the vocabularies and the first version's moments from what validation saw; then the commit. */
async function commit(store: ObjectStore, request: PublishFilesRequest, validated: { version: number; parent: Manifest | undefined; base: Omit<VersionSchema, 'classes'>; shards: NewShard[]; seen: RowsSeen }): Promise<PublishResult> {
  const { version, parent, base, shards, seen } = validated;
  const classes = classListOf(base, parent, seen);
  if (!parent && seen.trainRows === 0) throw invalid(`${request.dataset}: no row falls in the train split; a first version needs training rows (check --split-column's values or the split fractions)`, 'split');
  if (classes.length < 2) throw invalid(`${request.dataset}: column ${request.label} holds ${classes.length} class; a classifier needs at least two`, request.label);
  if (base.features.kind === 'columns' && base.features.categorical) base.features = { ...base.features, categorical: seen.vocabularies() };
  // Numeric columns are standardised with the first version's moments, kept by later versions;
  // categorical ones are left as indices (mean 0, std 1).
  if (!parent && base.features.kind === 'columns') {
    const categorical = new Set((base.features.categorical ?? []).map((c) => c.column));
    const skip = base.features.columns.map((name) => categorical.has(name));
    const mean = Array.from(seen.sum, (s, j) => (skip[j] ? 0 : s / seen.count));
    const std = Array.from(seen.sumSq, (s, j) => (skip[j] ? 1 : Math.sqrt(Math.max(0, s / seen.count - mean[j]! ** 2)) || 1));
    base.features = { ...base.features, normalize: { kind: 'standardize', mean, std } };
  }
  return commitVersion(store, { dataset: request.dataset, version, parent, schema: { ...base, classes }, shards, onProgress: request.onProgress, signal: request.signal });
}
