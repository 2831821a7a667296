import * as tf from '@tensorflow/tfjs';

/**
 * Adam with its whole state in our hands: the step count is an integer and the bias corrections are
 * computed in double precision from it, so a run restored from a checkpoint continues bit for bit
 * (tf.train.adam rebuilds beta^t with pow() on restore, which differs from its running product in the
 * last bit). The learning rate is an argument of every step.
 */
export interface AdamState {
  step: number;
  m: tf.Tensor[];
  v: tf.Tensor[];
}

/**
 * The moments of all weights are kept end to end in two flat variables and updated by one chain of
 * ops per step, not one per weight: on native TensorFlow every kernel launch costs tens of
 * microseconds, and per-weight updates were 12 launches per weight. Elementwise ops give each element
 * the same result either way, so the weights are bitwise those of the per-weight form.
 */
export class Adam {
  private step = 0;
  private readonly sizes: number[];
  private readonly m: tf.Variable;
  private readonly v: tf.Variable;

  constructor(
    private readonly variables: tf.Variable[],
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-7,
  ) {
    this.sizes = variables.map((w) => w.size);
    const total = this.sizes.reduce((n, size) => n + size, 0);
    // Inside tidy: the zeros are released and the variables keep their data.
    this.m = tf.tidy(() => tf.zeros([total]).variable(false));
    this.v = tf.tidy(() => tf.zeros([total]).variable(false));
  }

  get iterations(): number {
    return this.step;
  }

  apply(gradients: tf.Tensor[], learningRate: number): void {
    this.step++;
    const t = this.step;
    // lr * sqrt(1 - b2^t) / (1 - b1^t), the usual folded bias correction.
    const stepSize = (learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    const epsilon = this.epsilon * Math.sqrt(1 - this.beta2 ** t);
    tf.tidy(() => {
      const g = this.flat(gradients);
      const m1 = this.m.mul(this.beta1).add(g.mul(1 - this.beta1));
      const v1 = this.v.mul(this.beta2).add(g.square().mul(1 - this.beta2));
      this.m.assign(m1);
      this.v.assign(v1);
      const updates = this.perWeight(m1.mul(stepSize).div(v1.sqrt().add(epsilon)));
      this.variables.forEach((w, i) => w.assign(w.sub(updates[i]!)));
    });
  }

  /** Copies of the moments, one per weight in its shape (the caller disposes them), and the step count. */
  state(): AdamState {
    return { step: this.step, m: this.perWeight(this.m), v: this.perWeight(this.v) };
  }

  restore(state: AdamState): void {
    const fits = (moments: tf.Tensor[]) => moments.length === this.variables.length && moments.every((t, i) => t.size === this.sizes[i]);
    if (!fits(state.m) || !fits(state.v)) {
      throw new Error(`optimizer state has ${state.m.length} moments for ${this.variables.length} weights: the checkpoint belongs to another architecture`);
    }
    this.step = state.step;
    tf.tidy(() => {
      this.m.assign(this.flat(state.m));
      this.v.assign(this.flat(state.v));
    });
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }

  private flat(tensors: tf.Tensor[]): tf.Tensor {
    return tensors.length === 1 ? tensors[0]!.reshape([-1]) : tf.concat(tensors.map((t) => t.reshape([-1])));
  }

  private perWeight(flat: tf.Tensor): tf.Tensor[] {
    return tf.tidy(() => {
      const parts = this.variables.length === 1 ? [flat.clone()] : tf.split(flat, this.sizes);
      return parts.map((part, i) => part.reshape(this.variables[i]!.shape));
    });
  }
}
