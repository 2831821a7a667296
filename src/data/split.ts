/** Stable train/validation/test assignment from a hash of (dataset, example id). */
export type Split = 'train' | 'validation' | 'test';

/** Splits in code order: a row's split travels as its index here (0 train, 1 validation, 2 test). */
export const SPLITS: readonly Split[] = ['train', 'validation', 'test'];

/** FNV-1a 32-bit: tiny, stable across platforms and releases. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * FNV-1a alone clusters consecutive ids (ids 0-499 put under 10% in a 25% test split); the murmur3
 * finalizer spreads its bits so every fraction holds on short id ranges too.
 */
export function stableHash(text: string): number {
  let h = fnv1a(text);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hashSplit(dataset: string, id: number | string, testFraction: number, validationFraction: number): Split {
  const u = stableHash(`${dataset}:${id}`) / 0x1_0000_0000;
  if (u < testFraction) return 'test';
  if (u < testFraction + validationFraction) return 'validation';
  return 'train';
}

export function parseSplitValue(value: unknown): Split | undefined {
  return value === 'train' || value === 'validation' || value === 'test' ? value : undefined;
}
