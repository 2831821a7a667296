import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Examples } from '../../src/data/examples.js';
import { selectBackend } from '../../src/training/backend.js';
import { BatchSampler } from '../../src/training/sampler.js';
import { lossWeights, oldRows, scoreByModel, selectionWeights, type EasyHard } from '../../src/training/selection.js';

beforeAll(async () => {
  await selectBackend();
});

const lever = (overrides: Partial<EasyHard> = {}): EasyHard => ({ kind: 'easy-hard', score: 'loss', dropEasiest: 0.2, dropHardest: 0.1, mode: 'drop', ...overrides });

describe('easy/hard selection', () => {
  // 10 old rows (0..9) with difficulty = row index, so 0 and 1 are easiest and 9 is hardest; rows 10, 11 are new.
  const rows = Int32Array.from({ length: 10 }, (_, i) => i);
  const scores = Float32Array.from({ length: 10 }, (_, i) => i);

  it('drops the easiest q% and the hardest s% of old examples and keeps new ones', () => {
    const { weights, summary } = selectionWeights(12, rows, scores, lever());
    expect(Array.from(weights)).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1]);
    expect(summary).toEqual({ scored: 10, easiest: 2, hardest: 1, mode: 'drop', affected: 3 });
  });

  it('down-weights instead of dropping, and keeps unscored examples', () => {
    const withUnknown = Float32Array.from(scores);
    withUnknown[9] = Number.NaN;
    const { weights } = selectionWeights(12, rows, withUnknown, lever({ mode: 'down-weight', downWeight: 0.5, dropHardest: 0.12 }));
    // 9 scored rows: floor(0.2 * 9) = 1 easiest (row 0), floor(0.12 * 9) = 1 hardest (row 8).
    expect(Array.from(weights)).toEqual([0.5, 1, 1, 1, 1, 1, 1, 1, 0.5, 1, 1, 1]);
  });

  it("multiplies the selection's weights into the dataset's example weights", () => {
    const { weights } = selectionWeights(12, rows, scores, lever());
    const dataset = Float32Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 2 : 0.5));
    expect(Array.from(lossWeights(dataset, weights)!)).toEqual([0, 0, 2, 0.5, 2, 0.5, 2, 0.5, 2, 0, 2, 0.5]);
    expect(lossWeights(dataset, undefined)).toBe(dataset);
    expect(lossWeights(undefined, weights)).toBe(weights);
    expect(lossWeights(undefined, undefined)).toBeUndefined();
  });

  it('scores loss and margin from the logits, mapping labels to the previous model\'s classes', () => {
    // A linear model whose logits are the input itself.
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 3, useBias: false, kernelInitializer: 'identity' })] });
    const logits = [
      [3, 0, 0],
      [0, 0, 2],
    ];
    const data: Examples = { count: 2, featureSize: 3, x: Float32Array.from(logits.flat()), y: Int32Array.from([0, 0]), isNew: new Uint8Array(2), ids: [0, 1] };
    const both = Int32Array.from([0, 1]);
    const margin = scoreByModel(model, data, both, 'margin');
    expect(Array.from(margin)).toEqual([-3, 2]);
    const loss = scoreByModel(model, data, both, 'loss');
    expect(loss[0]).toBeCloseTo(Math.log(Math.exp(3) + 2) - 3, 5);
    expect(loss[1]).toBeCloseTo(Math.log(2 + Math.exp(2)), 5);
    // Label 0 of the data is class index 2 of the model; -1 means unknown to the model.
    expect(Array.from(scoreByModel(model, data, both, 'margin', [2]))).toEqual([3, -2]);
    expect(Number.isNaN(scoreByModel(model, data, both, 'margin', [-1])[0]!)).toBe(true);
  });

  it('finds the old rows', () => {
    const data = { count: 4, isNew: Uint8Array.from([1, 0, 0, 1]) } as Examples;
    expect(Array.from(oldRows(data))).toEqual([1, 2]);
  });
});

describe('batch sampler', () => {
  const isNew = Uint8Array.from({ length: 100 }, (_, i) => (i < 20 ? 1 : 0));

  it('mixes old and new per batch as asked and never draws a dropped example', () => {
    const weights = new Float32Array(100).fill(1);
    weights[50] = 0;
    const sampler = new BatchSampler({ count: 100, isNew, weights, newFraction: 0.5, seed: 1 });
    for (let b = 0; b < 20; b++) {
      const rows = Array.from(sampler.next(10));
      expect(rows.filter((r) => r < 20)).toHaveLength(5);
      expect(rows).not.toContain(50);
    }
  });

  it('continues exactly from its saved state', () => {
    const a = new BatchSampler({ count: 100, isNew, seed: 3 });
    a.next(64);
    const state = JSON.parse(JSON.stringify(a.state()));
    const b = new BatchSampler({ count: 100, isNew, seed: 3 }, state);
    for (let i = 0; i < 5; i++) expect(Array.from(b.next(64))).toEqual(Array.from(a.next(64)));
  });
});
