import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWarmstartError } from '../../src/errors.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';

const fresh = () => new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-store-')));

describe('LocalObjectStore', () => {
  it('round-trips bytes and lists keys under a prefix', async () => {
    const store = fresh();
    await store.put('a/b/one.bin', new Uint8Array([1, 2, 3]));
    await store.put('a/two.txt', 'two');
    await store.put('other/x', 'x');
    expect(Array.from((await store.get('a/b/one.bin'))!.body)).toEqual([1, 2, 3]);
    expect(await store.list('a/')).toEqual(['a/b/one.bin', 'a/two.txt']);
    expect(await store.get('missing')).toBeUndefined();
  });

  it('create-only put fails when the key exists', async () => {
    const store = fresh();
    await store.put('p.json', 'first', { ifNoneMatch: '*' });
    await expect(store.put('p.json', 'second', { ifNoneMatch: '*' })).rejects.toSatisfy((e) => isWarmstartError(e, 'STORE_PRECONDITION_FAILED'));
    expect(new TextDecoder().decode((await store.get('p.json'))!.body)).toBe('first');
  });

  it('if-match put succeeds on the current ETag and fails on a stale one', async () => {
    const store = fresh();
    const first = await store.put('p.json', 'first');
    const second = await store.put('p.json', 'second', { ifMatch: first.etag });
    await expect(store.put('p.json', 'third', { ifMatch: first.etag })).rejects.toSatisfy((e) => isWarmstartError(e, 'STORE_PRECONDITION_FAILED'));
    expect((await store.get('p.json'))!.etag).toBe(second.etag);
  });

  it('of many racing if-match writers exactly one wins', async () => {
    const store = fresh();
    const { etag } = await store.put('p.json', 'base');
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.put('p.json', `writer ${i}`, { ifMatch: etag })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('rejects keys that escape the root', async () => {
    await expect(fresh().put('../escape', 'x')).rejects.toThrow(/invalid object key/);
  });
});
