import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { WarmstartError } from '../errors.js';
import { checkName } from '../names.js';
import type { ObjectStore } from '../storage/object-store.js';
import { csvToParquet } from './csv.js';
import { checkColumns, dataColumns, decodeGroup, labelResolver, type DecodedRows, type RowSchema } from './decode.js';
import { MAX_CLASSES, MAX_FEATURE_VALUES, type FeatureSpec, type Manifest, type Normalize } from './manifest.js';
import { commitVersion, nextVersion, type NewShard, type PublishResult, type VersionSchema } from './publish.js';
import { openShard, readGroupChecked, shardFormatOf, type ShardFile } from './shard-reader.js';

export interface PublishFilesRequest {
  dataset: string;
  /** Paths of Parquet (.parquet), Arrow IPC (.arrow, .feather, .ipc) or CSV (.csv) files. */
  files: string[];
  label: string;
  /** One binary / fixed-size-list column, or several numeric columns. */
  features: string[];
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
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  signal?: AbortSignal;
}

interface Input {
  name: string;
  bytes: Uint8Array;
  format: 'parquet' | 'arrow';
  file: ShardFile;
}

const IDENTITY: Normalize = { kind: 'affine', scale: 1, offset: 0 };

function invalid(message: string, subject: string): WarmstartError {
  return new WarmstartError('DATASET_INVALID', message, subject);
}

async function readInput(file: string, request: PublishFilesRequest): Promise<Input> {
  const name = path.basename(file);
  const format = shardFormatOf(name);
  if (!format) throw invalid(`file ${file} is not .parquet, .arrow/.feather/.ipc or .csv; convert it or rename it`, file);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(file, { signal: request.signal }));
  } catch (error) {
    throw new WarmstartError('DATASET_NOT_FOUND', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the path`, file, { cause: error });
  }
  if (format === 'csv') {
    const textColumns = request.splitColumn ? [request.splitColumn] : [];
    const numeric = [...request.features, ...(request.weightColumn ? [request.weightColumn] : [])];
    let text: string;
    try {
      // Fatal: a replacement character would otherwise become a class name of its own.
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw invalid(`CSV file ${file} is not valid UTF-8; save it as UTF-8 and publish again`, file);
    }
    ({ bytes } = csvToParquet(text, { numeric, label: request.label, id: request.idColumn, text: textColumns }, name));
  }
  const shardFormat = format === 'csv' ? 'parquet' : format;
  const opened = await openShard(bytes, shardFormat, name);
  if (opened.rows === 0) throw invalid(`shard ${name} has no rows; publish a file with rows`, name);
  return { name, bytes, format: shardFormat, file: opened };
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

/** The feature spec implied by the first file's column types and the request. */
async function inferFeatures(first: Input, request: PublishFilesRequest): Promise<FeatureSpec> {
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
  const notNumeric = info.find((c) => c.kind !== 'int' && c.kind !== 'float');
  if (notNumeric) throw invalid(`shard ${first.name} column ${notNumeric.name}: is ${notNumeric.detail}; several feature columns must be numeric, one feature column may be binary or a fixed-size list`, first.name);
  const shape = request.shape ?? [info.length];
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== info.length) throw invalid(`--shape [${shape.join(', ')}] holds ${size} values but --features names ${info.length} columns; make them agree, or leave --shape out`, '--shape');
  // Replaced by standardisation with the data's moments in a first version (see publishFiles).
  return { kind: 'columns', columns: request.features, dtype: 'float32', shape, normalize: IDENTITY };
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

  constructor(readonly size: number) {
    this.sum = new Float64Array(size);
    this.sumSq = new Float64Array(size);
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
async function schemaOf(first: Input, request: PublishFilesRequest, parent: Manifest | undefined): Promise<Omit<VersionSchema, 'classes'>> {
  const features = await inferFeatures(first, request);
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

/** Validates every row of every file, raw values (identity normalisation), one file in memory at a time. */
async function validateFiles(request: PublishFilesRequest, base: Omit<VersionSchema, 'classes'>, parent: Manifest | undefined, first: Input): Promise<{ shards: NewShard[]; seen: RowsSeen }> {
  const known = parent ? labelResolver(parent) : undefined;
  const seen = new RowsSeen(base.features.shape.reduce((a, b) => a * b, 1));
  const raw: RowSchema = { ...base, dataset: request.dataset, features: { ...base.features, normalize: IDENTITY }, classes: parent?.classes ?? [] };
  const shards: NewShard[] = [];
  let held: Input | undefined = first;
  for (const [index, path] of request.files.entries()) {
    const input: Input = index === 0 && held ? held : await readInput(path, request);
    held = undefined; // one file in memory at a time
    checkColumns(raw, input.file.columns, input.name);
    for (let g = 0; g < input.file.groupCount; g++) {
      request.signal?.throwIfAborted();
      const group = await readGroupChecked(input.file, g, dataColumns(raw), input.name);
      seen.add(decodeGroup(raw, group, { key: input.name, firstId: 0, splits: ['train', 'validation', 'test'], resolveLabel: seen.labels(request, known, input.name) }));
    }
    const sha256 = createHash('sha256').update(input.bytes).digest('hex');
    const same = shards.findIndex((shard) => shard.sha256 === sha256);
    if (same >= 0) throw invalid(`file ${path} holds the same bytes as ${request.files[same]}; each file's rows may be published once`, path);
    shards.push({ body: async () => (await readInput(path, request)).bytes, size: input.bytes.byteLength, format: input.format, rows: input.file.rows, sha256 });
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
 * files are then stored as they are (CSV as Parquet), checksummed, and committed by the manifest.
 * One file at a time is in memory: files are read again for the upload and must still hash the same.
 */
export async function publishFiles(store: ObjectStore, request: PublishFilesRequest): Promise<PublishResult> {
  checkName('dataset', request.dataset);
  checkRequest(request);
  const first = await readInput(request.files[0]!, request);
  const { version, parent } = await nextVersion(store, request.dataset);
  const base = await schemaOf(first, request, parent);
  const { shards, seen } = await validateFiles(request, base, parent, first);
  const classes = classListOf(base, parent, seen);
  if (!parent && seen.trainRows === 0) throw invalid(`${request.dataset}: no row falls in the train split; a first version needs training rows (check --split-column's values or the split fractions)`, 'split');
  if (classes.length < 2) throw invalid(`${request.dataset}: column ${request.label} holds ${classes.length} class; a classifier needs at least two`, request.label);
  // Numeric columns are standardised with the first version's moments, kept by later versions.
  if (!parent && base.features.kind === 'columns') {
    const mean = Array.from(seen.sum, (s) => s / seen.count);
    const std = Array.from(seen.sumSq, (s, j) => Math.sqrt(Math.max(0, s / seen.count - mean[j]! ** 2)) || 1);
    base.features = { ...base.features, normalize: { kind: 'standardize', mean, std } };
  }
  return commitVersion(store, { dataset: request.dataset, version, parent, schema: { ...base, classes }, shards, onProgress: request.onProgress, signal: request.signal });
}
