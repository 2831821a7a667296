import type * as tf from '@tensorflow/tfjs';
import type { MetricName } from '../evaluation/metrics.js';
import type { PreviousModel } from '../training/init.js';
import { planRefresh, type RefreshPlan } from '../refresh/plan.js';
import { resolveRefreshSettings, type RefreshSettings } from '../refresh/settings.js';
import type { LeverSettings } from '../training/levers.js';
import { runTraining, type ComputeAccount, type CurvePoint } from '../training/run-training.js';
import type { ModelSpec } from '../training/spec.js';
import type { TrainingStop } from '../training/adaptive-schedule.js';
import type { VersionData } from './data.js';
import type { BenchHyper } from './variants.js';
import { featureColumns } from '../data/vocabulary.js';

/** One training run of the benchmark, as recorded in the JSON (every run's curve). */
export interface RunRecord {
  /** scratch, base, or a variant's name. */
  name: string;
  seed: number;
  version: number;
  levers: LeverSettings;
  /** Steps a scratch run of this version gets (the schedule's stepsFraction is relative to it). */
  scratchSteps: number;
  curve: CurvePoint[];
  compute: ComputeAccount;
  /** Training FLOPs per example (forward + backward), for FLOPs to reach a target. */
  trainFlopsPerExample: number;
  /** Where the run stopped and why: an adaptive run's readings, extensions and kept cycle (absent in older JSON). */
  stop?: TrainingStop;
}

export interface RunSettings {
  spec: ModelSpec;
  batchSize: number;
  epochs: number;
  evaluationsPerEpoch: number;
  /** The metric targets are measured on (default accuracy); another one is measured at every evaluation. */
  metric?: MetricName;
}

/**
 * The product's refresh settings for the benchmark's runs: its model, batch size, scratch recipe
 * (`epochs` of the version's training rows, warmup share) and scratch learning rate; the warm levers
 * are the product's default ('benchmark').
 */
export function refreshSettingsFor(settings: RunSettings, hyper: BenchHyper): RefreshSettings {
  return resolveRefreshSettings({ modelSpec: settings.spec, batchSize: settings.batchSize, scratchEpochs: settings.epochs, scratchWarmupFraction: hyper.warmupFraction, learningRate: hyper.peakLearningRate });
}

/**
 * The product's plan (src/refresh/plan.ts, what the refresh workflow calls) for training `data` after
 * a model of `previousClasses` (null: none): the model's classes, the warm levers, the scratch budget.
 */
export function planFor(settings: RunSettings, hyper: BenchHyper, previousClasses: readonly string[] | null, data: VersionData): RefreshPlan {
  return planRefresh(refreshSettingsFor(settings, hyper), previousClasses, { classes: data.manifest.classes, trainCount: data.train.count });
}

/** Evaluate every 1/evaluationsPerEpoch epoch of this version's data, the same cadence for every run. */
export function evaluateEveryFor(data: VersionData, settings: RunSettings): number {
  return Math.max(1, Math.round(data.train.count / settings.batchSize / settings.evaluationsPerEpoch));
}

/** One run on `data` under the product's plan for it (its classes and scratch budget), with these levers. */
export async function runOne(
  name: string,
  data: VersionData,
  plan: RefreshPlan,
  levers: LeverSettings,
  seed: number,
  settings: RunSettings,
  previous: PreviousModel | null,
): Promise<{ model: tf.LayersModel; record: RunRecord }> {
  const scratchSteps = plan.scratch.steps;
  const result = await runTraining({
    spec: settings.spec,
    inputShape: data.manifest.features.shape,
    columns: featureColumns(data.manifest.features),
    classes: plan.classes,
    train: data.train,
    previous,
    levers: { ...levers, schedule: { ...levers.schedule, evaluateEvery: evaluateEveryFor(data, settings) } },
    scratchSteps,
    batchSize: settings.batchSize,
    seed,
    evaluation: data.evaluation,
    validation: data.validation,
    evaluationMetrics: settings.metric !== undefined && settings.metric !== 'accuracy',
  });
  return {
    model: result.model,
    record: { name, seed, version: data.version, levers, scratchSteps, curve: result.curve, compute: result.compute, trainFlopsPerExample: result.flopsPerExample.trainPerExample, stop: result.stop },
  };
}
