import { plainLevers, resolveLevers, type LeverSettings, type LeverSettingsInput } from '../training/levers.js';
import type { RefreshSettings, TrainingSettings } from './settings.js';
import { CURRENT_LEVER_RECIPE, warmLeversFor, type LeverRecipe } from './warm-levers.js';

/**
 * One refresh's plan, the same for the refresh workflow and `warmstart bench continual`, so the
 * benchmark measures what the product runs: the model's classes, the warm start's levers, and the
 * scratch budget. Pure and deterministic (no I/O): workflows import it.
 */
export interface VersionFacts {
  /** The version's classes as its manifest lists them (docs/continual.md, "The class rule"). */
  classes: readonly string[];
  /** Rows of the version's train split. */
  trainCount: number;
}

export interface ScratchBudget {
  steps: number;
  /** How the steps were set, for the ledger: the recipe, or an explicit scratchSteps. */
  basis: 'recipe' | 'explicit';
  /** One line: "15 epochs of 4200 training rows at batch 64 = 985 steps". */
  description: string;
}

export interface RefreshPlan {
  /**
   * The model's classes: the version's, which the publish path lists as those present in the
   * training data so far (the parent's list, then new ones appended), so a production model's head
   * grows when a version brings new classes.
   */
  classes: string[];
  /** Classes the version adds to the production model's (empty without a production model). */
  newClasses: string[];
  /** A warm start's levers (warmLeversFor); undefined: a plain warm copy. null: no production model to warm-start. */
  warmLevers: LeverSettingsInput | undefined | null;
  scratch: ScratchBudget;
  /** The scratch run's schedule: the whole budget, warmup then cosine, at the scratch learning rate. */
  scratchLevers: LeverSettings;
  /** The settings a training run gets: these settings with the planned scratch budget filled in. */
  training: TrainingSettings;
}

/** The scratch recipe: `epochs` passes over the version's training rows, at least one step. */
export function recipeSteps(trainCount: number, epochs: number, batchSize: number): number {
  return Math.max(1, Math.ceil((trainCount * epochs) / batchSize));
}

/** The scratch budget: an explicit scratchSteps (old settings, replays) wins over the recipe. */
export function scratchBudget(settings: RefreshSettings, trainCount: number): ScratchBudget {
  if (settings.scratchSteps !== null) return { steps: settings.scratchSteps, basis: 'explicit', description: `scratchSteps ${settings.scratchSteps} (set explicitly)` };
  const steps = recipeSteps(trainCount, settings.scratchEpochs, settings.batchSize);
  return { steps, basis: 'recipe', description: `${settings.scratchEpochs} epochs of ${trainCount} training rows at batch ${settings.batchSize} = ${steps} steps` };
}

/**
 * `leverRecipe`: which version of the 'benchmark' levers applies (default the current one); a refresh
 * recorded before the current recipe replays with the one it ran (warm-levers.ts, LeverRecipe).
 */
export function planRefresh(settings: RefreshSettings, productionClasses: readonly string[] | null, version: VersionFacts, leverRecipe: LeverRecipe = CURRENT_LEVER_RECIPE): RefreshPlan {
  const scratch = scratchBudget(settings, version.trainCount);
  const classes = [...version.classes];
  // Under the recipe the warmup is a share of the budget (the benchmark's scratch); explicit steps keep warmupSteps.
  const warmupFraction = scratch.basis === 'recipe' ? settings.scratchWarmupFraction : Math.min(1, settings.warmupSteps / scratch.steps);
  return {
    classes,
    newClasses: productionClasses === null ? [] : classes.filter((c) => !productionClasses.includes(c)),
    warmLevers: productionClasses === null ? null : warmLeversFor(settings.warmLevers, productionClasses, classes, leverRecipe, settings.modelSpec.kind),
    scratch,
    scratchLevers: { init: { kind: 'scratch' }, regularization: { kind: 'none' }, selection: { kind: 'all' }, schedule: { stepsFraction: 1, warmupFraction, peakLearningRate: settings.learningRate } },
    training: { ...settings, scratchSteps: scratch.steps },
  };
}

/** What refreshes started before the scratch recipe ran by default (replays of their histories keep it). */
export const LEGACY_SCRATCH_STEPS = 400;

/** Settings as such a refresh saw them: an unset scratchSteps meant the old default. */
export function legacyScratchSettings(settings: RefreshSettings): RefreshSettings {
  return { ...settings, scratchSteps: settings.scratchSteps ?? LEGACY_SCRATCH_STEPS };
}

/** The warm start's levers as the training activity resolves them: a plain warm copy (warmSteps at warmLearningRate) when none are set. */
export function resolvedWarmLevers(plan: RefreshPlan): LeverSettings {
  return resolveLevers(plan.warmLevers ?? undefined, plainLevers('warm', { ...plan.training, learningRate: plan.training.warmLearningRate }));
}
