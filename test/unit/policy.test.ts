import { describe, expect, it } from 'vitest';
import { decideRefresh, type DatasetSummary, type ProductionSummary } from '../../src/policy/decide.js';
import { DEFAULT_MODEL_SPEC } from '../../src/training/spec.js';

const production: ProductionSummary = { candidateId: 'm_v1', modelSpec: DEFAULT_MODEL_SPEC, classes: ['0', '1'], featureShape: [28, 28, 1] };
const dataset: DatasetSummary = { classes: ['0', '1'], featureShape: [28, 28, 1], trainCount: 1000, newTrainCount: 300 };

describe('decideRefresh', () => {
  it('retrains from scratch without a production model', () => {
    expect(decideRefresh(null, dataset, DEFAULT_MODEL_SPEC)).toEqual({ mode: 'scratch', reasons: ['no production model yet'] });
  });

  it('warm-starts when architecture, schema and classes match, saying what it continues', () => {
    const decision = decideRefresh(production, dataset, DEFAULT_MODEL_SPEC);
    expect(decision.mode).toBe('warm');
    expect(decision.reasons[0]).toMatch(/m_v1.*300 new of 1000/);
  });

  it('retrains from scratch on a changed architecture, shape or class list, with every reason', () => {
    const decision = decideRefresh(production, { ...dataset, classes: ['0', '1', '2'], featureShape: [32, 32, 3] }, { kind: 'mlp', hidden: [256] });
    expect(decision.mode).toBe('scratch');
    expect(decision.reasons).toHaveLength(3);
    expect(decision.reasons.join(' ')).toMatch(/architecture changed.*feature shape changed.*classes changed/);
  });
});
