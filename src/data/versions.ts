import { WarmstartError } from '../errors.js';
import { checkName } from '../names.js';
import type { ObjectStore } from '../storage/object-store.js';
import { parseManifest, type Manifest } from './manifest.js';
import { datasetPrefix, manifestKey } from '../storage/keys.js';

const decoder = new TextDecoder();

/** Reads and validates a version's manifest. */
export async function loadManifest(store: ObjectStore, dataset: string, version: number): Promise<Manifest> {
  checkName('dataset', dataset);
  if (!Number.isSafeInteger(version) || version < 1) throw new WarmstartError('CONFIG_INVALID', `version ${version} of ${dataset} is not a positive integer; versions count from 1`, 'version');
  const key = manifestKey(dataset, version);
  const object = await store.get(key);
  if (!object) {
    throw new WarmstartError('DATASET_NOT_FOUND', `dataset ${dataset} has no version ${version} in ${store.uri} (no ${key}); publish it first or check the name`, key);
  }
  const manifest = parseManifest(decoder.decode(object.body), key);
  if (manifest.dataset !== dataset || manifest.version !== version) {
    throw new WarmstartError('DATASET_INVALID', `manifest ${key} says dataset ${manifest.dataset} v${manifest.version}; it must match its location`, key);
  }
  return manifest;
}

/** Version numbers that have a manifest (committed versions), ascending. */
export async function listVersions(store: ObjectStore, dataset: string): Promise<number[]> {
  checkName('dataset', dataset);
  return versionsIn(await store.list(datasetPrefix(dataset)));
}

/** Version numbers with a manifest among keys listed under one dataset's prefix, ascending. */
export function versionsIn(keys: Iterable<string>): number[] {
  const versions = [...keys]
    .map((key) => /^datasets\/[^/]+\/v(\d+)\/manifest\.json$/.exec(key)?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number);
  return [...new Set(versions)].sort((a, b) => a - b);
}
