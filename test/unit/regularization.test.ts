import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/training/backend.js';
import { buildModel } from '../../src/training/build-model.js';
import { initializeModel } from '../../src/training/init.js';
import { regularizationPenalty } from '../../src/training/regularization.js';

// The regularization lever's loss term, checked against hand-computed values.
const variables = (...values: number[][]) => values.map((v) => tf.variable(tf.tensor(v)));
const valueOf = (penalty: ((w: tf.Variable[]) => tf.Scalar) | undefined, weights: tf.Variable[]) => penalty!(weights).dataSync()[0]!;

beforeAll(async () => {
  await selectBackend();
});

describe('regularization penalty', () => {
  it('l2-to-old: strength * sum (w - w_old)^2, skipping masked (grown) entries', () => {
    const anchor = { values: [tf.tensor([0, 2, 3, 2]), tf.tensor([0, 0])], masks: [null, tf.tensor([1, 0])] };
    // (1-0)^2 + (4-2)^2 = 5 on the first tensor; (1-0)^2 on the second, its -1 masked out: 0.5 * 6 = 3.
    expect(valueOf(regularizationPenalty({ kind: 'l2-to-old', strength: 0.5 }, anchor), variables([1, 2, 3, 4], [1, -1]))).toBeCloseTo(3, 6);
    expect(valueOf(regularizationPenalty({ kind: 'l2-to-old', strength: 2 }, anchor), variables([0, 2, 3, 2], [0, 9]))).toBe(0);
  });

  it('weight-decay: strength * sum w^2 over every weight', () => {
    // 1 + 4 + 9 + 16 + 1 + 1 = 32.
    expect(valueOf(regularizationPenalty({ kind: 'weight-decay', strength: 0.1 }, null), variables([1, 2, 3, 4], [1, -1]))).toBeCloseTo(3.2, 6);
  });

  it('none, or a strength of 0, adds no term; l2-to-old without a previous model is refused', () => {
    expect(regularizationPenalty({ kind: 'none' }, null)).toBeUndefined();
    expect(regularizationPenalty({ kind: 'l2-to-old', strength: 0 }, null)).toBeUndefined();
    expect(() => regularizationPenalty({ kind: 'l2-to-old', strength: 1 }, null)).toThrow(/^levers\.regularization: l2-to-old needs a previous model$/);
  });

  it('on a warm start with a grown head: zero at the start, blind to the new classes\' columns, counting the old ones', () => {
    const spec = { kind: 'mlp' as const, hidden: [4] };
    const previous = buildModel(spec, 6, 2, 1);
    const { model, anchor } = initializeModel({ spec, inputShape: [6], classes: ['new1', 'b', 'a'], seed: 9, init: { kind: 'warm' }, previous: { model: previous, classes: ['a', 'b'] } });
    const penalty = regularizationPenalty({ kind: 'l2-to-old', strength: 0.25 }, anchor);
    const weights = model.getWeights().map((w) => tf.variable(w));
    expect(valueOf(penalty, weights)).toBe(0);
    // Moving the head's column of the new class (column 0 of the 4x3 kernel) costs nothing...
    const kernel = weights[2]!;
    kernel.assign(kernel.add(tf.tensor2d([[3, 0, 0], [3, 0, 0], [3, 0, 0], [3, 0, 0]])));
    expect(valueOf(penalty, weights)).toBe(0);
    // ...moving an old class's column by 1 in each of its 4 rows costs 0.25 * 4.
    kernel.assign(kernel.add(tf.tensor2d([[0, 0, 1], [0, 0, 1], [0, 0, 1], [0, 0, 1]])));
    expect(valueOf(penalty, weights)).toBeCloseTo(1, 6);
  });
});
