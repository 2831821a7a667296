import { isWarmstartError } from '../errors.js';
import { getJson, putJson } from '../storage/json.js';
import { productionKey } from '../storage/keys.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { ModelSpec } from '../training/spec.js';

/** models/<model>/production.json: which candidate serves. Changed only by a conditional write. */
export interface ProductionPointer {
  model: string;
  candidateId: string;
  /** Store prefix holding model.json + weights.bin. */
  candidatePrefix: string;
  dataset: string;
  datasetVersion: number;
  modelSpec: ModelSpec;
  classes: string[];
  featureShape: number[];
  testAccuracy: number;
  /** How the candidate was trained, and warm starts since its lineage last started from scratch. */
  /** Optional only for pointers written before these fields existed. */
  mode?: 'scratch' | 'warm';
  warmStartsInRow?: number;
  promotedAt: string;
  /** The workflow (or operator) that promoted it. */
  promotedBy: string;
  /** Why, when it was not the gate: an operator's promote, rollback or override. */
  note?: string;
}


export async function readProduction(store: ObjectStore, model: string): Promise<{ pointer: ProductionPointer; etag: string } | undefined> {
  const found = await getJson<ProductionPointer>(store, productionKey(model));
  return found ? { pointer: found.value, etag: found.etag } : undefined;
}

export type PromotionResult =
  | { outcome: 'promoted'; etag: string }
  | { outcome: 'superseded'; reason: string }
  | { outcome: 'already-promoted'; etag: string };

/**
 * Points production at a candidate if, and only if, the pointer is still what the caller read
 * (`expectedEtag`, or no pointer at all when null). Of two racing promotions exactly one wins;
 * the loser learns it was superseded. A retry of a promotion that already landed is recognised.
 */
export async function promote(store: ObjectStore, pointer: ProductionPointer, expectedEtag: string | null): Promise<PromotionResult> {
  try {
    const { etag } = await putJson(store, productionKey(pointer.model), pointer, expectedEtag === null ? { ifNoneMatch: '*' } : { ifMatch: expectedEtag });
    return { outcome: 'promoted', etag };
  } catch (error) {
    if (!isWarmstartError(error, 'STORE_PRECONDITION_FAILED')) throw error;
    const current = await readProduction(store, pointer.model);
    if (current && current.pointer.candidateId === pointer.candidateId && current.pointer.promotedBy === pointer.promotedBy) {
      return { outcome: 'already-promoted', etag: current.etag };
    }
    return {
      outcome: 'superseded',
      reason: `production changed since it was read: now ${current ? `${current.pointer.candidateId} (promoted by ${current.pointer.promotedBy})` : 'absent'}`,
    };
  }
}
