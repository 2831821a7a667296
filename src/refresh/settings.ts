import type { Direction, MetricName } from '../evaluation/metrics.js';
import { DEFAULT_MODEL_SPEC, type ModelSpec } from '../training/spec.js';
import type { WarmLeversSetting } from './warm-levers.js';

/**
 * How one model is refreshed. Plain JSON: it travels in workflow inputs.
 * Pure module (no I/O): workflows import it.
 */
export interface RefreshSettings {
  modelSpec: ModelSpec;
  /**
   * Optimizer steps of a scratch run, set explicitly (older settings, replays); null (the default):
   * derived by the scratch recipe, scratchEpochs passes over the version's training rows
   * (src/refresh/plan.ts). A warm start's schedule is a fraction of this budget.
   */
  scratchSteps: number | null;
  /** The scratch recipe: epochs of the version's training data (the benchmark's scratch runs 15). */
  scratchEpochs: number;
  /** The recipe's warmup, a share of the scratch budget (with explicit scratchSteps, warmupSteps applies). */
  scratchWarmupFraction: number;
  /** Optimizer steps of a warm start: continuing from the production model needs fewer. */
  warmSteps: number;
  batchSize: number;
  learningRate: number;
  /** Peak learning rate of a warm start (a shortened schedule learns faster with a higher peak). */
  warmLearningRate: number;
  warmupSteps: number;
  seed: number;
  policy: PolicySettings;
  gate: GateSettings;
  fallback: FallbackSettings;
  /** Training heartbeat timeout in seconds: how soon a lost training worker is noticed. */
  trainingHeartbeatSeconds: number;
  /** Steps between training checkpoints (resume point after a crash). */
  checkpointEvery: number;
  /**
   * Validation evaluations spread over a training run whose levers ask for no curve, so a running
   * refresh shows a live metric (`warmstart status`); 0 turns them off. They cost a forward pass over
   * the validation split each and are counted as evaluation time.
   */
  progressEvaluations: number;
  /**
   * The continual-training levers of a warm start (init, regularization, data selection, schedule):
   * 'benchmark' (default) = the combination chosen by `warmstart bench continual`, by whether the
   * version adds classes; explicit levers; or null for a plain warm copy (warmSteps at warmLearningRate).
   */
  warmLevers: WarmLeversSetting;
  /**
   * Class weights in the training loss, multiplied into the per-example weights: 'none' (default), or
   * 'balanced' = total / (classes x class count) per example's class, counted over the training split
   * (with its per-example weights), so each class present weighs the same in the loss.
   */
  classWeights: ClassWeightsSetting;
  /**
   * Every K-th version (version % K === 0) whose refresh warm-started also trains scratch in the
   * background (workflow shadow-scratch/<refresh ID>, low priority on the training queue), never
   * promoted, so the ledger holds a measured scratch cost and accuracy beside the estimate. Off when
   * absent or null (the default: left out of DEFAULT_REFRESH_SETTINGS so every existing activity input,
   * and so every checkpoint fingerprint, stays byte for byte the same).
   */
  shadowScratch?: ShadowScratchSetting;
}

export type ShadowScratchSetting = { everyVersions: number } | null;

export type ClassWeightsSetting = 'none' | 'balanced';

/** When to retrain from scratch although a production model exists. */
export interface PolicySettings {
  /** Plasticity: after this many warm starts in a row, retrain from scratch. */
  maxWarmStartsInRow: number;
  /** New data dominates when new/old training examples exceed this ratio. */
  maxNewToOldRatio: number;
  /** After a warm start that failed its gate, the next refresh starts from scratch. */
  scratchAfterFailedWarmStart: boolean;
}

/**
 * One metric threshold, as in TFX's Evaluator: a value bound, and/or a change bound against the
 * production model (the baseline) in a direction. Slices: combined, old, new, class:<name>. Metrics
 * (docs/metrics.md): accuracy, logLoss, logLossSkill, auc, macroF1, and on class slices precision,
 * recall, f1.
 */
export interface MetricThreshold {
  metric: MetricName;
  slice: string;
  lowerBound?: number;
  upperBound?: number;
  /** candidate - baseline must be >= this (higher-is-better) or <= -this (lower-is-better). Negative allows a drop. */
  absoluteChange?: number;
  /** (candidate - baseline) / baseline, same direction rules. */
  relativeChange?: number;
  direction: Direction;
}

export interface GateSettings {
  thresholds: MetricThreshold[];
  /**
   * McNemar's exact test on the combined slice: blocks a candidate significantly worse than production.
   * waiveInsignificantDrops: a combined change threshold missed by a drop that is not significant passes.
   */
  pairedTest: { alpha: number; confidence: number; waiveInsignificantDrops: boolean } | null;
  /**
   * Thresholds added when the test split is binary (two classes) or its largest class reaches
   * majorityShare: accuracy cannot tell a majority-class model from a useful one there. null: none.
   */
  binaryOrImbalanced?: { majorityShare: number; thresholds: MetricThreshold[] } | null;
  /**
   * The seeded paired bootstrap (evaluation computes it for AUC and log-loss on combined, old and new):
   * blocks a candidate significantly worse than production on a gated metric with a change threshold.
   */
  bootstrapTest?: { alpha: number } | null;
}

