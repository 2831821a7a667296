import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWarmstartError } from '../../src/errors.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';

// The file:// store when a writer died holding a lock, and when the file system says no.
const freshDir = () => mkdtempSync(path.join(tmpdir(), 'warmstart-lock-'));
const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as Error);

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('file:// store locks', () => {
  it('breaks a lock left by a writer that died (older empty lock file, by its age)', async () => {
    const dir = freshDir();
    const store = new LocalObjectStore(dir, { waitMs: 2_000, staleMs: 30_000 });
    const { etag } = await store.put('m/production.json', 'v1');
    const lock = path.join(dir, 'm', 'production.json.lock');
    writeFileSync(lock, '');
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, minuteAgo, minuteAgo);
    await store.put('m/production.json', 'v2', { ifMatch: etag });
    expect(new TextDecoder().decode((await store.get('m/production.json'))!.body)).toBe('v2');
    expect(await store.list('m/')).toEqual(['m/production.json']);
  });

  it('breaks a fresh lock whose process on this host is gone', async () => {
    const dir = freshDir();
    const store = new LocalObjectStore(dir, { waitMs: 2_000 });
    const { etag } = await store.put('m/production.json', 'v1');
    writeFileSync(path.join(dir, 'm', 'production.json.lock'), JSON.stringify({ pid: deadPid(), host: hostname(), token: 't', at: new Date().toISOString() }));
    await store.put('m/production.json', 'v2', { ifMatch: etag });
    expect(new TextDecoder().decode((await store.get('m/production.json'))!.body)).toBe('v2');
  });

  it('waits for a live holder, then fails in one line naming the lock', async () => {
    const dir = freshDir();
    const store = new LocalObjectStore(dir, { waitMs: 200 });
    const { etag } = await store.put('m/production.json', 'v1');
    const lock = path.join(dir, 'm', 'production.json.lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), token: 't', at: new Date().toISOString() }));
    const error = await rejection(store.put('m/production.json', 'v2', { ifMatch: etag }));
    expect(isWarmstartError(error, 'STORE_ERROR')).toBe(true);
    expect(error!.message).toBe(`${lock} is held by another writer for more than 0.2 s; if no warmstart process is running, delete the file`);
  });

  it('two racing conditional writers: exactly one wins', async () => {
    const store = new LocalObjectStore(freshDir());
    const { etag } = await store.put('race.json', 'v0');
    const results = await Promise.allSettled([store.put('race.json', 'a', { ifMatch: etag }), store.put('race.json', 'b', { ifMatch: etag })]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });
});

describe('file:// store errors are one line', () => {
  it('a store path that is a file', async () => {
    const dir = freshDir();
    const file = path.join(dir, 'a-file');
    writeFileSync(file, 'x');
    const error = await rejection(new LocalObjectStore(file).check());
    expect(isWarmstartError(error, 'CONFIG_INVALID')).toBe(true);
    expect(error!.message).toMatch(/is not a directory; point WARMSTART_STORE/);
    const below = await rejection(new LocalObjectStore(path.join(file, 'below')).check());
    expect(isWarmstartError(below, 'CONFIG_INVALID')).toBe(true);
    expect(below!.message).toMatch(/cannot be created \(ENOTDIR: a file is in the way\)/);
  });

  it('a store under /proc is refused, not waited on forever', async () => {
    const error = await rejection(new LocalObjectStore('/proc/warmstart-store').check());
    expect(isWarmstartError(error, 'CONFIG_INVALID')).toBe(true);
    expect(error!.message).toMatch(/store directory \/proc\/warmstart-store cannot be created \(ENOENT: check the path\)/);
  });

  it('a name too long for the file system, and a directory where an object should be', async () => {
    const dir = freshDir();
    const store = new LocalObjectStore(dir);
    const long = await rejection(store.put(`x/${'n'.repeat(300)}`, 'x'));
    expect(isWarmstartError(long, 'STORE_ERROR')).toBe(true);
    expect(long!.message).toMatch(/ENAMETOOLONG \(a name is too long for the file system; use shorter names\)$/);
    mkdirSync(path.join(dir, 'isdir'));
    const isdir = await rejection(store.get('isdir'));
    expect(isWarmstartError(isdir, 'STORE_ERROR')).toBe(true);
    expect(isdir!.message).toMatch(/EISDIR \(a directory is where an object should be\)$/);
  });
});
