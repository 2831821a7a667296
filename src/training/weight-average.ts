import * as tf from '@tensorflow/tfjs';

/** Where an average stands: its running sums and how many steps it has taken in (for the checkpoint). */
export interface AverageSnapshot {
  tensors: tf.Tensor[];
  updates: number;
}

/**
 * An exponential moving average of the trainable weights (Polyak averaging): after each optimizer step,
 * sum = d * sum + (1 - d) * w, from sum = 0, and the average is sum / (1 - d^n) after n steps (Adam's
 * bias correction), so the starting weights (the production model's) never weigh in and `decay` means
 * the same on a short run as on a long one. A short schedule at a high peak rate ends with noisy weights;
 * their average generalizes better. Owns its tensors: dispose() frees them.
 */
export class WeightAverage {
  /** The biased running sums; the average is sum / (1 - decay^updates). */
  private readonly sums: tf.Variable[];
  private updates: number;

  /** `resume`: a checkpoint's average, now this average's to dispose. */
  constructor(
    private readonly variables: tf.Variable[],
    private readonly decay: number,
    resume?: AverageSnapshot,
  ) {
    if (resume && resume.tensors.length !== variables.length) throw new Error(`a checkpoint's weight average has ${resume.tensors.length} tensors, the model ${variables.length}`);
    const initial = resume ? resume.tensors : variables.map((v) => tf.zerosLike(v));
    this.sums = initial.map((t) => tf.variable(t, false));
    for (const t of initial) t.dispose();
    this.updates = resume?.updates ?? 0;
  }

  /** Takes the variables' current values in (call after each optimizer step). */
  update(): void {
    const d = this.decay;
    tf.tidy(() => {
      this.variables.forEach((v, i) => this.sums[i]!.assign(this.sums[i]!.mul(d).add(v.mul(1 - d))));
    });
    this.updates++;
  }

  /** Leaves the average in the variables (what the run delivers); before the first update there is none, and they keep their values. */
  applyToVariables(): void {
    if (this.updates === 0) return;
    const correction = 1 / (1 - Math.pow(this.decay, this.updates));
    tf.tidy(() => this.variables.forEach((v, i) => v.assign(this.sums[i]!.mul(correction))));
  }

  /** Runs `work` with the averaged weights in the variables (an evaluation sees what the run would deliver), then puts the trained ones back. */
  async swappedIn<T>(work: () => Promise<T> | T): Promise<T> {
    const trained = this.variables.map((v) => v.clone());
    try {
      this.applyToVariables();
      return await work();
    } finally {
      this.variables.forEach((v, i) => v.assign(trained[i]!));
      for (const t of trained) t.dispose();
    }
  }

  /** Copies for a checkpoint (the caller disposes them). */
  snapshot(): AverageSnapshot {
    return { tensors: this.sums.map((a) => a.clone()), updates: this.updates };
  }

  dispose(): void {
    for (const a of this.sums) a.dispose();
  }
}