export interface FallbackSettings {
  /** A warm start that fails the gate retrains from scratch... */
  toScratch: boolean;
  /** ...if the refresh's total training FLOPs stay within this budget (null: no budget). */
  maxTrainFlops: number | null;
}

/** Ranking on a binary or imbalanced split: above chance, and no real drop against production. */
const AUC_THRESHOLD: MetricThreshold = { metric: 'auc', slice: 'combined', lowerBound: 0.55, absoluteChange: -0.01, direction: 'higher-is-better' };

export const DEFAULT_GATE: GateSettings = {
  thresholds: [
    { metric: 'accuracy', slice: 'combined', lowerBound: 0.8, absoluteChange: -0.01, direction: 'higher-is-better' },
    // Old-data non-regression: forgetting on data users already rely on is what hurts.
    { metric: 'accuracy', slice: 'old', absoluteChange: -0.02, direction: 'higher-is-better' },
  ],
  pairedTest: { alpha: 0.05, confidence: 0.95, waiveInsignificantDrops: false },
  // Why these (docs/metrics.md): a model that learnt nothing has AUC 1/2 and log-loss no better than
  // forecasting the base rates, whatever its accuracy; the change bounds and the bootstrap keep a
  // refresh from trading ranking or calibration for accuracy.
  binaryOrImbalanced: {
    majorityShare: 0.6,
    thresholds: [
      AUC_THRESHOLD,
      // Calibration may worsen by at most 5% of the base-rate forecast's log-loss. Not 5% of production's
      // log-loss: near a separable split that is ~0, and any retrain failed it (1.3e-7 -> 0.021 read as
      // -16,654,086%), so a plasticity retrain could never be promoted.
      { metric: 'logLossSkill', slice: 'combined', lowerBound: 0.01, absoluteChange: -0.05, direction: 'higher-is-better' },
    ],
  },
  bootstrapTest: { alpha: 0.05 },
};

/** The binary/imbalanced thresholds refreshes started before the log-loss change moved to skill units replay with. */
export const LEGACY_BINARY_OR_IMBALANCED: NonNullable<GateSettings['binaryOrImbalanced']> = {
  majorityShare: 0.6,
  thresholds: [
    AUC_THRESHOLD,
    { metric: 'logLossSkill', slice: 'combined', lowerBound: 0.01, direction: 'higher-is-better' },
    { metric: 'logLoss', slice: 'combined', relativeChange: -0.05, direction: 'lower-is-better' },
  ],
};

export const DEFAULT_REFRESH_SETTINGS: RefreshSettings = {
  modelSpec: DEFAULT_MODEL_SPEC,
  scratchSteps: null,
  scratchEpochs: 15,
  scratchWarmupFraction: 0.05,
  warmSteps: 150,
  batchSize: 64,
  learningRate: 1e-3,
  warmLearningRate: 1e-3,
  warmupSteps: 20,
  seed: 7,
  policy: { maxWarmStartsInRow: 5, maxNewToOldRatio: 1.0, scratchAfterFailedWarmStart: true },
  gate: DEFAULT_GATE,
  fallback: { toScratch: true, maxTrainFlops: null },
  trainingHeartbeatSeconds: 60,
  checkpointEvery: 100,
  progressEvaluations: 4,
  warmLevers: 'benchmark',
  classWeights: 'none',
};

export type RefreshSettingsInput = Partial<Omit<RefreshSettings, 'gate' | 'policy' | 'fallback'>> & {
  gate?: Partial<GateSettings>;
  policy?: Partial<PolicySettings>;
  fallback?: Partial<FallbackSettings>;
};

/** What a training run gets: the settings with the plan's scratch budget filled in (planRefresh). */
export type TrainingSettings = RefreshSettings & { scratchSteps: number };

export function resolveRefreshSettings(input: RefreshSettingsInput & { scratchSteps: number }): TrainingSettings;
export function resolveRefreshSettings(input?: RefreshSettingsInput): RefreshSettings;
export function resolveRefreshSettings(input: RefreshSettingsInput = {}): RefreshSettings {
  return {
    ...DEFAULT_REFRESH_SETTINGS,
    ...input,
    gate: { ...DEFAULT_REFRESH_SETTINGS.gate, ...input.gate },
    policy: { ...DEFAULT_REFRESH_SETTINGS.policy, ...input.policy },
    fallback: { ...DEFAULT_REFRESH_SETTINGS.fallback, ...input.fallback },
  };
}
