import type * as tf from '@tensorflow/tfjs';
import { WarmstartError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import { loadModel } from '../training/model-io.js';
import { readProduction, type ProductionPointer } from './production.js';

/** The model that serves now, for a prediction service: the production pointer and its loaded weights. */
export async function loadProductionModel(store: ObjectStore, model: string): Promise<{ pointer: ProductionPointer; model: tf.LayersModel }> {
  const production = await readProduction(store, model);
  if (!production) {
    throw new WarmstartError('MODEL_NOT_FOUND', `model ${model} has no production model in ${store.uri}; refresh a dataset version first (warmstart refresh)`, model);
  }
  return { pointer: production.pointer, model: await loadModel(store, production.pointer.candidatePrefix) };
}
