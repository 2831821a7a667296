import { z } from 'zod';
import { WarmstartError } from '../errors.js';

/**
 * The manifest of one dataset version: datasets/<dataset>/v<N>/manifest.json.
 * A version is cumulative: it lists the shards it inherits and the shards it adds
 * (`addedInVersion` tells them apart). The manifest is written last: it is the commit point.
 */
export const MANIFEST_FORMAT = 1;

const shardSchema = z.object({
  key: z.string().min(1),
  format: z.enum(['parquet']),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
  addedInVersion: z.number().int().positive(),
});

const splitRuleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('column'), column: z.string().min(1) }),
  z.object({
    kind: z.literal('hash'),
    /** Rows whose hash(dataset, id) falls below these fractions go to test, then validation. */
    testFraction: z.number().gt(0).lt(1),
    validationFraction: z.number().min(0).lt(1),
  }),
]);

export const manifestSchema = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    dataset: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'dataset names use lowercase letters, digits, ".", "_" and "-"'),
    version: z.number().int().positive(),
    parentVersion: z.number().int().positive().nullable(),
    createdAt: z.string(),
    columns: z.object({
      id: z.string().min(1),
      label: z.string().min(1),
      features: z.string().min(1),
    }),
    features: z.object({
      /** uint8 bytes in a binary column, e.g. an image; scaled by `scale` to float32. */
      encoding: z.literal('uint8-binary'),
      shape: z.array(z.number().int().positive()).min(1),
      scale: z.number().positive(),
    }),
    /** Class names in index order. */
    classes: z.array(z.string()).min(2),
    /** How the label column encodes a class: its index in `classes`, or its name. */
    labelEncoding: z.enum(['index', 'name']),
    split: splitRuleSchema,
    shards: z.array(shardSchema).min(1),
  })
  .superRefine((manifest, ctx) => {
    if (manifest.parentVersion !== null && manifest.parentVersion >= manifest.version) {
      ctx.addIssue({ code: 'custom', path: ['parentVersion'], message: 'must be lower than version' });
    }
    manifest.shards.forEach((shard, index) => {
      if (shard.addedInVersion > manifest.version) {
        ctx.addIssue({ code: 'custom', path: ['shards', index, 'addedInVersion'], message: `is ${shard.addedInVersion}, after this version ${manifest.version}` });
      }
    });
  });

export type Manifest = z.infer<typeof manifestSchema>;
export type ShardEntry = z.infer<typeof shardSchema>;

export function featureSize(manifest: Pick<Manifest, 'features'>): number {
  return manifest.features.shape.reduce((a, b) => a * b, 1);
}

export function manifestKey(dataset: string, version: number): string {
  return `datasets/${dataset}/v${version}/manifest.json`;
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
