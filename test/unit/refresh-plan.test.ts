import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRefreshContextActivity, type RefreshContext } from '../../activities/context.js';
import { trainCandidateActivity, type TrainCandidateInput, type TrainCandidateResult } from '../../activities/train.js';
import { benchContinual } from '../../src/bench/continual.js';
import { refreshSettingsFor } from '../../src/bench/run-one.js';
import { DEFAULT_HYPER } from '../../src/bench/variants.js';
import { BENCH_MLP, benchSettings } from '../../src/cli/commands/bench.js';
import { importMnist } from '../../src/cli/commands/import-mnist.js';
import { decideRefresh } from '../../src/policy/decide.js';
import { LEGACY_SCRATCH_STEPS, legacyScratchSettings, planRefresh, recipeSteps, resolvedWarmLevers, type RefreshPlan } from '../../src/refresh/plan.js';
import { DEFAULT_REFRESH_SETTINGS, resolveRefreshSettings } from '../../src/refresh/settings.js';
import { CNN_NEW_CLASSES_LEVERS, CNN_SAME_CLASSES_LEVERS, NEW_CLASSES_LEVERS, SAME_CLASSES_LEVERS, SAME_CLASSES_LEVERS_V1 } from '../../src/refresh/warm-levers.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import { leverSteps } from '../../src/training/levers.js';
import type { ModelSpec } from '../../src/training/spec.js';

const digits = (n: number) => Array.from({ length: n }, (_, i) => String(i));

describe('planRefresh (pure)', () => {
  const settings = resolveRefreshSettings();

  it('derives the scratch budget from the recipe: epochs of the version training rows', () => {
    const plan = planRefresh(settings, null, { classes: digits(7), trainCount: 4200 });
    expect(DEFAULT_REFRESH_SETTINGS).toMatchObject({ scratchSteps: null, scratchEpochs: 15, scratchWarmupFraction: 0.05 });
    expect(plan.scratch).toEqual({ steps: 985, basis: 'recipe', description: '15 epochs of 4200 training rows at batch 64 = 985 steps' });
    expect(plan.training.scratchSteps).toBe(985);
    expect(plan.scratchLevers.schedule).toEqual({ stepsFraction: 1, warmupFraction: 0.05, peakLearningRate: 1e-3 });
    expect(plan).toMatchObject({ classes: digits(7), newClasses: [], warmLevers: null });
    expect(recipeSteps(0, 15, 64)).toBe(1);
  });

  it('keeps an explicit scratchSteps (older settings, replays), with its warmupSteps', () => {
    const plan = planRefresh(resolveRefreshSettings({ scratchSteps: 400 }), null, { classes: digits(10), trainCount: 4200 });
    expect(plan.scratch).toMatchObject({ steps: 400, basis: 'explicit' });
    expect(plan.scratchLevers.schedule.warmupFraction).toBeCloseTo(20 / 400);
    expect(legacyScratchSettings(settings).scratchSteps).toBe(LEGACY_SCRATCH_STEPS);
    expect(legacyScratchSettings(resolveRefreshSettings({ scratchSteps: 90 })).scratchSteps).toBe(90);
  });

  it('picks the new-classes levers when the version adds classes, the same-classes ones otherwise, as a fraction of the derived budget', () => {
    const grown = planRefresh(settings, digits(7), { classes: digits(10), trainCount: 7065 });
    expect(grown.warmLevers).toBe(NEW_CLASSES_LEVERS);
    expect(grown.newClasses).toEqual(['7', '8', '9']);
    expect(leverSteps(resolvedWarmLevers(grown), grown.scratch.steps)).toBe(Math.round(grown.scratch.steps / 3));
    const same = planRefresh(settings, digits(10), { classes: digits(10), trainCount: 7022 });
    expect(same.warmLevers).toBe(SAME_CLASSES_LEVERS);
    // 1646 scratch steps: a sixth is 274 warm steps.
    expect(leverSteps(resolvedWarmLevers(same), same.scratch.steps)).toBe(274);
  });

  it('plans with an older lever recipe when asked (a refresh recorded before the current one replays with it)', () => {
    const same = planRefresh(settings, digits(10), { classes: digits(10), trainCount: 7022 }, 1);
    expect(same.warmLevers).toBe(SAME_CLASSES_LEVERS_V1);
    expect(leverSteps(resolvedWarmLevers(same), same.scratch.steps)).toBe(Math.round(same.scratch.steps * 0.2));
    expect(planRefresh(settings, digits(7), { classes: digits(10), trainCount: 7065 }, 1).warmLevers).toBe(NEW_CLASSES_LEVERS);
  });

  it('a plain warm copy (warmLevers null) keeps warmSteps whatever the derived budget', () => {
    const plan = planRefresh(resolveRefreshSettings({ warmLevers: null }), digits(10), { classes: digits(10), trainCount: 7022 });
    expect(plan.warmLevers).toBeUndefined();
    expect(leverSteps(resolvedWarmLevers(plan), plan.scratch.steps)).toBe(DEFAULT_REFRESH_SETTINGS.warmSteps);
  });

  it('the benchmark runs the product defaults: its settings are the refresh defaults but for the model', () => {
    expect(refreshSettingsFor(benchSettings({ model: 'mlp', quick: false }), DEFAULT_HYPER)).toEqual(resolveRefreshSettings({ modelSpec: BENCH_MLP }));
  });
});

