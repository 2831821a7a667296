import type { ObjectStore, PutOptions } from './object-store.js';

const decoder = new TextDecoder();

export async function getJson<T = unknown>(store: ObjectStore, key: string): Promise<{ value: T; etag: string } | undefined> {
  const object = await store.get(key);
  if (!object) return undefined;
  return { value: JSON.parse(decoder.decode(object.body)) as T, etag: object.etag };
}

export async function putJson(store: ObjectStore, key: string, value: unknown, options: PutOptions = {}): Promise<{ etag: string }> {
  return store.put(key, `${JSON.stringify(value, null, 2)}\n`, { contentType: 'application/json', ...options });
}
