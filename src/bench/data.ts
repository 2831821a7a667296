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
  /** The model's classes for this version (see `presentClasses`). */
  classes: string[];
  train: Examples;
  /** The split the curves are measured on (validation to choose settings, test to report). */
  evaluation: Examples;
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

/**
 * The classes a model of this version should have: the manifest's classes that occur in its data, in
 * manifest order. Why: a class-incremental import may list every class in every version (the MNIST
 * import does); a base model trained on digits 0-6 must then have a 7-way head that grows when 7-9
 * arrive, as in the paper, instead of 3 dead outputs it was trained to never predict.
 */
export function presentClasses(manifest: Manifest, ...parts: Examples[]): string[] {
  const seen = new Set<number>();
  for (const part of parts) for (const label of part.y) seen.add(label);
  return manifest.classes.filter((_, index) => seen.has(index));
}

/** Relabels from manifest class indices to indices into `classes` (a subset of the manifest's). */
export function relabel(data: Examples, manifest: Manifest, classes: string[]): Examples {
  const map = manifest.classes.map((c) => classes.indexOf(c));
  const y = Int32Array.from(data.y, (label) => {
    const mapped = map[label];
    if (mapped === undefined || mapped < 0) throw new Error(`label ${label} (${manifest.classes[label]}) is not among the model's classes [${classes.join(', ')}]`);
    return mapped;
  });
  return { ...data, y };
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
    let train = sample(trainRaw, options.trainLimit);
    let evaluation = sample(evaluationRaw, options.evaluationLimit);
    const classes = presentClasses(manifest, train);
    train = relabel(train, manifest, classes);
    // Evaluation rows of a class absent from training cannot be scored by this model; they do not occur
    // with a hash split of a real dataset, but a tiny quick slice might drop a class from train.
    const keep = Array.from({ length: evaluation.count }, (_, i) => i).filter((i) => classes.includes(manifest.classes[evaluation.y[i]!]!));
    evaluation = relabel(selectExamples(evaluation, keep), manifest, classes);
    result.push({ version, manifest, classes, train, evaluation });
    previousIds = new Set([...trainRaw.ids, ...evaluationRaw.ids]);
  }
  return result;
}
