import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExamples } from '../../src/data/examples.js';
import { publishVersion, type PublishRequest } from '../../src/data/publish.js';
import { hashSplit } from '../../src/data/split.js';
import { summarizeVersion } from '../../src/data/summary.js';
import { loadManifest } from '../../src/data/versions.js';
import { getJson, putJson } from '../../src/storage/json.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';

const split = { kind: 'hash' as const, testFraction: 0.2, validationFraction: 0.2 };
const request = (ids: number[], label: (id: number) => number, classes: string[]): PublishRequest => ({
  dataset: 'toy',
  rows: ids.map((id) => ({ id, label: label(id), features: Uint8Array.from([id % 256, 7]) })),
  columns: { id: 'id', label: 'label', features: 'x' },
  features: { encoding: 'uint8-binary', shape: [2], scale: 1 / 255 },
  classes,
  split,
  rowsPerShard: 40,
});
const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('summarizeVersion', () => {
  it('counts every split and the new rows in one pass: exact counts of a known input, as loading each split gives', async () => {
    const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-summary-')));
    await publishVersion(store, request(ids(0, 200), (id) => id % 2, ['a', 'b']));
    await publishVersion(store, request(ids(200, 300), (id) => id % 2, ['a', 'b']));
    const manifest = await loadManifest(store, 'toy', 2);
    const summary = await summarizeVersion(store, manifest);
    // Rows 0-299 of "toy" under the 60/20/20 hash split; v2 adds rows 200-299 (56 of them train).
    expect(summary).toEqual({ train: 174, validation: 59, test: 67, newRows: 100, newTrain: 56 });
    // The same numbers from the split function itself, and from loading each split.
    const bySplit = (from: number, to: number, s: string) => ids(from, to).filter((id) => hashSplit('toy', id, split.testFraction, split.validationFraction) === s).length;
    expect([bySplit(0, 300, 'train'), bySplit(0, 300, 'validation'), bySplit(0, 300, 'test'), bySplit(200, 300, 'train')]).toEqual([174, 59, 67, 56]);
    const [train, validation, test] = await Promise.all((['train', 'validation', 'test'] as const).map((s) => loadExamples(store, manifest, [s])));
    expect([train!.count, validation!.count, test!.count, train!.isNew.reduce((n, v) => n + v, 0)]).toEqual([174, 59, 67, 56]);
  });

  it('rejects a bad row in any split, also one that only validation holds', async () => {
    const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-summary-bad-')));
    const inValidation = (id: number) => hashSplit('toy', id, split.testFraction, split.validationFraction) === 'validation';
    // Label 2 only on validation rows; then the manifest forgets class "c" (a hand-edited manifest).
    await publishVersion(store, request(ids(0, 200), (id) => (inValidation(id) ? 2 : id % 2), ['a', 'b', 'c']));
    const key = 'datasets/toy/v1/manifest.json';
    const manifest = (await getJson<{ classes: string[] }>(store, key))!.value;
    await putJson(store, key, { ...manifest, classes: ['a', 'b'] });
    const edited = await loadManifest(store, 'toy', 1);

    // Train and test hold no label 2 (118 + 46 of rows 0-199), so loading them alone succeeds; the summary reads validation too.
    await expect(loadExamples(store, edited, ['train', 'test'])).resolves.toMatchObject({ count: 164 });
    await expect(summarizeVersion(store, edited)).rejects.toMatchObject({ code: 'DATASET_INVALID', message: expect.stringMatching(/label 2 is not one of the 2 known classes/) });
  });
});
