import { loadExamples, selectExamples, type Examples } from '../data/examples.js';
import type { Manifest } from '../data/manifest.js';
import { stableHash, type Split } from '../data/split.js';
import { loadManifest } from '../data/versions.js';
import type { ObjectStore } from '../storage/object-store.js';

/**
 * The data of one benchmark comparison, read through the ObjectStore port from any dataset published
 * in the product's format (manifest + shards): feature shape and classes come from the manifests.
 */
export interface VersionData {
  version: number;
  manifest: Manifest;
  /** The version's classes as its manifest lists them: the model's classes (planRefresh's class rule). */
  classes: string[];
  train: Examples;
  /** The split the curves are measured on (validation to choose settings, test to report). */
  evaluation: Examples;
  /** The validation split, which the adaptive schedule decides on (the same object as `evaluation` when that is validation). */
  validation: Examples;
}

/**
 * A fixed, seed-independent sample of `limit` rows (quick mode): ordered by a hash of the id, so the
 * same rows are kept on every run and old and new rows are both represented.
 */
export function sample(data: Examples, limit: number | undefined): Examples {
  if (limit === undefined || data.count <= limit) return data;
  const order = Array.from({ length: data.count }, (_, i) => i).sort((a, b) => stableHash(`bench:${data.ids[a]}`) - stableHash(`bench:${data.ids[b]}`) || a - b);
  return selectExamples(data, order.slice(0, limit).sort((a, b) => a - b));
}

/** isNew relative to an earlier version (the loader marks only the manifest's own shards as new). */
function markNew(data: Examples, oldIds: ReadonlySet<number>): Examples {
  return { ...data, isNew: Uint8Array.from(data.ids, (id) => (oldIds.has(id) ? 0 : 1)) };
}

export interface LoadOptions {
  evaluationSplit: Extract<Split, 'validation' | 'test'>;
  /** Quick mode: cap the train and evaluation rows. */
  trainLimit?: number;
  evaluationLimit?: number;
}

/**
 * Loads versions in order (ascending); each one's isNew marks the rows the previous listed version
 * lacked, so --old 1 --new 3 counts v2's and v3's rows as new.
 */
export async function loadVersions(store: ObjectStore, dataset: string, versions: readonly number[], options: LoadOptions): Promise<VersionData[]> {
  const result: VersionData[] = [];
  let previousIds = new Set<number>();
  for (const version of versions) {
    const manifest = await loadManifest(store, dataset, version);
    // Splits are a stable hash of the id, so an old row stays in its split: old ids of train and
    // evaluation are all that marking new rows needs.
    const trainRaw = markNew(await loadExamples(store, manifest, ['train']), previousIds);
    const evaluationRaw = markNew(await loadExamples(store, manifest, [options.evaluationSplit]), previousIds);
    // The adaptive schedule decides on validation while the curves may be on test.
    const validationRaw = options.evaluationSplit === 'validation' ? evaluationRaw : markNew(await loadExamples(store, manifest, ['validation']), previousIds);
    const train = sample(trainRaw, options.trainLimit);
    const evaluation = sample(evaluationRaw, options.evaluationLimit);
    const validation = validationRaw === evaluationRaw ? evaluation : sample(validationRaw, options.evaluationLimit);
    // Labels are indices into the manifest's classes, which are the model's (the product's class rule:
    // the publish path lists the classes present so far), so no relabelling: the refresh reads them so.
    result.push({ version, manifest, classes: [...manifest.classes], train, evaluation, validation });
    previousIds = new Set([...trainRaw.ids, ...evaluationRaw.ids, ...validationRaw.ids]);
  }
  return result;
}
