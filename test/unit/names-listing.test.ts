import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listAuditEntries } from '../../src/audit/ledger.js';
import { putJson } from '../../src/storage/json.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import { keysAtDepth } from '../../src/storage/object-store.js';

// Listings are recursive: model "a"'s prefix audit/a/ also holds what a name like "a/b" stored
// before names were checked. No model may see another's entries.
describe('store listings match exact prefixes', () => {
  it('audit entries of model a leave out those of a legacy model a/b', async () => {
    const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-listing-')));
    const entry = (model: string) => ({ model, dataset: 'd', datasetVersion: 1, finishedAt: '2026-12-01T00:00:00Z' });
    await putJson(store, 'audit/a/d/v1.json', entry('a'));
    await putJson(store, 'audit/a/b/d/v1.json', entry('a/b'));
    await putJson(store, 'audit/ab/d/v1.json', entry('ab'));
    const entries = await listAuditEntries(store, 'a');
    expect(entries.map((e) => e.model)).toEqual(['a']);
  });

  it('keysAtDepth keeps keys exactly so many segments below the prefix', () => {
    expect(keysAtDepth(['p/x/1.json', 'p/x/y/1.json', 'p/1.json', 'q/x/1.json'], 'p/', 2)).toEqual(['p/x/1.json']);
  });
});
