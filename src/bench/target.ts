/**
 * The "reached the target" rule of the continual-training benchmark, applied to scratch and continual
 * runs alike. Pure module.
 *
 * Why a window: one MNIST test example is 0.05 points and curves jitter by 0.1-0.2 points between
 * evaluations, so "the first evaluation at or above A*" rewards a single lucky spike. We smooth with a
 * trailing mean of WINDOW consecutive evaluations (3 evaluations = 0.3 epoch at the default cadence).
 */
export const WINDOW = 3;

export interface Point {
  step: number;
  accuracy: number;
}

/** A*: the mean accuracy of the run's last WINDOW evaluations (the cosine schedule is at its floor there). */
export function finalAccuracy(curve: readonly Point[]): number {
  const tail = curve.slice(-WINDOW);
  if (tail.length === 0) throw new Error('finalAccuracy: empty curve');
  return tail.reduce((s, p) => s + p.accuracy, 0) / tail.length;
}

/**
 * Optimizer steps a run needed to reach `target`: the step of the last evaluation of the first window
 * of WINDOW consecutive evaluations whose mean is at or above the target. A model that is already at
 * or above the target before training (step 0, a deterministic evaluation of the old model: no noise
 * to smooth) needs 0 steps. null: never reached within the run.
 */
export function stepsToReach(curve: readonly Point[], target: number): number | null {
  const first = curve[0];
  if (first && first.step === 0 && first.accuracy >= target) return 0;
  for (let end = WINDOW - 1; end < curve.length; end++) {
    let sum = 0;
    for (let i = end - WINDOW + 1; i <= end; i++) sum += curve[i]!.accuracy;
    // A small tolerance: the mean of the same three float accuracies can differ in the last bit.
    if (sum / WINDOW >= target - 1e-12) return curve[end]!.step;
  }
  return null;
}

/**
 * The speed-up of a variant over scratch for one seed. `zero`: the old model was already at the target
 * (0 steps); reported as such, never as an infinite speed-up.
 */
export type SpeedUp = { kind: 'ratio'; value: number } | { kind: 'zero' } | { kind: 'missed' };

export function speedUp(scratchSteps: number | null, variantSteps: number | null): SpeedUp {
  if (variantSteps === null || scratchSteps === null) return { kind: 'missed' };
  if (variantSteps === 0) return { kind: 'zero' };
  return { kind: 'ratio', value: scratchSteps / variantSteps };
}

export interface Spread {
  mean: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  return { mean: values.reduce((s, v) => s + v, 0) / values.length, min: Math.min(...values), max: Math.max(...values), n: values.length };
}
