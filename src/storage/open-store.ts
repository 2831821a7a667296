import type { S3Settings, StoreLocation } from '../config.js';
import { LocalObjectStore } from './local-store.js';
import type { ObjectStore } from './object-store.js';
import { S3ObjectStore } from './s3-store.js';

export function openStore(location: StoreLocation, s3: S3Settings): ObjectStore {
  return location.kind === 's3' ? new S3ObjectStore(location.bucket, location.prefix, s3) : new LocalObjectStore(location.directory);
}
