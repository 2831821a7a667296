import type { ExampleSource } from '../data/source.js';
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

/**
 * The same for a streamed train split: one pass over its row groups for the labels (and the dataset's
 * weights), then loss weights over the source's index space with the selection weights multiplied in.
 * Only 'balanced' pays the pass: the class shares of a split are not known without reading it.
 */
export async function sourceClassWeights(setting: ClassWeightsSetting | undefined, source: ExampleSource, classes: number, selection: Float32Array | undefined): Promise<Float32Array | undefined> {
  if (setting === undefined || setting === 'none') return selection;
  const labels = new Int32Array(source.indexSpace).fill(-1);
  const mass = new Float64Array(classes);
  for (let u = 0; u < source.units.length; u++) {
    if (source.units[u]!.wanted === 0) continue;
    const rows = await source.readUnit(u);
    for (let r = 0; r < rows.count; r++) {
      const index = rows.index[r]!;
      labels[index] = rows.y[r]!;
      mass[rows.y[r]!]! += (source.weighted ? rows.weights[r]! : 1) * (selection ? selection[index]! : 1);
    }
  }
  const total = mass.reduce((a, b) => a + b, 0);
  const present = mass.filter((m) => m > 0).length;
  const perClass = mass.map((m) => (m > 0 ? total / (present * m) : 0));
  return Float32Array.from(labels, (label, index) => (label < 0 ? 0 : (selection ? selection[index]! : 1) * perClass[label]!));
}
