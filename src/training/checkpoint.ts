import * as tf from '@tensorflow/tfjs';
import type { ObjectStore } from '../storage/object-store.js';
import { getJson, putJson } from '../storage/json.js';
import type { AdamState } from './adam.js';
import { loadModel, saveModel } from './model-io.js';
import type { LoopSnapshot } from './trainer.js';

/**
 * Checkpoints under `<prefix>/step-<N>/`: the model in the tfjs Layers format, the optimizer's moments
 * (optimizer.bin + optimizer.json), optional per-example selection weights, and state.json (step, data
 * sampler and generator state, caller's extra JSON), written last: a checkpoint whose state.json
 * exists is complete. Only the small reference travels in heartbeats.
 */
export interface CheckpointRef {
  step: number;
  checkpointKey: string;
}

interface StateFile {
  step: number;
  sampler: LoopSnapshot['sampler'];
  lastLoss: number | null;
  hasSelectionWeights: boolean;
  extra: unknown;
}

export function checkpointsPrefix(model: string, candidateId: string): string {
  return `models/${model}/checkpoints/${candidateId}`;
}

export async function saveOptimizerState(store: ObjectStore, prefix: string, state: AdamState): Promise<void> {
  const named = [...state.m.map((tensor, i) => ({ name: `m/${i}`, tensor })), ...state.v.map((tensor, i) => ({ name: `v/${i}`, tensor }))];
  const { data, specs } = await tf.io.encodeWeights(named);
  await store.put(`${prefix}/optimizer.bin`, new Uint8Array(data as ArrayBuffer), { contentType: 'application/octet-stream' });
  await putJson(store, `${prefix}/optimizer.json`, { kind: 'adam', step: state.step, count: state.m.length, specs });
}

export async function loadOptimizerState(store: ObjectStore, prefix: string): Promise<AdamState> {
  const meta = await getJson<{ step: number; count: number; specs: tf.io.WeightsManifestEntry[] }>(store, `${prefix}/optimizer.json`);
  const body = await store.get(`${prefix}/optimizer.bin`);
  if (!meta || !body) throw new Error(`no optimizer state at ${prefix}`);
  const bytes = body.body.slice().buffer as ArrayBuffer;
  const tensors = tf.io.decodeWeights(bytes, meta.value.specs);
  const pick = (name: string) => {
    const t = tensors[name];
    if (!t) throw new Error(`optimizer state at ${prefix} lacks ${name}`);
    return t;
  };
  const indices = Array.from({ length: meta.value.count }, (_, i) => i);
  return { step: meta.value.step, m: indices.map((i) => pick(`m/${i}`)), v: indices.map((i) => pick(`v/${i}`)) };
}

export async function saveCheckpoint(
  store: ObjectStore,
  prefix: string,
  model: tf.LayersModel,
  snapshot: LoopSnapshot,
  extra: unknown,
  selectionWeights?: Float32Array,
): Promise<CheckpointRef> {
  const key = `${prefix}/step-${String(snapshot.step).padStart(8, '0')}`;
  await saveModel(store, key, model);
  await saveOptimizerState(store, key, snapshot.optimizer);
  if (selectionWeights) await store.put(`${key}/selection.bin`, new Uint8Array(selectionWeights.buffer.slice(0)), { contentType: 'application/octet-stream' });
  const state: StateFile = { step: snapshot.step, sampler: snapshot.sampler, lastLoss: Number.isNaN(snapshot.lastLoss) ? null : snapshot.lastLoss, hasSelectionWeights: !!selectionWeights, extra };
  await putJson(store, `${key}/state.json`, state);
  // Older checkpoints of this run are superseded once the new one is complete.
  for (const object of await store.list(`${prefix}/`)) {
    if (!object.startsWith(`${key}/`)) await store.delete(object);
  }
  return { step: snapshot.step, checkpointKey: key };
}

export interface LoadedCheckpoint {
  model: tf.LayersModel;
  snapshot: LoopSnapshot;
  extra: unknown;
  selectionWeights?: Float32Array;
}

export async function loadCheckpoint(store: ObjectStore, ref: CheckpointRef): Promise<LoadedCheckpoint> {
  const state = await getJson<StateFile>(store, `${ref.checkpointKey}/state.json`);
  if (!state) throw new Error(`checkpoint ${ref.checkpointKey} is incomplete or gone (no state.json)`);
  const model = await loadModel(store, ref.checkpointKey);
  const optimizer = await loadOptimizerState(store, ref.checkpointKey);
  let selectionWeights: Float32Array | undefined;
  if (state.value.hasSelectionWeights) {
    const body = await store.get(`${ref.checkpointKey}/selection.bin`);
    if (!body) throw new Error(`checkpoint ${ref.checkpointKey} lacks selection.bin`);
    selectionWeights = new Float32Array(body.body.slice().buffer);
  }
  const snapshot: LoopSnapshot = { step: state.value.step, sampler: state.value.sampler, optimizer, lastLoss: state.value.lastLoss ?? Number.NaN, wallSeconds: 0 };
  return { model, snapshot, extra: state.value.extra, ...(selectionWeights ? { selectionWeights } : {}) };
}

export async function deleteCheckpoints(store: ObjectStore, prefix: string): Promise<void> {
  for (const object of await store.list(`${prefix}/`)) await store.delete(object);
}
