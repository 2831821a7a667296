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

export interface ObjectStore {
  /** s3://bucket/prefix or file:///dir: where keys resolve. */
  readonly uri: string;
  get(key: string, options?: { signal?: AbortSignal }): Promise<StoredObject | undefined>;
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<{ etag: string }>;
  /** Keys under a prefix, sorted, relative to the store root. */
  list(prefix: string, options?: { signal?: AbortSignal }): Promise<string[]>;
  delete(key: string, options?: { signal?: AbortSignal }): Promise<void>;
  /** Fails with a clear WarmstartError when the store cannot be used (unreachable, no bucket, denied). */
  check(): Promise<void>;
}

export function validateKey(key: string): string {
  if (key.length === 0 || key.startsWith('/') || key.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new Error(`invalid object key "${key}": keys are relative paths without empty, "." or ".." segments`);
  }
  return key;
}
