import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from './spec.js';

/** Builds a model that outputs logits; initial weights are a pure function of the seed. */
export function buildModel(spec: ModelSpec, inputSize: number, numClasses: number, seed: number): tf.LayersModel {
  const model = tf.sequential();
  spec.hidden.forEach((units, index) => {
    model.add(
      tf.layers.dense({
        ...(index === 0 ? { inputShape: [inputSize] } : {}),
        units,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: seed + index }),
      }),
    );
  });
  model.add(tf.layers.dense({ units: numClasses, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1000 }) }));
  return model;
}
