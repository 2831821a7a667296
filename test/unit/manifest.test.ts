import { describe, expect, it } from 'vitest';
import { parseManifest, type Manifest } from '../../src/data/manifest.js';
import { isWarmstartError } from '../../src/errors.js';

export const validManifest: Manifest = {
  format: 1,
  dataset: 'digits',
  version: 2,
  parentVersion: 1,
  createdAt: '2026-11-28T00:00:00.000Z',
  columns: { id: 'id', label: 'label', features: 'image' },
  features: { encoding: 'uint8-binary', shape: [28, 28, 1], scale: 1 / 255 },
  classes: ['0', '1'],
  labelEncoding: 'index',
  split: { kind: 'hash', testFraction: 0.2, validationFraction: 0.1 },
  shards: [
    { key: 'datasets/digits/v1/part-00000.parquet', format: 'parquet', rows: 10, bytes: 100, sha256: 'a'.repeat(64), addedInVersion: 1 },
    { key: 'datasets/digits/v2/part-00000.parquet', format: 'parquet', rows: 5, bytes: 50, sha256: 'b'.repeat(64), addedInVersion: 2 },
  ],
};

function failure(text: string) {
  try {
    parseManifest(text, 'datasets/digits/v2/manifest.json');
  } catch (error) {
    if (isWarmstartError(error, 'DATASET_INVALID')) return error;
    throw error;
  }
  throw new Error('expected DATASET_INVALID');
}

describe('parseManifest', () => {
  it('accepts a valid cumulative manifest', () => {
    expect(parseManifest(JSON.stringify(validManifest), 'k')).toEqual(validManifest);
  });

  it('rejects text that is not JSON, saying so', () => {
    expect(failure('{"format": 1,').message).toMatch(/not valid JSON/);
  });

  it('names the offending field', () => {
    const bad = { ...validManifest, shards: [{ ...validManifest.shards[0]!, sha256: 'xyz' }] };
    const error = failure(JSON.stringify(bad));
    expect(error.message).toMatch(/shards\.0\.sha256/);
    expect(error.subject).toMatch(/#shards\.0\.sha256$/);
  });

  it('rejects a shard added after the manifest version and a parent not below the version', () => {
    const future = { ...validManifest, shards: [{ ...validManifest.shards[1]!, addedInVersion: 3 }] };
    expect(failure(JSON.stringify(future)).message).toMatch(/addedInVersion/);
    expect(failure(JSON.stringify({ ...validManifest, parentVersion: 2 })).message).toMatch(/parentVersion/);
  });
});
