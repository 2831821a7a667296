/** Stable train/validation/test assignment from a hash of (dataset, example id). */
export type Split = 'train' | 'validation' | 'test';

/** FNV-1a 32-bit: tiny, stable across platforms and releases. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export function hashSplit(dataset: string, id: number | string, testFraction: number, validationFraction: number): Split {
  const u = fnv1a(`${dataset}:${id}`) / 0x1_0000_0000;
  if (u < testFraction) return 'test';
  if (u < testFraction + validationFraction) return 'validation';
  return 'train';
}

export function parseSplitValue(value: unknown): Split | undefined {
  return value === 'train' || value === 'validation' || value === 'test' ? value : undefined;
}
