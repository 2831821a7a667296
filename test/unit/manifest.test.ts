import { describe, expect, it } from 'vitest';
import { parseManifest, type Manifest } from '../../src/data/manifest.js';
import { isWarmstartError } from '../../src/errors.js';

export const validManifest: Manifest = {
  format: 2,
  dataset: 'digits',
  version: 2,
  parentVersion: 1,
  createdAt: '2026-11-28T00:00:00.000Z',
  idColumn: 'id',
  features: { kind: 'binary', column: 'image', dtype: 'uint8', shape: [28, 28, 1], normalize: { kind: 'affine', scale: 1 / 255, offset: 0 } },
  label: { column: 'label', dtype: 'integer' },
  weightColumn: null,
  classes: ['0', '1'],
  split: { kind: 'hash', testFraction: 0.2, validationFraction: 0.1 },
  shards: [
    { key: 'datasets/digits/v1/part-00000.parquet', format: 'parquet', rows: 10, bytes: 100, sha256: 'a'.repeat(64), addedInVersion: 1, firstId: 0 },
    { key: 'datasets/digits/v2/part-00000.arrow', format: 'arrow', rows: 5, bytes: 50, sha256: 'b'.repeat(64), addedInVersion: 2, firstId: 10 },
  ],
};

function failure(value: unknown) {
  try {
    parseManifest(typeof value === 'string' ? value : JSON.stringify(value), 'datasets/digits/v2/manifest.json');
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

  it('refuses a manifest of another format, naming the field', () => {
    expect(failure(JSON.stringify({ ...validManifest, format: 1 })).message).toMatch(/field format .*republish/);
  });

  it('rejects text that is not JSON, saying so', () => {
    expect(failure('{"format": 2,').message).toMatch(/not valid JSON/);
  });

  it('names the offending field', () => {
    const error = failure({ ...validManifest, shards: [{ ...validManifest.shards[0]!, sha256: 'xyz' }] });
    expect(error.message).toMatch(/shards\.0\.sha256/);
    expect(error.subject).toMatch(/#shards\.0\.sha256$/);
    expect(failure({ ...validManifest, label: { column: 'label', dtype: 'float' } }).message).toMatch(/field label\.dtype/);
  });

  it('rejects a shard added after the manifest version and a parent not below the version', () => {
    expect(failure({ ...validManifest, shards: [{ ...validManifest.shards[1]!, addedInVersion: 3 }] }).message).toMatch(/addedInVersion/);
    expect(failure({ ...validManifest, parentVersion: 2 }).message).toMatch(/parentVersion/);
  });

  it("rejects a shard key outside the dataset's prefix", () => {
    const escape = { ...validManifest, shards: [{ ...validManifest.shards[0]!, key: 'datasets/other/v1/part-00000.parquet' }] };
    expect(failure(escape).message).toMatch(/shards\.0\.key .*outside the dataset's prefix datasets\/digits\//);
    const dots = { ...validManifest, shards: [{ ...validManifest.shards[0]!, key: 'datasets/digits/../other/x.parquet' }] };
    expect(failure(dots).message).toMatch(/outside the dataset's prefix/);
  });

  it('checks that numeric feature columns match the shape and standardisation has one entry per feature', () => {
    const columns = { kind: 'columns', columns: ['a', 'b', 'c'], dtype: 'float32', shape: [4], normalize: { kind: 'affine', scale: 1, offset: 0 } };
    expect(failure({ ...validManifest, features: columns }).message).toMatch(/features\.shape holds 4 values but features\.columns names 3/);
    const standardize = { ...columns, shape: [3], normalize: { kind: 'standardize', mean: [0, 0], std: [1, 1, 1] } };
    expect(failure({ ...validManifest, features: standardize }).message).toMatch(/features\.normalize mean and std/);
  });
});
