import type * as tf from '@tensorflow/tfjs';
import type { Examples } from '../../src/data/examples.js';
import { SeededRandom } from '../../src/random.js';

/** Gaussian blobs, one per class, in `featureSize` dimensions: learnable, but not by a constant guess. */
export function blobs(count: number, seed: number, options: { classes?: number; featureSize?: number; newEvery?: number } = {}): Examples {
  const classes = options.classes ?? 3;
  const featureSize = options.featureSize ?? 8;
  const random = new SeededRandom(seed);
  const x = new Float32Array(count * featureSize);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    y[i] = label;
    for (let j = 0; j < featureSize; j++) x[i * featureSize + j] = (j % classes === label ? 1.5 : 0) + (random.next() - 0.5);
  }
  const newEvery = options.newEvery ?? 4;
  return { count, featureSize, x, y, isNew: new Uint8Array(count).map((_, i) => (i % newEvery === 0 ? 1 : 0)), ids: Array.from({ length: count }, (_, i) => i) };
}

/** Tiny 8x8 one-channel "images" (64 features) for CNN tests: a bright row whose position is the class. */
export function stripes(count: number, seed: number, classes = 4): Examples {
  const random = new SeededRandom(seed);
  const featureSize = 64;
  const x = new Float32Array(count * featureSize);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    y[i] = label;
    for (let j = 0; j < featureSize; j++) x[i * featureSize + j] = (Math.floor(j / 8) === label * 2 ? 1 : 0) + 0.3 * (random.next() - 0.5);
  }
  return { count, featureSize, x, y, isNew: new Uint8Array(count), ids: Array.from({ length: count }, (_, i) => i) };
}

/** A model's weights as plain arrays, for bitwise comparisons of two runs. */
export const weightsOf = (model: tf.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));
