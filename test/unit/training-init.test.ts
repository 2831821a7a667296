import type * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/training/backend.js';
import { initializeModel, InitializationError } from '../../src/training/init.js';
import { buildModel } from '../../src/training/build-model.js';

const spec = { kind: 'mlp' as const, hidden: [4] };
const values = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

beforeAll(async () => {
  await selectBackend();
});

describe('initialization lever', () => {
  it('warm copies the previous weights exactly', () => {
    const previous = buildModel(spec, 6, 3, 1);
    const { model, grownClasses } = initializeModel({ spec, inputShape: [6], classes: ['a', 'b', 'c'], seed: 9, init: { kind: 'warm' }, previous: { model: previous, classes: ['a', 'b', 'c'] } });
    expect(values(model)).toEqual(values(previous));
    expect(grownClasses).toEqual([]);
  });

  it('shrink & perturb: theta = lambda * theta_old + sigma * theta_fresh, with theta_fresh from another seed', () => {
    const previous = buildModel(spec, 6, 3, 1);
    const { model } = initializeModel({ spec, inputShape: [6], classes: ['a', 'b', 'c'], seed: 9, init: { kind: 'shrink-perturb', lambda: 0.4, sigma: 0.1 }, previous: { model: previous, classes: ['a', 'b', 'c'] } });
    const fresh = values(buildModel(spec, 6, 3, 9 + 7919));
    const old = values(previous);
    values(model).forEach((tensor, i) => tensor.forEach((v, j) => expect(v).toBeCloseTo(0.4 * old[i]![j]! + 0.1 * fresh[i]![j]!, 6)));
    // Not a plain copy, and not the perturbation alone.
    expect(values(model)[0]).not.toEqual(old[0]);
  });

  it('grows the head for new classes: old columns kept (in the new class order), fresh columns for new classes', () => {
    const previous = buildModel(spec, 6, 2, 1);
    const classes = ['new1', 'b', 'a', 'new2'];
    const { model, grownClasses, anchor } = initializeModel({ spec, inputShape: [6], classes, seed: 9, init: { kind: 'warm' }, previous: { model: previous, classes: ['a', 'b'] } });
    expect(grownClasses).toEqual(['new1', 'new2']);
    const [k0, b0, oldKernel, oldBias] = previous.getWeights().map((w) => w.arraySync()) as [number[][], number[], number[][], number[]];
    const [k1, b1, kernel, bias] = model.getWeights().map((w) => w.arraySync()) as [number[][], number[], number[][], number[]];
    expect(k1).toEqual(k0);
    expect(b1).toEqual(b0);
    expect(kernel.map((row) => row[2])).toEqual(oldKernel.map((row) => row[0])); // 'a'
    expect(kernel.map((row) => row[1])).toEqual(oldKernel.map((row) => row[1])); // 'b'
    expect([bias[2], bias[1]]).toEqual([oldBias[0], oldBias[1]]);
    const freshHead = buildModel(spec, 6, 4, 9).getWeights()[2]!.arraySync() as number[][];
    expect(kernel.map((row) => [row[0], row[3]])).toEqual(freshHead.map((row) => [row[0], row[3]]));
    // l2-to-old pulls only the old columns.
    expect(anchor!.masks[3]!.arraySync()).toEqual([0, 1, 1, 0]);
  });

  it('refuses an architecture that does not match, or a class list that is not a superset, naming the setting', () => {
    const previous = buildModel({ kind: 'mlp', hidden: [5] }, 6, 3, 1);
    const run = (classes: string[]) => () => initializeModel({ spec, inputShape: [6], classes, seed: 1, init: { kind: 'warm' }, previous: { model: previous, classes: ['a', 'b', 'c'] } });
    expect(run(['a', 'b', 'c'])).toThrow(InitializationError);
    expect(run(['a', 'b', 'c'])).toThrow(/^modelSpec: weight 0 of the previous model has shape \[6,5\], mlp hidden=\[4\] needs \[6,4\]/);
    const same = buildModel(spec, 6, 3, 1);
    expect(() => initializeModel({ spec, inputShape: [6], classes: ['a', 'b'], seed: 1, init: { kind: 'warm' }, previous: { model: same, classes: ['a', 'b', 'c'] } })).toThrow(/^classes: the dataset dropped class\(es\) \[c\]/);
  });
});