/**
 * The product and the benchmark on the same versions (import mnist into a file:// store): the
 * product's plan from what the refresh workflow sees (loadRefreshContext: the manifest's classes, the
 * validated train rows; the production pointer's classes are those of the version it was trained
 * on) against what benchContinual chose and ran.
 */
describe('the product and the benchmark plan the same', () => {
  const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-plan-')));
  const spec = { kind: 'mlp' as const, hidden: [8] };
  const settings = resolveRefreshSettings({ modelSpec: spec });
  const contextOf = (dataset: string, version: number) => new MockActivityEnvironment().run(loadRefreshContextActivity({ store }), { model: 'm', dataset, version }) as Promise<RefreshContext>;

  async function productPlans(dataset: string, planned = settings): Promise<[RefreshPlan, RefreshPlan, RefreshContext]> {
    const [first, second] = [await contextOf(dataset, 1), await contextOf(dataset, 2)];
    const v1 = planRefresh(planned, null, first.dataset);
    // The pointer promoted after v1 lists v1's classes (promoteIfAllowed writes context.dataset.classes).
    return [v1, planRefresh(planned, v1.classes, second.dataset), second];
  }

  async function benchRun(dataset: string, model: ModelSpec = spec, epochs = 15) {
    return benchContinual(store, { dataset, oldVersion: 1, newVersion: 2, seeds: [1], hyper: DEFAULT_HYPER, spec: model, batchSize: 64, epochs, evaluationsPerEpoch: 2, evaluationSplit: 'validation', only: ['combined'] });
  }

  beforeAll(async () => {
    await importMnist(store, { dataset: 'ci', versions: '0-6,7-9', limit: 250 });
    await importMnist(store, { dataset: 'sd', versions: '70%,30%', limit: 400 });
  });

  it('class-incremental: v1 lists 7 classes, v2 appends 7-9; both pick the new-classes levers and the same scratch budget', async () => {
    const [v1, v2, context] = await productPlans('ci');
    expect(v1.classes).toEqual(digits(7));
    expect(v2.classes).toEqual(digits(10));
    expect(v2.warmLevers).toBe(NEW_CLASSES_LEVERS);
    const decision = decideRefresh({ production: { candidateId: 'v1', modelSpec: spec, classes: v1.classes, featureShape: [28, 28, 1], warmStartsInRow: 0 }, dataset: context.dataset, modelSpec: spec, policy: settings.policy, lastAttempt: null });
    expect(decision.mode).toBe('warm');
    expect(decision.reasons[0]).toContain('output layer grows by 3 new class(es)');

    const bench = await benchRun('ci');
    expect(bench.settings.classes).toEqual({ old: v1.classes, new: v2.classes });
    expect(bench.settings.scratch).toEqual(v2.scratch);
    expect(bench.runs.find((r) => r.name === 'base')!.scratchSteps).toBe(v1.scratch.steps);
    const combined = bench.runs.find((r) => r.name === 'combined')!;
    expect(combined.levers).toEqual(resolvedWarmLevers(v2));
    expect(combined.levers).toEqual(NEW_CLASSES_LEVERS);
    expect(combined.compute.steps).toBe(leverSteps(NEW_CLASSES_LEVERS, v2.scratch.steps));
  });

  it('same distribution: ten classes in both versions; both pick the same-classes levers and the same scratch budget', async () => {
    const [v1, v2] = await productPlans('sd');
    expect(v1.classes).toEqual(digits(10));
    expect(v2.warmLevers).toBe(SAME_CLASSES_LEVERS);
    const bench = await benchRun('sd');
    expect(bench.settings.classes).toEqual({ old: v1.classes, new: v2.classes });
    expect(bench.settings.scratch).toEqual(v2.scratch);
    expect(bench.runs.find((r) => r.name === 'combined')!.levers).toEqual(SAME_CLASSES_LEVERS);
  });

  it('a CNN: both pick the CNN`s own levers (recipe 3) for the same versions', async () => {
    const cnn: ModelSpec = { kind: 'cnn', filters: [4], kernelSize: 3, dense: [8] };
    // Two epochs of scratch: the plan is what is compared, and a CNN trains slowly on the CPU.
    const cnnSettings = resolveRefreshSettings({ modelSpec: cnn, scratchEpochs: 2 });
    for (const [dataset, levers] of [['ci', CNN_NEW_CLASSES_LEVERS], ['sd', CNN_SAME_CLASSES_LEVERS]] as const) {
      const [, v2] = await productPlans(dataset, cnnSettings);
      expect(v2.warmLevers).toBe(levers);
      const bench = await benchRun(dataset, cnn, 2);
      expect(bench.settings.scratch).toEqual(v2.scratch);
      const combined = bench.runs.find((r) => r.name === 'combined')!;
      expect(combined.levers).toEqual(levers);
      expect(combined.compute.steps).toBe(leverSteps(levers, v2.scratch.steps));
    }
    // The MLP's plan for the same version keeps the MLP's levers.
    expect(CNN_NEW_CLASSES_LEVERS).not.toEqual(NEW_CLASSES_LEVERS);
  });

  it('the training activity, fed the plan, grows the head for 7-9 and runs the new-classes schedule of the derived budget', async () => {
    const [v1, v2] = await productPlans('ci');
    const train = (input: TrainCandidateInput) => new MockActivityEnvironment().run(trainCandidateActivity({ store }), input) as Promise<TrainCandidateResult>;
    const common = { model: 'ci-model', dataset: 'ci', checkpointEvery: 0 };
    const first = await train({ ...common, version: 1, candidateId: 'v1-scratch', mode: 'scratch', initFromPrefix: null, settings: v1.training, levers: v1.scratchLevers });
    expect(first.steps).toBe(v1.scratch.steps);
    const warm = await train({ ...common, version: 2, candidateId: 'v2-warm', mode: 'warm', initFromPrefix: first.candidatePrefix, settings: v2.training, levers: v2.warmLevers ?? undefined });
    expect(warm.grownClasses).toEqual(['7', '8', '9']);
    expect(warm.levers).toMatchObject(NEW_CLASSES_LEVERS);
    expect(warm.steps).toBe(leverSteps(NEW_CLASSES_LEVERS, v2.scratch.steps));
  });
});
