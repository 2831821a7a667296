import { z } from 'zod';
import { WarmstartError } from '../errors.js';
import { NAME_RULES, nameProblem } from '../names.js';
import { datasetPrefix } from '../storage/keys.js';
import { MAX_VOCABULARY } from './vocabulary.js';

/**
 * The manifest of one dataset version: datasets/<dataset>/v<N>/manifest.json.
 * A version is cumulative: it lists the shards it inherits and the shards it adds
 * (`addedInVersion` tells them apart). The manifest is written last: it is the commit point.
 */
export const MANIFEST_FORMAT = 2;

/** Most classes a dataset may have: beyond it a label is almost surely an id or a typo, and the head would not fit. */
export const MAX_CLASSES = 10_000;
/** Most feature values per example (e.g. 224x224x3 = 150,528 fits): decoding allocates rows x this many floats. */
export const MAX_FEATURE_VALUES = 262_144;

const column = z.string().min(1, 'must name a column');
const shape = z.array(z.number().int().positive()).min(1, 'must list at least one dimension');

const shardSchema = z.object({
  key: z.string().min(1),
  format: z.enum(['parquet', 'arrow']),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
  addedInVersion: z.number().int().positive(),
  /** Example id of the shard's first row when the dataset has no id column: ids are firstId + row. */
  firstId: z.number().int().nonnegative(),
});

const splitRuleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('column'), column }),
  z.object({
    kind: z.literal('hash'),
    /** Rows whose hash(dataset, id) falls below these fractions go to test, then validation. */
    testFraction: z.number().gt(0).lt(1),
    validationFraction: z.number().min(0).lt(1),
  }).refine((rule) => rule.testFraction + rule.validationFraction < 1, 'testFraction + validationFraction must be below 1, or the train split is empty'),
]);

/** A categorical feature column: vocabulary in index order (index 0 is out-of-vocabulary; see vocabulary.ts). */
const categoricalSchema = z.object({
  column,
  source: z.enum(['string', 'integer']),
  vocabulary: z.array(z.string()).max(MAX_VOCABULARY, `must hold at most ${MAX_VOCABULARY} values`),
});

/** How raw feature values become floats: x = raw * scale + offset, or (raw - mean) / std per feature. */
const normalizeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('affine'), scale: z.number().refine(Number.isFinite), offset: z.number().refine(Number.isFinite) }),
  z.object({ kind: z.literal('standardize'), mean: z.array(z.number()), std: z.array(z.number().positive('must be positive: a constant feature needs std 1')) }),
]);

const featuresSchema = z.discriminatedUnion('kind', [
  /** uint8 bytes in a binary or fixed-size-binary column (an image), reshaped to `shape`. */
  z.object({ kind: z.literal('binary'), column, dtype: z.literal('uint8'), shape, normalize: normalizeSchema }),
  /** A fixed-size list of numbers in one column. */
  z.object({ kind: z.literal('list'), column, dtype: z.literal('float32'), shape, normalize: normalizeSchema }),
  /**
   * One column per feature, in this order: numeric, or categorical (listed in `categorical`, the value's
   * vocabulary index; not standardised: its mean and std entries are 0 and 1).
   */
  z.object({ kind: z.literal('columns'), columns: z.array(column).min(1), dtype: z.literal('float32'), shape, normalize: normalizeSchema, categorical: z.array(categoricalSchema).optional() }),
]);

type ColumnsFeatures = Extract<z.infer<typeof featuresSchema>, { kind: 'columns' }>;

/** Each categorical column is a feature column, listed once, with no repeated value, and is not standardised. */
function checkCategorical(features: ColumnsFeatures, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  (features.categorical ?? []).forEach((entry, index) => {
    const path = ['features', 'categorical', index];
    const at = features.columns.indexOf(entry.column);
    if (at < 0) ctx.addIssue({ code: 'custom', path: [...path, 'column'], message: `names "${entry.column}", which is not one of features.columns` });
    if (seen.has(entry.column)) ctx.addIssue({ code: 'custom', path: [...path, 'column'], message: `lists "${entry.column}" a second time` });
    seen.add(entry.column);
    if (new Set(entry.vocabulary).size !== entry.vocabulary.length) ctx.addIssue({ code: 'custom', path: [...path, 'vocabulary'], message: 'must not repeat a value' });
    const norm = features.normalize;
    const untouched = norm.kind === 'affine' ? norm.scale === 1 && norm.offset === 0 : norm.mean[at] === 0 && norm.std[at] === 1;
    if (at >= 0 && !untouched) ctx.addIssue({ code: 'custom', path: ['features', 'normalize'], message: `must leave categorical column ${entry.column} as it is (mean 0, std 1, or scale 1 offset 0)` });
  });
}

