import * as tf from '@tensorflow/tfjs';
import type { RegularizationLever } from './levers.js';
import type { InitializedModel } from './init.js';

/**
 * The regularization lever as a loss term: strength * sum (w - w_old)^2 over the weights the old
 * model had (a grown head's new columns are masked out), or strength * sum w^2, or nothing.
 */
export function regularizationPenalty(lever: RegularizationLever, anchor: InitializedModel['anchor']): ((weights: tf.Variable[]) => tf.Scalar) | undefined {
  if (lever.kind === 'none' || lever.strength === 0) return undefined;
  if (lever.kind === 'weight-decay') {
    return (weights) => tf.addN(weights.map((w) => w.square().sum())).mul(lever.strength) as tf.Scalar;
  }
  if (!anchor) throw new Error('levers.regularization: l2-to-old needs a previous model');
  return (weights) =>
    tf
      .addN(
        weights.map((w, i) => {
          const diff = w.sub(anchor.values[i]!).square();
          const mask = anchor.masks[i];
          return (mask ? diff.mul(mask) : diff).sum();
        }),
      )
      .mul(lever.strength) as tf.Scalar;
}
