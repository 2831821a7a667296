import type { ClassWeightsSetting } from '../refresh/settings.js';

/**
 * Balanced class weights for the training loss: class k weighs total / (present classes x weight of
 * class k), so every class present carries the same share of the loss (sklearn's "balanced" rule). The
 * class counts include the per-example weights, and the result multiplies them: an example weighted 0
 * stays out, a weighted example keeps its weight relative to its class. Pure.
 */
export function balancedClassWeights(labels: ArrayLike<number>, classes: number, exampleWeights?: ArrayLike<number>): Float64Array {
  const mass = new Float64Array(classes);
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const w = exampleWeights ? exampleWeights[i]! : 1;
    mass[labels[i]!]! += w;
    total += w;
  }
  const present = mass.filter((m) => m > 0).length;
  return mass.map((m) => (m > 0 ? total / (present * m) : 0));
}

/** Per-example loss weights with the class weights multiplied in; unchanged (and undefined stays undefined) for 'none'. */
export function withClassWeights(setting: ClassWeightsSetting | undefined, labels: ArrayLike<number>, classes: number, exampleWeights: Float32Array | undefined): Float32Array | undefined {
  if (setting === undefined || setting === 'none') return exampleWeights;
  const perClass = balancedClassWeights(labels, classes, exampleWeights);
  return Float32Array.from({ length: labels.length }, (_, i) => (exampleWeights ? exampleWeights[i]! : 1) * perClass[labels[i]!]!);
}