export const manifestSchema = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    dataset: z.string().refine((name) => nameProblem('dataset', name) === undefined, `must be a dataset name: ${NAME_RULES.dataset.description}`),
    version: z.number().int().positive(),
    parentVersion: z.number().int().positive().nullable(),
    createdAt: z.string(),
    /** Column of stable integer example ids; null: ids are the shard's firstId + row position. */
    idColumn: column.nullable(),
    features: featuresSchema,
    /** Integer labels are class indices; string labels are class names. */
    label: z.object({ column, dtype: z.enum(['integer', 'string']) }),
    /** Optional non-negative example weight column. */
    weightColumn: column.nullable(),
    /** Class names in index order. New classes are only ever appended, so indices stay stable. */
    classes: z.array(z.string()).min(2, 'must list at least two classes').max(MAX_CLASSES, `must list at most ${MAX_CLASSES} classes`),
    split: splitRuleSchema,
    shards: z.array(shardSchema).min(1),
  })
  .superRefine((manifest, ctx) => {
    if (manifest.parentVersion !== null && manifest.parentVersion >= manifest.version) {
      ctx.addIssue({ code: 'custom', path: ['parentVersion'], message: 'must be lower than version' });
    }
    const size = manifest.features.shape.reduce((a, b) => a * b, 1);
    if (size > MAX_FEATURE_VALUES) {
      ctx.addIssue({ code: 'custom', path: ['features', 'shape'], message: `holds ${size} values per example, over the limit of ${MAX_FEATURE_VALUES}` });
      return;
    }
    if (manifest.features.kind === 'columns' && manifest.features.columns.length !== size) {
      ctx.addIssue({ code: 'custom', path: ['features', 'shape'], message: `holds ${size} values but features.columns names ${manifest.features.columns.length}` });
    }
    if (manifest.features.kind === 'columns') checkCategorical(manifest.features, ctx);
    const normalize = manifest.features.normalize;
    if (normalize.kind === 'standardize' && (normalize.mean.length !== size || normalize.std.length !== size)) {
      ctx.addIssue({ code: 'custom', path: ['features', 'normalize'], message: `mean and std must have one entry per feature (${size})` });
    }
    if (new Set(manifest.classes).size !== manifest.classes.length) {
      ctx.addIssue({ code: 'custom', path: ['classes'], message: 'must not repeat a class name' });
    }
    const keys = new Set<string>();
    manifest.shards.forEach((shard, index) => {
      // A shard listed twice would count its rows twice.
      if (keys.has(shard.key)) ctx.addIssue({ code: 'custom', path: ['shards', index, 'key'], message: `lists shard "${shard.key}" a second time` });
      keys.add(shard.key);
      if (shard.addedInVersion > manifest.version) {
        ctx.addIssue({ code: 'custom', path: ['shards', index, 'addedInVersion'], message: `is ${shard.addedInVersion}, after this version ${manifest.version}` });
      }
      if (!shard.key.startsWith(datasetPrefix(manifest.dataset)) || shard.key.split('/').some((part) => part === '..' || part === '.' || part === '')) {
        ctx.addIssue({ code: 'custom', path: ['shards', index, 'key'], message: `"${shard.key}" is outside the dataset's prefix datasets/${manifest.dataset}/` });
      }
    });
  });

export type Manifest = z.infer<typeof manifestSchema>;
export type ShardEntry = z.infer<typeof shardSchema>;
export type FeatureSpec = Manifest['features'];
export type Normalize = FeatureSpec['normalize'];

export function featureSize(manifest: Pick<Manifest, 'features'>): number {
  return manifest.features.shape.reduce((a, b) => a * b, 1);
}


/** The first problem of a manifest against its schema, as "field message", or undefined when it is valid. */
export function manifestProblem(value: unknown): string | undefined {
  const parsed = manifestSchema.safeParse(value);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0]!;
  return `field ${issue.path.length > 0 ? issue.path.join('.') : '(root)'} ${issue.message}`;
}

/** Parses and validates manifest bytes; a bad manifest gets an error naming the field and the fix. */
export function parseManifest(text: string, key: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new WarmstartError('DATASET_INVALID', `manifest ${key} is not valid JSON (${(error as Error).message}); republish the version with \`warmstart publish\``, key);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new WarmstartError('DATASET_INVALID', `manifest ${key}: field ${field} ${issue.message}; republish the version with \`warmstart publish\``, `${key}#${field}`);
  }
  return parsed.data;
}
