import * as tf from '@tensorflow/tfjs';
import type { InitLever } from './levers.js';
import { buildModel } from './build-model.js';
import { describeModelSpec, type ModelSpec } from './spec.js';
import { tabularInputOf } from './tabular-input.js';
import { vocabularyMapping, type TabularColumn } from '../data/vocabulary.js';

/**
 * The initialization lever: scratch, a warm copy of the previous model, or shrink & perturb, with the
 * output layer grown when the class list is a superset of the previous one (old rows kept, fresh rows
 * for new classes). Also returns what l2-to-old pulls toward.
 */
export interface PreviousModel {
  model: tf.LayersModel;
  classes: string[];
}

export interface InitializedModel {
  model: tf.LayersModel;
  /** The previous model's weights in the new layout, for l2-to-old; null for scratch. */
  anchor: { values: tf.Tensor[]; masks: (tf.Tensor | null)[] } | null;
  /** Classes added to the head (empty when the head was copied as is). */
  grownClasses: string[];
  /** Rows added to each categorical column's embedding (fresh init), for columns that grew. */
  grownVocabulary: { column: string; added: number }[];
}

export class InitializationError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = 'InitializationError';
  }
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** New-class index -> previous-class index (or -1 for a class the previous model lacked). */
export function classMapping(previous: readonly string[], current: readonly string[]): number[] {
  const missing = previous.filter((c) => !current.includes(c));
  if (missing.length > 0) {
    throw new InitializationError('classes', `the dataset dropped class(es) [${missing.join(', ')}] of the previous model; warm start needs a superset of its classes [${previous.join(', ')}]: retrain from scratch`);
  }
  return current.map((c) => previous.indexOf(c));
}

/**
 * Lays the previous weights out for `fresh`'s architecture: every layer but the head must match
 * exactly; the head (last Dense kernel and bias) keeps the previous column of each class it knew.
 */
function carryOver(previous: PreviousModel, fresh: tf.LayersModel, classes: string[], spec: ModelSpec) {
  const mapping = classMapping(previous.classes, classes);
  const old = previous.model.getWeights();
  const init = fresh.getWeights();
  const head = fresh.layers[fresh.layers.length - 1]!;
  if (old.length !== init.length || head.getClassName() !== 'Dense' || head.getWeights().length !== 2) {
    throw new InitializationError('modelSpec', `the previous model's architecture does not match ${describeModelSpec(spec)} (${old.length} vs ${init.length} weight tensors): retrain from scratch`);
  }
  const headStart = init.length - 2;
  const embeddings = grownEmbeddings(previous.model, fresh, spec);
  for (let i = embeddings.length; i < headStart; i++) {
    if (!sameShape(old[i]!.shape, init[i]!.shape)) {
      throw new InitializationError('modelSpec', `weight ${i} of the previous model has shape [${old[i]!.shape.join(',')}], ${describeModelSpec(spec)} needs [${init[i]!.shape.join(',')}]: retrain from scratch`);
    }
  }
  const [oldKernel, oldBias] = [old[headStart]!, old[headStart + 1]!];
  if (oldKernel.shape[0] !== init[headStart]!.shape[0] || oldKernel.shape[1] !== previous.classes.length) {
    throw new InitializationError('modelSpec', `the previous model's head [${oldKernel.shape.join(',')}] does not fit ${previous.classes.length} classes and ${init[headStart]!.shape[0]} inputs`);
  }
  const identity = mapping.length === previous.classes.length && mapping.every((p, j) => p === j);
  const grown = classes.filter((_, j) => mapping[j]! < 0);
  const grownVocabulary = embeddings.filter((e) => e.added > 0).map(({ column, added }) => ({ column, added }));
  const body = (): { values: tf.Tensor[]; masks: (tf.Tensor | null)[] } => ({
    values: [...embeddings.map((e) => e.value), ...old.slice(embeddings.length, headStart).map((t) => t.clone())],
    masks: [...embeddings.map((e) => e.mask), ...old.slice(embeddings.length, headStart).map(() => null)],
  });
  if (identity) {
    const { values, masks } = body();
    return { values: [...values, old[headStart]!.clone(), old[headStart + 1]!.clone()], masks: [...masks, null, null], grown, grownVocabulary };
  }
  // Gather the old columns; new classes take the fresh init's column (and a 0 in the l2-to-old mask).
  const rows = oldKernel.shape[0]!;
  const biasMask = tf.tensor1d(mapping.map((p) => (p >= 0 ? 1 : 0)), 'float32');
  const kernelMask = tf.tidy(() => biasMask.reshape([1, -1]).tile([rows, 1]));
  const [kernel, bias] = tf.tidy(() => {
    const index = tf.tensor1d(mapping.map((p) => Math.max(0, p)), 'int32');
    return [tf.where(kernelMask.cast('bool'), oldKernel.gather(index, 1), init[headStart]!), tf.where(biasMask.cast('bool'), oldBias.gather(index), init[headStart + 1]!)];
  });
  const { values, masks } = body();
  return { values: [...values, kernel!, bias!], masks: [...masks, kernelMask, biasMask], grown, grownVocabulary };
}

