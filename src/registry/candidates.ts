import { WarmstartError } from '../errors.js';
import { getJson } from '../storage/json.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { ModelSpec } from '../training/spec.js';
import { candidatePrefix, lineageKey, metricsKey } from '../storage/keys.js';

/** lineage.json, written by training next to the candidate's weights. */
export interface CandidateLineage {
  candidateId: string;
  model: string;
  dataset: string;
  datasetVersion: number;
  mode: 'scratch' | 'warm';
  modelSpec: ModelSpec;
  classes: string[];
  featureShape: number[];
}

export interface CandidateRecord {
  lineage: CandidateLineage;
  prefix: string;
  /** Combined test accuracy from metrics.json, when the candidate was evaluated. */
  testAccuracy: number | null;
}

/** Reads a stored candidate; an unknown one is a clear error (operators type these IDs). */
export async function readCandidate(store: ObjectStore, model: string, candidateId: string): Promise<CandidateRecord> {
  const prefix = candidatePrefix(model, candidateId);
  const lineage = await getJson<CandidateLineage>(store, lineageKey(prefix));
  const weights = await store.get(`${prefix}/model.json`);
  if (!lineage || !weights) {
    throw new WarmstartError('MODEL_NOT_FOUND', `model ${model} has no stored candidate ${candidateId} (no ${prefix}/lineage.json or model.json); list candidates with \`warmstart audit --model ${model}\``, candidateId);
  }
  const metrics = await getJson<{ candidate?: { combined?: { accuracy: number } } }>(store, metricsKey(prefix));
  return { lineage: lineage.value, prefix, testAccuracy: metrics?.value.candidate?.combined?.accuracy ?? null };
}
