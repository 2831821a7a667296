import type { ObjectStore, PutOptions } from './object-store.js';
import { sha256Hex } from './sha256.js';

/** What a create-only write's key held when its outcome had to be checked. */
export type Landed = 'ours' | 'theirs' | 'absent' | 'unknown';

/**
 * Whether `key` now holds exactly `bytes`: 'ours' if so, 'theirs' if it holds something else,
 * 'absent' if nothing, 'unknown' if the store could not be asked. Never under the caller's signal:
 * it runs on the failure path, where the caller may have aborted.
 */
export async function checkLanded(store: ObjectStore, key: string, bytes: Uint8Array): Promise<Landed> {
  try {
    const stored = await store.get(key);
    if (!stored) return 'absent';
    return sha256Hex(stored.body) === sha256Hex(bytes) ? 'ours' : 'theirs';
  } catch {
    return 'unknown';
  }
}

/** A create-only write failed; `landed` says what the key holds, so the caller knows whether it may clean up. */
export class CreateFailed extends Error {
  constructor(
    readonly landed: Exclude<Landed, 'ours'>,
    readonly error: unknown,
  ) {
    super(error instanceof Error ? error.message : String(error), { cause: error });
    this.name = 'CreateFailed';
  }
}

/**
 * A create-only put (If-None-Match: *) that recognises its own earlier success. When the reply to a
 * write that landed is lost, the SDK retries and the retry gets 412 (or the request fails after the
 * server applied it): the key is then read back, and if it holds exactly these bytes the write was
 * ours and succeeded. Otherwise it throws CreateFailed saying whether the key is someone else's,
 * empty, or unknown. Callers make the bytes unique to one writer (a random token in them).
 */
export async function createOnce(store: ObjectStore, key: string, body: Uint8Array | string, options: Omit<PutOptions, 'ifNoneMatch' | 'ifMatch'> = {}): Promise<{ etag: string; recovered: boolean }> {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  try {
    const { etag } = await store.put(key, bytes, { ...options, ifNoneMatch: '*' });
    return { etag, recovered: false };
  } catch (error) {
    const landed = await checkLanded(store, key, bytes);
    if (landed === 'ours') return { etag: (await store.head?.(key).catch(() => undefined))?.etag ?? '', recovered: true };
    throw new CreateFailed(landed, error);
  }
}
