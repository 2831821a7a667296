import { describe, expect, it } from 'vitest';
import { DEFAULT_CNN_SPEC, parseModelSpec, type MlpSpec } from '../../src/training/spec.js';

const defaults = { mlp: { kind: 'mlp', hidden: [256] } as MlpSpec, cnn: DEFAULT_CNN_SPEC };

describe('parseModelSpec (the --model option)', () => {
  it('names the built-in models and takes any JSON spec', () => {
    expect(parseModelSpec('mlp', defaults)).toEqual({ kind: 'mlp', hidden: [256] });
    expect(parseModelSpec(' cnn ', defaults)).toBe(DEFAULT_CNN_SPEC);
    expect(parseModelSpec('{"kind":"cnn","filters":[8,16],"kernelSize":5,"dense":[]}', defaults)).toEqual({ kind: 'cnn', filters: [8, 16], kernelSize: 5, dense: [] });
    expect(parseModelSpec('{"kind":"custom","name":"resnet","options":{"depth":8}}', defaults)).toEqual({ kind: 'custom', name: 'resnet', options: { depth: 8 } });
  });

  it('refuses a bad spec with the field at fault and an example of a good one', () => {
    expect(() => parseModelSpec('transformer', defaults)).toThrow(/neither mlp, cnn nor JSON: use mlp, cnn, or a JSON spec such as/);
    expect(() => parseModelSpec('{"kind":"mlp","hidden":[64,0]}', defaults)).toThrow(/^model.hidden must be a list of positive integers \(got \[64,0\]\)/);
    expect(() => parseModelSpec('{"kind":"cnn","filters":[8],"kernelSize":2.5,"dense":[8]}', defaults)).toThrow(/^model.kernelSize must be a positive integer \(got 2.5\)/);
    expect(() => parseModelSpec('{"kind":"rnn"}', defaults)).toThrow(/^model.kind must be mlp, cnn or custom \(got "rnn"\)/);
    expect(() => parseModelSpec('{"kind":"custom"}', defaults)).toThrow(/model.name must name a builder/);
  });
});
