import { describe, expect, it } from 'vitest';
import { decideRefresh, type DecisionInput } from '../../src/policy/decide.js';
import { DEFAULT_REFRESH_SETTINGS } from '../../src/refresh/settings.js';
import { DEFAULT_MODEL_SPEC } from '../../src/training/spec.js';

const base: DecisionInput = {
  production: { candidateId: 'm_v1', modelSpec: DEFAULT_MODEL_SPEC, classes: ['0', '1'], featureShape: [28, 28, 1], warmStartsInRow: 0 },
  dataset: { classes: ['0', '1'], featureShape: [28, 28, 1], trainCount: 1000, newTrainCount: 300 },
  modelSpec: DEFAULT_MODEL_SPEC,
  policy: DEFAULT_REFRESH_SETTINGS.policy,
  lastAttempt: { datasetVersion: 1, mode: 'scratch', gatePassed: true },
};

describe('decideRefresh', () => {
  it('retrains from scratch without a production model', () => {
    expect(decideRefresh({ ...base, production: null })).toEqual({ mode: 'scratch', reasons: ['no production model yet'] });
  });

  it('warm-starts when nothing argues against it, saying what it continues', () => {
    const decision = decideRefresh(base);
    expect(decision.mode).toBe('warm');
    expect(decision.reasons[0]).toMatch(/m_v1.*300 new of 1000.*warm start 1 in a row/);
  });

  it('warm-starts with a grown head when new classes are appended', () => {
    const decision = decideRefresh({ ...base, dataset: { ...base.dataset, classes: ['0', '1', '2'] } });
    expect(decision.mode).toBe('warm');
    expect(decision.reasons[0]).toMatch(/output layer grows by 1 new class/);
  });

  it('retrains from scratch on a changed architecture, shape or reordered classes, with every reason', () => {
    const decision = decideRefresh({ ...base, dataset: { ...base.dataset, classes: ['1', '0'], featureShape: [32, 32, 3] }, modelSpec: { kind: 'mlp', hidden: [256] } });
    expect(decision.mode).toBe('scratch');
    expect(decision.reasons).toHaveLength(3);
    expect(decision.reasons.join(' ')).toMatch(/architecture changed.*feature shape changed.*classes changed/);
  });

  it('retrains after K warm starts in a row (plasticity)', () => {
    const decision = decideRefresh({ ...base, production: { ...base.production!, warmStartsInRow: 5 } });
    expect(decision).toMatchObject({ mode: 'scratch', reasons: [expect.stringMatching(/5 warm starts in a row \(limit 5\)/)] });
  });

  it('retrains when new data dominates old beyond the ratio', () => {
    const decision = decideRefresh({ ...base, dataset: { ...base.dataset, newTrainCount: 600 } });
    expect(decision).toMatchObject({ mode: 'scratch', reasons: [expect.stringMatching(/new data dominates: 600 new vs 400 old.*1\.50 > 1/)] });
  });

  it('retrains after a warm start that failed its gate, unless configured otherwise', () => {
    const lastAttempt = { datasetVersion: 2, mode: 'warm' as const, gatePassed: false };
    expect(decideRefresh({ ...base, lastAttempt }).reasons[0]).toMatch(/last warm start \(v2\) failed its gate/);
    expect(decideRefresh({ ...base, lastAttempt, policy: { ...base.policy, scratchAfterFailedWarmStart: false } }).mode).toBe('warm');
  });

  it('an operator request wins, and is recorded with who asked', () => {
    expect(decideRefresh({ ...base, force: { mode: 'scratch', by: 'ana' } })).toEqual({ mode: 'scratch', reasons: ['operator ana asked for scratch'] });
    expect(decideRefresh({ ...base, production: null, force: { mode: 'warm', by: 'ana' } }).mode).toBe('scratch');
  });
});
