import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { WarmstartError } from '../errors.js';
import { checkName } from '../names.js';
import type { ObjectStore } from '../storage/object-store.js';
import { csvToParquet } from './csv.js';
import { checkColumns, dataColumns, decodeGroup, labelResolver, type RowSchema } from './decode.js';
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

/**
 * Publishes files as the next version of a dataset: every row of every file is validated (columns,
 * types, shape, NaN/infinite features, labels, weights, splits) before anything is uploaded; the
 * files are then stored as they are (CSV as Parquet), checksummed, and committed by the manifest.
 * One file at a time is in memory: files are read again for the upload and must still hash the same.
 */
export async function publishFiles(store: ObjectStore, request: PublishFilesRequest): Promise<PublishResult> {
  checkName('dataset', request.dataset);
  checkRequest(request);
  let first: Input | undefined = await readInput(request.files[0]!, request);
  const { version, parent } = await nextVersion(store, request.dataset);

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

  // Validation pass, raw values (identity normalisation): collects labels and per-feature moments.
  const known = parent ? labelResolver(parent) : undefined;
  const seen = new Set<string>();
  let maxLabel = -1;
  const size = base.features.shape.reduce((a, b) => a * b, 1);
  const sum = new Float64Array(size);
  const sumSq = new Float64Array(size);
  let count = 0;
  let trainRows = 0;
  const raw: RowSchema = { ...base, dataset: request.dataset, features: { ...base.features, normalize: IDENTITY }, classes: parent?.classes ?? [] };
  const shards: NewShard[] = [];
  for (const [index, path] of request.files.entries()) {
    const input: Input = index === 0 && first ? first : await readInput(path, request);
    first = undefined; // one file in memory at a time
    checkColumns(raw, input.file.columns, input.name);
    for (let g = 0; g < input.file.groupCount; g++) {
      request.signal?.throwIfAborted();
      const group = await readGroupChecked(input.file, g, dataColumns(raw), input.name);
      const rows = decodeGroup(raw, group, {
        key: input.name,
        firstId: 0,
        splits: ['train', 'validation', 'test'],
        resolveLabel: (label) => {
          const index = known?.(label);
          if (index !== undefined || (known && !request.newClasses)) return index;
          if (typeof label === 'number') {
            if (label < 0) return undefined;
            // Integer labels are class indices: bounded before the class list is built from the largest.
            if (label >= MAX_CLASSES) throw invalid(`shard ${input.name} column ${request.label}: label ${label} is beyond the limit of ${MAX_CLASSES} classes (integer labels are class indices 0-${MAX_CLASSES - 1}); renumber the classes or use string labels`, request.label);
            maxLabel = Math.max(maxLabel, label);
          } else {
            seen.add(label);
            if (seen.size > MAX_CLASSES) throw invalid(`shard ${input.name} column ${request.label}: more than ${MAX_CLASSES} distinct labels, the limit of classes; is ${request.label} really the label column?`, request.label);
          }
          return 0;
        },
      });
      for (let k = 0; k < rows.x.length; k++) {
        const v = rows.x[k]!;
        const j = k % size;
        sum[j] = sum[j]! + v;
        sumSq[j] = sumSq[j]! + v * v;
      }
      count += rows.count;
      for (const split of rows.splits) if (split === 0) trainRows++;
    }
    const sha256 = createHash('sha256').update(input.bytes).digest('hex');
    const same = shards.findIndex((shard) => shard.sha256 === sha256);
    if (same >= 0) throw invalid(`file ${path} holds the same bytes as ${request.files[same]}; each file's rows may be published once`, path);
    shards.push({ body: async () => (await readInput(path, request)).bytes, size: input.bytes.byteLength, format: input.format, rows: input.file.rows, sha256 });
  }

  let classes: string[];
  if (base.label.dtype === 'integer') {
    const have = parent?.classes.length ?? 0;
    classes = [...(parent?.classes ?? []), ...Array.from({ length: Math.max(0, maxLabel + 1 - have) }, (_, i) => String(have + i))];
  } else {
    const fresh = [...seen].filter((name) => !parent?.classes.includes(name)).sort();
    classes = [...(parent?.classes ?? []), ...fresh];
  }
  if (!parent && trainRows === 0) throw invalid(`${request.dataset}: no row falls in the train split; a first version needs training rows (check --split-column's values or the split fractions)`, 'split');
  if (classes.length < 2) throw invalid(`${request.dataset}: column ${request.label} holds ${classes.length} class; a classifier needs at least two`, request.label);
  // Numeric columns are standardised with the first version's moments, kept by later versions.
  if (!parent && base.features.kind === 'columns') {
    const mean = Array.from(sum, (s) => s / count);
    const std = Array.from(sumSq, (s, j) => Math.sqrt(Math.max(0, s / count - mean[j]! ** 2)) || 1);
    base.features = { ...base.features, normalize: { kind: 'standardize', mean, std } };
  }
  return commitVersion(store, {
    dataset: request.dataset,
    version,
    parent,
    schema: { ...base, classes },
    shards,
    onProgress: request.onProgress,
    signal: request.signal,
  });
}
