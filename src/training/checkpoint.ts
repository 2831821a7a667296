import * as tf from '@tensorflow/tfjs';
import type { ObjectStore } from '../storage/object-store.js';
import { getJson, putJson } from '../storage/json.js';
import type { AdamState } from './adam.js';
import { loadModel, saveModel } from './model-io.js';
import type { LoopSnapshot } from './train-loop.js';
import { checkpointKey } from '../storage/keys.js';

/**
 * Checkpoints under `<prefix>/step-<N>/`: the model in the tfjs Layers format, the optimizer's moments
 * (optimizer.bin + optimizer.json), optional per-example selection weights, inside an adaptive
 * extension the best cycle's weights (kept.bin: one more copy of the model's weights, no optimizer
 * state), with weight averaging the average's running sums (averaged.bin), and state.json (step, data
 * sampler and generator state, the run's fingerprint, caller's extra JSON, the layouts of kept.bin and
 * averaged.bin), written last: a checkpoint whose state.json exists is complete. Only the
 * small reference travels in heartbeats.
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
  /** Identifies the run's inputs: only a run with the same inputs may resume from this checkpoint. */
  fingerprint?: string;
  extra: unknown;
  /** kept.bin's tensors, in order (absent: the snapshot had no kept weights). */
  keptWeights?: tf.io.WeightsManifestEntry[];
  /** averaged.bin's tensors and the average's update count (runs with weight averaging only). */
  averaged?: { specs: tf.io.WeightsManifestEntry[]; updates: number };
}

/** Complete checkpoints kept per run: the newest, and the one before it (see saveCheckpoint). */
export const CHECKPOINTS_KEPT = 2;


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

/**
 * Weights beside the model (kept.bin: the adaptive schedule's best cycle; averaged.bin: the weight
 * average); their layout goes into state.json, so a checkpoint without state.json has none.
 */
async function saveWeightsFile(store: ObjectStore, key: string, file: 'kept' | 'averaged', tensors: tf.Tensor[]): Promise<tf.io.WeightsManifestEntry[]> {
  const { data, specs } = await tf.io.encodeWeights(tensors.map((tensor, i) => ({ name: `${file}/${i}`, tensor })));
  await store.put(`${key}/${file}.bin`, new Uint8Array(data as ArrayBuffer), { contentType: 'application/octet-stream' });
  return specs;
}

async function loadWeightsFile(store: ObjectStore, key: string, file: 'kept' | 'averaged', specs: tf.io.WeightsManifestEntry[]): Promise<tf.Tensor[]> {
  const body = await store.get(`${key}/${file}.bin`);
  if (!body) throw new Error(`checkpoint ${key} lacks ${file}.bin`);
  const tensors = tf.io.decodeWeights(body.body.slice().buffer as ArrayBuffer, specs);
  return specs.map((spec) => tensors[spec.name]!);
}

export interface SaveCheckpointOptions {
  selectionWeights?: Float32Array;
  fingerprint?: string;
}

export async function saveCheckpoint(store: ObjectStore, prefix: string, model: tf.LayersModel, snapshot: LoopSnapshot, extra: unknown, options: SaveCheckpointOptions = {}): Promise<CheckpointRef> {
  const { selectionWeights, fingerprint } = options;
  const key = checkpointKey(prefix, snapshot.step);
  await saveModel(store, key, model);
  await saveOptimizerState(store, key, snapshot.optimizer);
  if (selectionWeights) await store.put(`${key}/selection.bin`, new Uint8Array(selectionWeights.buffer.slice(0)), { contentType: 'application/octet-stream' });
  const keptWeights = snapshot.keptWeights ? await saveWeightsFile(store, key, 'kept', snapshot.keptWeights) : undefined;
  const averaged = snapshot.averaged ? { specs: await saveWeightsFile(store, key, 'averaged', snapshot.averaged.tensors), updates: snapshot.averaged.updates } : undefined;
  const state: StateFile = {
    step: snapshot.step,
    sampler: snapshot.sampler,
    lastLoss: Number.isNaN(snapshot.lastLoss) ? null : snapshot.lastLoss,
    hasSelectionWeights: !!selectionWeights,
    ...(fingerprint ? { fingerprint } : {}),
    extra,
    ...(keptWeights ? { keptWeights } : {}),
    ...(averaged ? { averaged } : {}),
  };
  await putJson(store, `${key}/state.json`, state);
  // The previous complete checkpoint stays, so a retry that cannot read the newest one (pruned or
  // rewritten meanwhile by a stalled attempt that is still running) has one to fall back on.
  const objects = await store.list(`${prefix}/`);
  const kept = completeAmong(objects, prefix)
    .slice(0, CHECKPOINTS_KEPT)
    .map((ref) => `${ref.checkpointKey}/`);
  for (const object of objects) {
    if (!kept.some((keep) => object.startsWith(keep))) await store.delete(object);
  }
  return { step: snapshot.step, checkpointKey: key };
}


