/**
 * Format 1 manifests (written by the walking skeleton's MNIST import) are upgraded to format 2:
 * the same data, described with the new fields. Anything unexpected is passed through unchanged
 * so that format 2's schema reports the field at fault.
 */
export function upgradeFormat1(raw: object): unknown {
  const v1 = raw as Record<string, unknown> & {
    columns?: { id?: unknown; label?: unknown; features?: unknown };
    features?: { encoding?: unknown; shape?: unknown; scale?: unknown };
    labelEncoding?: unknown;
    shards?: unknown;
  };
  const { columns, features, labelEncoding, ...rest } = v1;
  return {
    ...rest,
    format: 2,
    idColumn: columns?.id,
    features: {
      kind: features?.encoding === 'uint8-binary' ? 'binary' : features?.encoding,
      column: columns?.features,
      dtype: 'uint8',
      shape: features?.shape,
      normalize: { kind: 'affine', scale: features?.scale, offset: 0 },
    },
    label: { column: columns?.label, dtype: labelEncoding === 'name' ? 'string' : labelEncoding === 'index' ? 'integer' : labelEncoding },
    weightColumn: null,
    shards: Array.isArray(v1.shards) ? v1.shards.map((shard: unknown) => (typeof shard === 'object' && shard !== null ? { firstId: 0, ...shard } : shard)) : v1.shards,
  };
}
