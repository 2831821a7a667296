import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadExamples } from '../../src/data/examples.js';
import { rowBatches } from '../../src/data/passes.js';
import { publishVersion } from '../../src/data/publish.js';
import { openVersionSource } from '../../src/data/source.js';
import { loadManifest } from '../../src/data/versions.js';
import { evaluatePair, evaluateSlices } from '../../src/evaluation/evaluate.js';
import { pairedCounts } from '../../src/evaluation/slices.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import { selectBackend } from '../../src/training/backend.js';
import { buildModel } from '../../src/training/build-model.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('streamed evaluation', () => {
  beforeAll(async () => {
    await selectBackend();
  });

  it('gives the same slices, metrics and McNemar counts as the test split loaded whole', async () => {
    const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-stream-eval-')));
    const request = (ids: number[]) => ({
      dataset: 'digits',
      rows: ids.map((id) => ({ id, label: id % 3, features: Uint8Array.from({ length: 5 }, (_, j) => (id * 31 + j * 17) % 256) })),
      columns: { id: 'id', label: 'label', features: 'x' },
      features: { encoding: 'uint8-binary' as const, shape: [5], scale: 1 / 255 },
      classes: ['a', 'b', 'c'],
      split: { kind: 'hash' as const, testFraction: 0.5, validationFraction: 0 },
      rowsPerShard: 300,
      rowGroupSize: 70,
    });
    await publishVersion(store, request(range(0, 1500)));
    await publishVersion(store, request(range(1500, 2100)));
    const manifest = await loadManifest(store, 'digits', 2);
    // Two different models, so the discordant pairs are not all zero.
    const candidate = buildModel({ kind: 'mlp', hidden: [8] }, [5], 3, 1);
    const production = buildModel({ kind: 'mlp', hidden: [8] }, [5], 3, 2);

    const test = await loadExamples(store, manifest, ['test']);
    const a = evaluateSlices(candidate, test, manifest.classes);
    const b = evaluateSlices(production, test, manifest.classes);
    const source = await openVersionSource(store, manifest, { splits: ['test'] });
    const streamed = await evaluatePair(rowBatches(source), candidate, production, manifest.classes);

    expect(test.count).toBeGreaterThan(512 * 1.5);
    expect(streamed.count).toBe(test.count);
    expect(streamed.candidate.slices).toEqual(a.slices);
    expect(streamed.production!.slices).toEqual(b.slices);
    const counts = pairedCounts(a.predictions, b.predictions, test.y);
    expect(counts.candidateOnly + counts.baselineOnly).toBeGreaterThan(0);
    expect(streamed.paired).toEqual(counts);
    expect(streamed.candidate.rows.count).toBe(test.count);
    candidate.dispose();
    production.dispose();
  });
});
