import { WarmstartError } from '../errors.js';

/**
 * The object-store port. Two adapters (S3, local directory) implement it with identical semantics,
 * including conditional puts, which the production pointer relies on.
 */
export interface StoredObject {
  body: Uint8Array;
  etag: string;
}

export interface PutOptions {
  /** '*' = create only: fail with STORE_PRECONDITION_FAILED if the key exists. */
  ifNoneMatch?: '*';
  /** Replace only if the current object still has this ETag. */
  ifMatch?: string;
  contentType?: string;
  signal?: AbortSignal;
}

export interface RangeOptions {
  signal?: AbortSignal;
  /** Read only if the object still has this ETag (S3: If-Match); else STORE_PRECONDITION_FAILED. */
  ifMatch?: string;
}

export interface ObjectStore {
  /** s3://bucket/prefix or file:///dir: where keys resolve. */
  readonly uri: string;
  get(key: string, options?: { signal?: AbortSignal }): Promise<StoredObject | undefined>;
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<{ etag: string }>;
  /** Keys under a prefix, sorted, relative to the store root. */
  list(prefix: string, options?: { signal?: AbortSignal }): Promise<string[]>;
  delete(key: string, options?: { signal?: AbortSignal }): Promise<void>;
  /** Size and ETag without the body; undefined when the key is missing. Optional: streaming falls back to get(). */
  head?(key: string, options?: { signal?: AbortSignal }): Promise<{ bytes: number; etag: string } | undefined>;
  /** Bytes [start, end) of an object, so a large shard is read one row group at a time. Optional, as head. */
  getRange?(key: string, start: number, end: number, options?: RangeOptions): Promise<Uint8Array>;
  /** Fails with a clear WarmstartError when the store cannot be used (unreachable, no bucket, denied). */
  check(): Promise<void>;
}

/** Most bytes in a key: S3's limit, and within what local file systems accept. */
export const MAX_KEY_BYTES = 1024;

export function validateKey(key: string): string {
  if (key.length === 0 || key.startsWith('/') || key.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    // Keys derive from names (src/names.ts); a bad one here means a name was not checked at its boundary.
    throw new WarmstartError('CONFIG_INVALID', `invalid object key "${key}": keys are relative paths without empty, "." or ".." segments; use names as src/names.ts describes them`, key);
  }
  if (new TextEncoder().encode(key).byteLength > MAX_KEY_BYTES) {
    throw new WarmstartError('CONFIG_INVALID', `object key "${key.slice(0, 60)}..." is longer than ${MAX_KEY_BYTES} bytes; use shorter names`, key);
  }
  return key;
}

/**
 * The listed keys exactly `segments` path segments below `prefix` (which ends in "/"). Listings
 * are recursive, so model "a"'s prefix also holds anything stored under a name like "a/b" before
 * names were checked (src/names.ts); this keeps such keys out of "a"'s listing.
 */
export function keysAtDepth(keys: readonly string[], prefix: string, segments: number): string[] {
  return keys.filter((key) => key.startsWith(prefix) && key.slice(prefix.length).split('/').length === segments);
}
