import type { ScratchBudget } from '../refresh/plan.js';

/**
 * What a refresh saved against retraining from scratch. Pure: the workflow computes it.
 *
 * The scratch cost of a version is MEASURED when the refresh itself trained from scratch, and
 * otherwise ESTIMATED from the model's most recent scratch run: its cost per optimizer step
 * (same architecture and batch size, so FLOPs per step are equal and seconds per step comparable)
 * times the steps scratch would run on this version: the plan's scratch budget (the recipe, epochs
 * of this version's training rows, unless scratchSteps was set explicitly), recorded as `schedule`.
 */
export interface ScratchRun {
  datasetVersion: number;
  steps: number;
  flops: number;
  trainSeconds: number;
}

export interface ScratchCost {
  flops: number;
  trainSeconds: number;
  basis: 'measured' | 'estimated' | 'unknown';
  explanation: string;
  /** The scratch schedule the cost is priced against (absent in entries written before the recipe). */
  schedule?: ScratchBudget;
}

export interface ComputeSaved {
  flops: number;
  trainSeconds: number;
}

/** `budget`: the plan's scratch budget (a bare number: explicit steps). */
export function scratchCost(measured: ScratchRun | null, lastScratch: ScratchRun | null, budget: ScratchBudget | number): ScratchCost {
  const schedule: ScratchBudget = typeof budget === 'number' ? { steps: budget, basis: 'explicit', description: `scratchSteps ${budget} (set explicitly)` } : budget;
  const scratchSteps = schedule.steps;
  if (measured) {
    return { flops: measured.flops, trainSeconds: measured.trainSeconds, basis: 'measured', explanation: `measured: this refresh trained from scratch (${measured.steps} steps; scratch schedule ${schedule.description})`, schedule };
  }
  if (!lastScratch || lastScratch.steps === 0) {
    return { flops: 0, trainSeconds: 0, basis: 'unknown', explanation: 'no scratch run of this model recorded yet', schedule };
  }
  const flopsPerStep = lastScratch.flops / lastScratch.steps;
  const secondsPerStep = lastScratch.trainSeconds / lastScratch.steps;
  return {
    flops: flopsPerStep * scratchSteps,
    trainSeconds: secondsPerStep * scratchSteps,
    basis: 'estimated',
    explanation: `estimated: the v${lastScratch.datasetVersion} scratch run's cost per step (${(flopsPerStep / 1e9).toFixed(3)} GFLOP, ${(secondsPerStep * 1000).toFixed(1)} ms) x ${scratchSteps} scratch steps (${schedule.basis === 'recipe' ? `the scratch recipe: ${schedule.description}` : schedule.description})`,
    schedule,
  };
}

/** Saved = the scratch retrain avoided minus what this refresh spent (negative when a fallback cost more). */
export function computeSaved(scratch: ScratchCost, spent: { flops: number; trainSeconds: number }): ComputeSaved {
  if (scratch.basis === 'unknown') return { flops: 0, trainSeconds: 0 };
  return { flops: scratch.flops - spent.flops, trainSeconds: scratch.trainSeconds - spent.trainSeconds };
}

/** Wilson score interval for an accuracy (correct of count) at ~95%: honest at small counts. */
export function wilsonInterval(correct: number, count: number, z = 1.959964): { low: number; high: number } {
  if (count === 0) return { low: 0, high: 0 };
  const p = correct / count;
  const denominator = 1 + (z * z) / count;
  const center = (p + (z * z) / (2 * count)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / count + (z * z) / (4 * count * count))) / denominator;
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}
