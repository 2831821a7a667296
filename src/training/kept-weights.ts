import * as tf from '@tensorflow/tfjs';

/**
 * A copy of a model's weights at the adaptive schedule's best cycle end, held while an extension that
 * may lose is trained, so the run can end with them. Weights only: a run that restores them stops
 * there, so it needs no optimizer state for them. Owns its tensors: release() frees them.
 */
export class KeptWeights {
  private weights: tf.Tensor[] | null;

  /** `adopted`: tensors from a checkpoint, now this holder's to dispose. */
  constructor(adopted?: tf.Tensor[]) {
    this.weights = adopted && adopted.length > 0 ? adopted : null;
  }

  /** The held copy (for a checkpoint; still owned here), or undefined when none is held. */
  get tensors(): tf.Tensor[] | undefined {
    return this.weights ?? undefined;
  }

  /** Holds a copy of the model's current weights, in place of any earlier copy. */
  hold(model: tf.LayersModel): void {
    this.release();
    this.weights = tf.tidy(() => model.getWeights().map((w) => w.clone()));
  }

  /** Sets the model's weights to the held copy; false when none is held. */
  restoreInto(model: tf.LayersModel): boolean {
    if (!this.weights) return false;
    // setWeights assigns the values to the model's variables, which keep them after release().
    model.setWeights(this.weights);
    return true;
  }

  release(): void {
    for (const t of this.weights ?? []) t.dispose();
    this.weights = null;
  }
}
