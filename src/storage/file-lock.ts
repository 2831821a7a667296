import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { WarmstartError } from '../errors.js';

/**
 * A per-key lock file for the file:// store's If-Match puts, which hold it for milliseconds. A lock
 * left by a writer that died is broken rather than waited on forever: when its process is gone
 * (same host), or when it is older than `staleMs` (another host, or an older, empty lock file).
 */
export interface LockOptions {
  /** How long to wait for a live holder. Default 10 s. */
  waitMs?: number;
  /** A lock older than this is stale whoever holds it. Default 30 s. */
  staleMs?: number;
}

interface LockRecord {
  pid: number;
  host: string;
  token: string;
  at: string;
}

const host = hostname();

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Why the lock at `lock` is stale, or undefined when its holder may still be working. */
async function staleReason(lock: string, staleMs: number): Promise<string | undefined> {
  let text: string;
  let mtimeMs: number;
  try {
    [text, { mtimeMs }] = await Promise.all([fs.readFile(lock, 'utf8'), fs.stat(lock)]);
  } catch {
    return undefined; // gone meanwhile: the next attempt takes it
  }
  let record: Partial<LockRecord> = {};
  try {
    record = JSON.parse(text) as Partial<LockRecord>;
  } catch {
    // An empty or torn lock file (older versions wrote empty ones): only its age tells.
  }
  if (record.host === host && typeof record.pid === 'number' && processGone(record.pid)) return `its writer (pid ${record.pid}) is gone`;
  const age = Date.now() - mtimeMs;
  if (age > staleMs) return `it is ${Math.round(age / 1000)} s old`;
  return undefined;
}

/** Runs `fn` holding the lock file `lock`; breaks a stale lock; a live one past `waitMs` is a one-line error. */
export async function withFileLock<T>(lock: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const waitMs = options.waitMs ?? 10_000;
  const staleMs = options.staleMs ?? 30_000;
  const record: LockRecord = { pid: process.pid, host, token: randomUUID(), at: new Date().toISOString() };
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await fs.writeFile(lock, JSON.stringify(record), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await staleReason(lock, staleMs)) {
      // Moved aside under a unique name first, so two writers breaking the same lock remove it once.
      const aside = `${lock}.${record.token}.stale`;
      await fs.rename(lock, aside).then(
        () => fs.rm(aside, { force: true }),
        () => undefined,
      );
      continue;
    }
    if (Date.now() > deadline) {
      throw new WarmstartError('STORE_ERROR', `${lock} is held by another writer for more than ${waitMs / 1000} s; if no warmstart process is running, delete the file`, lock);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  try {
    return await fn();
  } finally {
    // Only our own lock: if it was broken as stale meanwhile, the file may be someone else's now.
    const current = await fs.readFile(lock, 'utf8').catch(() => '');
    if (current === JSON.stringify(record)) await fs.rm(lock, { force: true });
  }
}
