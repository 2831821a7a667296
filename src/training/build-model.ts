import * as tf from '@tensorflow/tfjs';
import type { TabularColumn } from '../data/vocabulary.js';
import type { CnnSpec, MlpSpec, ModelSpec } from './spec.js';
import { DEFAULT_EMBEDDING_DIM, TabularInput } from './tabular-input.js';

/**
 * Builders for the specs: every model takes the flat feature vector the data loader produces and
 * outputs logits, with a Dense layer last (the head that grows for new classes). Initial weights are a
 * pure function of the seed.
 */
export interface ModelBuildContext {
  /** The manifest's feature shape, e.g. [28, 28, 1]; the model's input is the flat vector. */
  inputShape: number[];
  featureSize: number;
  numClasses: number;
  seed: number;
  options: Record<string, unknown>;
  /** Each feature column, numeric or categorical with its vocabulary, when the dataset has categorical columns. */
  columns?: TabularColumn[];
}
export type ModelBuilder = (context: ModelBuildContext) => tf.LayersModel;

const builders = new Map<string, ModelBuilder>();

/** Registers a builder for `{ kind: 'custom', name }`. Its last layer must be Dense (logits). */
export function registerModelBuilder(name: string, builder: ModelBuilder): void {
  builders.set(name, builder);
}

export function registeredModelBuilders(): string[] {
  return [...builders.keys()].sort();
}

/** Categorical columns get an embedding each (TabularInput first), concatenated with the numeric columns. */
function buildMlp(spec: MlpSpec, featureSize: number, numClasses: number, seed: number, columns: TabularColumn[] | undefined): tf.LayersModel {
  const model = tf.sequential();
  const tabular = columns?.some((c) => c.kind === 'categorical') ?? false;
  if (tabular) model.add(new TabularInput({ inputShape: [featureSize], columns: columns!, embeddingDim: spec.embeddingDim ?? DEFAULT_EMBEDDING_DIM, seed: seed + 2000 }));
  const first = (index: number) => index === 0 && !tabular;
  spec.hidden.forEach((units, index) => {
    model.add(
      tf.layers.dense({
        ...(first(index) ? { inputShape: [featureSize] } : {}),
        units,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: seed + index }),
      }),
    );
  });
  model.add(tf.layers.dense({ ...(spec.hidden.length === 0 && !tabular ? { inputShape: [featureSize] } : {}), units: numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1000 }) }));
  return model;
}

function imageShape(inputShape: number[]): [number, number, number] {
  if (inputShape.length === 2) return [inputShape[0]!, inputShape[1]!, 1];
  if (inputShape.length === 3) return inputShape as [number, number, number];
  throw new Error(`a cnn needs image features [height, width] or [height, width, channels]; the dataset's feature shape is [${inputShape.join(', ')}]: use an mlp modelSpec`);
}

function buildCnn(spec: CnnSpec, inputShape: number[], featureSize: number, numClasses: number, seed: number): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.reshape({ inputShape: [featureSize], targetShape: imageShape(inputShape) }));
  spec.filters.forEach((filters, index) => {
    model.add(
      tf.layers.conv2d({ filters, kernelSize: spec.kernelSize, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed + 100 + index }) }),
    );
    model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  });
  model.add(tf.layers.flatten());
  spec.dense.forEach((units, index) => {
    model.add(tf.layers.dense({ units, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: seed + index }) }));
  });
  model.add(tf.layers.dense({ units: numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1000 }) }));
  return model;
}

/**
 * Builds a model that outputs logits. `inputShape` is the manifest's feature shape (or just the flat
 * size); `columns` (tabularColumns of the manifest) adds embeddings for categorical columns.
 */
export function buildModel(spec: ModelSpec, inputShape: number | number[], numClasses: number, seed: number, columns?: TabularColumn[]): tf.LayersModel {
  const shape = typeof inputShape === 'number' ? [inputShape] : inputShape;
  const featureSize = shape.reduce((a, b) => a * b, 1);
  const categorical = columns?.some((c) => c.kind === 'categorical') ?? false;
  switch (spec.kind) {
    case 'mlp':
      return buildMlp(spec, featureSize, numClasses, seed, columns);
    case 'cnn':
      if (categorical) throw new Error('a cnn takes image features; this dataset has categorical columns: use an mlp modelSpec (it embeds them)');
      return buildCnn(spec, shape, featureSize, numClasses, seed);
    case 'custom': {
      const builder = builders.get(spec.name);
      if (!builder) {
        throw new Error(`modelSpec: no model builder registered as "${spec.name}" (registered: ${registeredModelBuilders().join(', ') || 'none'}); call registerModelBuilder before training`);
      }
      const model = builder({ inputShape: shape, featureSize, numClasses, seed, options: spec.options ?? {}, ...(columns ? { columns } : {}) });
      const out = model.outputs[0]?.shape;
      if (model.inputs[0]?.shape.length !== 2 || model.inputs[0].shape[1] !== featureSize || out?.[1] !== numClasses) {
        throw new Error(`modelSpec: builder "${spec.name}" must take [batch, ${featureSize}] and output [batch, ${numClasses}] logits`);
      }
      return model;
    }
  }
}