/** Complete checkpoints (state.json written) under a run's prefix, newest first. */
export async function completeCheckpoints(store: ObjectStore, prefix: string): Promise<CheckpointRef[]> {
  return completeAmong(await store.list(`${prefix}/`), prefix);
}

function completeAmong(objects: readonly string[], prefix: string): CheckpointRef[] {
  const refs: CheckpointRef[] = [];
  for (const object of objects) {
    const match = /\/step-(\d+)\/state\.json$/.exec(object);
    const ref = match ? { step: Number(match[1]), checkpointKey: checkpointKey(prefix, Number(match[1])) } : null;
    if (ref && object === `${ref.checkpointKey}/state.json`) refs.push(ref);
  }
  return refs.sort((a, b) => b.step - a.step);
}

export interface LoadedCheckpoint {
  model: tf.LayersModel;
  snapshot: LoopSnapshot;
  extra: unknown;
  selectionWeights?: Float32Array;
}

export async function loadCheckpoint(store: ObjectStore, ref: CheckpointRef, fingerprint?: string): Promise<LoadedCheckpoint> {
  const state = await getJson<StateFile>(store, `${ref.checkpointKey}/state.json`);
  if (!state) throw new Error(`checkpoint ${ref.checkpointKey} is incomplete or gone (no state.json)`);
  if (fingerprint !== undefined && state.value.fingerprint !== fingerprint) throw new Error(`checkpoint ${ref.checkpointKey} belongs to a run with other inputs`);
  const model = await loadModel(store, ref.checkpointKey);
  const optimizer = await loadOptimizerState(store, ref.checkpointKey);
  let selectionWeights: Float32Array | undefined;
  if (state.value.hasSelectionWeights) {
    const body = await store.get(`${ref.checkpointKey}/selection.bin`);
    if (!body) throw new Error(`checkpoint ${ref.checkpointKey} lacks selection.bin`);
    selectionWeights = new Float32Array(body.body.slice().buffer);
  }
  const snapshot: LoopSnapshot = { step: state.value.step, sampler: state.value.sampler, optimizer, lastLoss: state.value.lastLoss ?? Number.NaN, wallSeconds: 0 };
  if (state.value.keptWeights) snapshot.keptWeights = await loadWeightsFile(store, ref.checkpointKey, 'kept', state.value.keptWeights);
  if (state.value.averaged) snapshot.averaged = { tensors: await loadWeightsFile(store, ref.checkpointKey, 'averaged', state.value.averaged.specs), updates: state.value.averaged.updates };
  return { model, snapshot, extra: state.value.extra, ...(selectionWeights ? { selectionWeights } : {}) };
}

export interface ResumeSearch {
  /** The checkpoint to resume from; absent: nothing usable, start from step 0. */
  found?: { checkpoint: LoadedCheckpoint; ref: CheckpointRef };
  /** Newer checkpoints that could not be used, with why (gone mid-read, other inputs). */
  skipped: string[];
}

/**
 * Where a retried attempt resumes: the newest complete checkpoint of this run that loads. The last
 * heartbeat is only a hint: an attempt the server timed out while its worker was stalled (not dead)
 * keeps training, writing newer checkpoints and pruning older ones, while the server refuses its
 * heartbeats. Any complete checkpoint of a run with the same inputs is a valid resume point, since
 * runs are deterministic.
 */
export async function findResumePoint(store: ObjectStore, prefix: string, fingerprint: string): Promise<ResumeSearch> {
  const skipped: string[] = [];
  for (const ref of await completeCheckpoints(store, prefix)) {
    try {
      return { found: { checkpoint: await loadCheckpoint(store, ref, fingerprint), ref }, skipped };
    } catch (error) {
      skipped.push(error instanceof Error ? error.message : String(error));
    }
  }
  return { skipped };
}

export async function deleteCheckpoints(store: ObjectStore, prefix: string): Promise<void> {
  for (const object of await store.list(`${prefix}/`)) await store.delete(object);
}