/**
 * The input-side twin of head growth: each categorical column's embedding keeps the previous row of
 * every value the previous model knew (matched by value, so order does not matter) and the fresh
 * init's row for a new value; OOV keeps its row. Masks mark the kept rows for l2-to-old.
 */
function grownEmbeddings(previousModel: tf.LayersModel, fresh: tf.LayersModel, spec: ModelSpec) {
  const before = tabularInputOf(previousModel);
  const after = tabularInputOf(fresh);
  if (!after) return [];
  const columns = (layer: { columns: TabularColumn[] }) => layer.columns.map((c) => `${c.name}:${c.kind}`).join(',');
  if (!before || columns(before) !== columns(after) || before.embeddingDim !== after.embeddingDim) {
    throw new InitializationError('modelSpec', `the previous model's input columns (${before ? columns(before) : 'no categorical embeddings'}, embedding ${before?.embeddingDim ?? '-'}) differ from ${describeModelSpec(spec)} on this dataset (${columns(after)}, embedding ${after.embeddingDim}): retrain from scratch`);
  }
  const oldWeights = before.getWeights();
  const freshWeights = after.getWeights();
  const previousColumns = before.categorical();
  return after.categorical().map((c, k) => {
    const mapping = vocabularyMapping(previousColumns[k]!.vocabulary, c.vocabulary);
    const rowMask = tf.tensor1d(mapping.map((p) => (p >= 0 ? 1 : 0)), 'float32');
    const mask = tf.tidy(() => rowMask.reshape([-1, 1]).tile([1, after.embeddingDim]));
    const value = tf.tidy(() => tf.where(mask.cast('bool'), oldWeights[k]!.gather(tf.tensor1d(mapping.map((p) => Math.max(0, p)), 'int32'), 0), freshWeights[k]!));
    rowMask.dispose();
    return { column: after.columns[c.position]!.name, value, mask, added: mapping.filter((p) => p < 0).length };
  });
}

export function initializeModel(options: {
  spec: ModelSpec;
  inputShape: number[];
  classes: string[];
  seed: number;
  init: InitLever;
  previous?: PreviousModel | null;
  /** The dataset's feature columns (tabularColumns), when it has categorical ones. */
  columns?: TabularColumn[];
}): InitializedModel {
  const { spec, inputShape, classes, seed, init, previous, columns } = options;
  const model = buildModel(spec, inputShape, classes.length, seed, columns);
  if (init.kind === 'scratch') return { model, anchor: null, grownClasses: [], grownVocabulary: [] };
  if (!previous) {
    model.dispose();
    throw new InitializationError('levers.init', `${init.kind} needs a previous model; use init scratch when there is none`);
  }
  let carried;
  try {
    carried = carryOver(previous, model, classes, spec);
  } catch (error) {
    model.dispose();
    throw error;
  }
  if (init.kind === 'warm') {
    model.setWeights(carried.values);
  } else {
    // A second fresh init of the same architecture, from another seed, is the perturbation.
    const noise = buildModel(spec, inputShape, classes.length, seed + 7919, columns);
    const mixed = tf.tidy(() => carried.values.map((w, i) => w.mul(init.lambda).add(noise.getWeights()[i]!.mul(init.sigma))));
    model.setWeights(mixed);
    tf.dispose(mixed);
    noise.dispose();
  }
  return { model, anchor: { values: carried.values, masks: carried.masks }, grownClasses: carried.grown, grownVocabulary: carried.grownVocabulary };
}

export function disposeAnchor(anchor: InitializedModel['anchor']): void {
  if (anchor) tf.dispose([...anchor.values, ...anchor.masks.filter((m): m is tf.Tensor => m !== null)]);
}
