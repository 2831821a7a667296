/**
 * Categorical feature columns: each value becomes its index in the column's vocabulary, stored as a
 * float in the same feature vector as the numeric columns (shards, streaming, sampling and checkpoints
 * are unchanged). Index 0 is reserved for out-of-vocabulary values and nulls; vocabulary entry k has
 * index k + 1. A first version's vocabulary is sorted (so it does not depend on file or row order);
 * later versions append the values they bring, sorted, so every index stays stable, as class lists grow.
 * Pure module: the model's input layer uses it too.
 */

/** Most distinct values of one categorical column: its embedding is a one-hot product over this many rows. */
export const MAX_VOCABULARY = 4096;
/** The index of values the vocabulary does not hold, and of nulls. */
export const OOV_INDEX = 0;

/** How a categorical column is stored: string (also dictionary-encoded) or integer codes. */
export type CategorySource = 'string' | 'integer';

export interface CategoricalColumn {
  column: string;
  source: CategorySource;
  /** Values in index order (index = position + 1). */
  vocabulary: string[];
}

/** A feature column as the model's input layer sees it, in feature-vector order. */
export type TabularColumn = { name: string; kind: 'numeric' } | { name: string; kind: 'categorical'; vocabulary: string[] };

const decoder = new TextDecoder();

/** The vocabulary key of a raw value (strings as they are, integers in decimal), or null for a null. */
export function categoryKey(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return decoder.decode(value);
  return String(value);
}

/** Value -> index lookup; values not in the vocabulary (and null) get OOV_INDEX. */
export function categoryIndexer(vocabulary: readonly string[]): (key: string | null) => number {
  const index = new Map(vocabulary.map((value, i) => [value, i + 1]));
  return (key) => (key === null ? OOV_INDEX : (index.get(key) ?? OOV_INDEX));
}

/** The parent's vocabulary, then the values it lacks, sorted (code-point order). */
export function grownVocabulary(parent: readonly string[], seen: Iterable<string>): string[] {
  const known = new Set(parent);
  const added = [...new Set(seen)].filter((value) => !known.has(value)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [...parent, ...added];
}

/** The feature columns in vector order, each numeric or categorical with its vocabulary. */
export function tabularColumns(columns: readonly string[], categorical: readonly CategoricalColumn[] | undefined): TabularColumn[] {
  const byName = new Map((categorical ?? []).map((c) => [c.column, c]));
  return columns.map((name) => {
    const found = byName.get(name);
    return found ? { name, kind: 'categorical', vocabulary: [...found.vocabulary] } : { name, kind: 'numeric' };
  });
}

/**
 * New vocabulary index -> previous index, for growing an embedding: OOV maps to OOV, a value the
 * previous vocabulary held to its old row, a new value to -1 (a fresh row).
 */
export function vocabularyMapping(previous: readonly string[], current: readonly string[]): number[] {
  const old = categoryIndexer(previous);
  return [OOV_INDEX, ...current.map((value) => {
    const index = old(value);
    return index === OOV_INDEX ? -1 : index;
  })];
}

/** The model's input columns for a manifest's features: undefined unless some column is categorical. */
export function featureColumns(features: { kind: string; columns?: string[]; categorical?: CategoricalColumn[] }): TabularColumn[] | undefined {
  if (features.kind !== 'columns' || !features.columns || !features.categorical?.length) return undefined;
  return tabularColumns(features.columns, features.categorical);
}
