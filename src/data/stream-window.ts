import type { UnitRows } from './source.js';

/**
 * A window's kept rows in draw order: the k-th row drawn is row `rowOf[k]` of unit `unitOf[k]`, with
 * label y[k] and weight w[k]. Labels and weights are gathered (a batch takes them as contiguous
 * ranges); features stay in the units and are copied once, into the batch.
 */
export interface DrawnWindow {
  count: number;
  units: readonly UnitRows[];
  unitOf: Uint16Array;
  rowOf: Int32Array;
  y: Int32Array;
  w: Float32Array;
}

export interface WindowWeights {
  /** Multiply by the dataset's weight column. */
  datasetWeights: boolean;
  /** Per-example weights by row index in the version (selection); 0 leaves the example out. */
  exampleWeights?: Float32Array;
}

/**
 * Keeps the units' rows whose weight is above 0 (in unit order, then row order) and orders them by
 * `order(kept)`, a permutation of 0..kept-1. Typed arrays throughout: a window is thousands of rows,
 * drawn again every epoch.
 */
export function drawWindow(units: readonly UnitRows[], weights: WindowWeights, order: (kept: number) => Int32Array): DrawnWindow {
  const total = units.reduce((n, u) => n + u.count, 0);
  const keptUnit = new Uint16Array(total);
  const keptRow = new Int32Array(total);
  const keptWeight = new Float32Array(total);
  const selection = weights.exampleWeights;
  let kept = 0;
  for (let k = 0; k < units.length; k++) {
    const rows = units[k]!;
    for (let r = 0; r < rows.count; r++) {
      const w = (weights.datasetWeights ? rows.weights[r]! : 1) * (selection ? selection[rows.index[r]!]! : 1);
      if (!(w > 0)) continue;
      keptUnit[kept] = k;
      keptRow[kept] = r;
      keptWeight[kept] = w;
      kept++;
    }
  }
  const drawn = order(kept);
  const unitOf = new Uint16Array(kept);
  const rowOf = new Int32Array(kept);
  const y = new Int32Array(kept);
  const w = new Float32Array(kept);
  for (let i = 0; i < kept; i++) {
    const j = drawn[i]!;
    unitOf[i] = keptUnit[j]!;
    rowOf[i] = keptRow[j]!;
    y[i] = units[keptUnit[j]!]!.y[keptRow[j]!]!;
    w[i] = keptWeight[j]!;
  }
  return { count: kept, units, unitOf, rowOf, y, w };
}

/** Copies drawn rows [from, from + count) of the window's features to `out` from row `at`. */
export function copyFeatures(window: DrawnWindow, from: number, count: number, out: Float32Array, at: number, size: number): void {
  for (let k = 0; k < count; k++) {
    const src = window.units[window.unitOf[from + k]!]!.x;
    const r = window.rowOf[from + k]! * size;
    const to = (at + k) * size;
    // A short row is copied by a loop: a subarray view per row costs more than the copy itself.
    if (size > 64) out.set(src.subarray(r, r + size), to);
    else for (let j = 0; j < size; j++) out[to + j] = src[r + j]!;
  }
}
