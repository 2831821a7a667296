import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFiles } from '../../src/data/publish-files.js';
import type { RefreshSettingsInput } from '../../src/refresh/settings.js';
import { candidatePrefix } from '../../src/storage/keys.js';
import { loadModel } from '../../src/training/model-io.js';
import { tabularInputOf } from '../../src/training/tabular-input.js';
import { startHarness, type Harness } from '../helpers/refresh-harness.js';
import { NEW_ORIGINS, ORIGINS, TABULAR_PUBLISH, writeTabularFile } from '../helpers/tabular-data.js';

// A flight-delay-like table (string columns, an integer category, a number, ~80/20 classes) through
// publish, validation and refresh on the real Temporal and S3 servers, with the default gate for
// binary tasks (AUC and log-loss skill on top of accuracy), whose accuracy floor is lowered to 70% so
// that only AUC and log-loss can stop a model that learnt nothing.
const SETTINGS: RefreshSettingsInput = {
  modelSpec: { kind: 'mlp', hidden: [32], embeddingDim: 4 },
  scratchSteps: 500,
  warmSteps: 250,
  warmLevers: null,
  learningRate: 3e-3,
  warmLearningRate: 3e-3,
  gate: { thresholds: [{ metric: 'accuracy', slice: 'combined', lowerBound: 0.7, direction: 'higher-is-better' }] },
};

let h: Harness;
const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-tabular-refresh-'));
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

describe('a tabular dataset with categorical columns, refreshed end to end', () => {
  it('v1 trains from scratch, v2 with new airports warm-starts with a grown vocabulary, v3 continues; each promoted on AUC and log-loss too', async () => {
    const model = h.newModel('delays');
    const publish = (name: string, options: Parameters<typeof writeTabularFile>[2]) => publishFiles(h.store, { dataset: 'flights', files: [writeTabularFile(dir, name, options)], ...TABULAR_PUBLISH });
    const v1 = await publish('v1.parquet', { seed: 21, rows: 3000, firstId: 0, nullCarrierEvery: 25 });
    const first = await h.refresh(model, 'flights', v1.version, SETTINGS);
    expect(first).toMatchObject({ status: 'promoted', mode: 'scratch' });
    expect(first.reasons.join('\n')).toMatch(/binary task \(2 classes, majority class [78]\d\.\d+% of the test split\): also gated on auc, logLossSkill/);
    expect(first.reasons.join('\n')).toMatch(/pass: auc\[combined\]/);

    const v2 = await publish('v2.parquet', { seed: 22, rows: 1500, firstId: 3000, origins: [...ORIGINS, ...NEW_ORIGINS, ...NEW_ORIGINS] });
    const second = await h.refresh(model, 'flights', v2.version, SETTINGS);
    expect(second).toMatchObject({ status: 'promoted', mode: 'warm' });
    const candidate = await loadModel(h.store, candidatePrefix(model, second.candidateId!));
    const origins = tabularInputOf(candidate)!.columns[0]!;
    expect(origins.kind === 'categorical' && origins.vocabulary.slice(-NEW_ORIGINS.length)).toEqual(NEW_ORIGINS);

    const v3 = await publish('v3.parquet', { seed: 23, rows: 1000, firstId: 4500, origins: [...ORIGINS, ...NEW_ORIGINS] });
    const third = await h.refresh(model, 'flights', v3.version, SETTINGS);
    expect(third).toMatchObject({ status: 'promoted', mode: 'warm' });
  }, 600_000);

  it('does not promote a model of a table with nothing to learn, which answers the majority class: AUC and log-loss skill stop it, accuracy alone would not', async () => {
    const model = h.newModel('delays-noise');
    const published = await publishFiles(h.store, { dataset: 'noise', files: [writeTabularFile(dir, 'noise.parquet', { seed: 31, rows: 3000, firstId: 0, signal: false })], ...TABULAR_PUBLISH });
    const outcome = await h.refresh(model, 'noise', published.version, SETTINGS);
    const reasons = outcome.reasons.join('\n');
    expect(outcome.status).toBe('rejected');
    expect(reasons).toMatch(/pass: accuracy\[combined\] 7\d|pass: accuracy\[combined\] 8\d/);
    expect(reasons).toMatch(/FAIL: auc\[combined\] 0\.\d+ < lower bound 0\.5500\nFAIL: logLossSkill\[combined\]/);
  }, 600_000);
});
