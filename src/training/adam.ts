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

export class Adam {
  private step = 0;
  private m: tf.Variable[] = [];
  private v: tf.Variable[] = [];

  constructor(
    private readonly variables: tf.Variable[],
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-7,
  ) {
    // Inside tidy: the zeros are released and the variables keep their data.
    this.m = variables.map((w) => tf.tidy(() => tf.zerosLike(w).variable(false)));
    this.v = variables.map((w) => tf.tidy(() => tf.zerosLike(w).variable(false)));
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
      this.variables.forEach((w, i) => {
        const g = gradients[i]!;
        const m = this.m[i]!;
        const v = this.v[i]!;
        const m1 = m.mul(this.beta1).add(g.mul(1 - this.beta1));
        const v1 = v.mul(this.beta2).add(g.square().mul(1 - this.beta2));
        m.assign(m1);
        v.assign(v1);
        w.assign(w.sub(m1.mul(stepSize).div(v1.sqrt().add(epsilon))));
      });
    });
  }

  /** Copies of the moments (the caller disposes them) and the step count. */
  state(): AdamState {
    return { step: this.step, m: this.m.map((t) => t.clone()), v: this.v.map((t) => t.clone()) };
  }

  restore(state: AdamState): void {
    if (state.m.length !== this.variables.length || state.v.length !== this.variables.length) {
      throw new Error(`optimizer state has ${state.m.length} moments for ${this.variables.length} weights: the checkpoint belongs to another architecture`);
    }
    this.step = state.step;
    state.m.forEach((t, i) => this.m[i]!.assign(t));
    state.v.forEach((t, i) => this.v[i]!.assign(t));
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}
