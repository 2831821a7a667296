import { METRIC_DIRECTION, type MetricName } from '../evaluation/metrics.js';
import type { SeedOutcome } from './continual.js';
import { meets } from './target.js';

/**
 * The benchmark's per-seed goal (issue 15, docs/benchmarks.md "Targets"): a variant passes when every
 * seed reaches its scratch run's A* and ends at or better than A* minus a tolerance. The mean over seeds
 * can hide one seed that ends below what a retrain would have reached; this check cannot. Pure module.
 */

/** 0.1 points of accuracy (0.001 of any metric: AUC, log-loss): two examples of a 2,000-row test split. */
export const GOAL_TOLERANCE = 0.001;

interface SeedVerdict {
  seed: number;
  reached: boolean;
  /** Final value within the tolerance of A* (or better). */
  withinTolerance: boolean;
}

function seedVerdict(outcome: SeedOutcome, metric: MetricName): SeedVerdict {
  const direction = METRIC_DIRECTION[metric];
  const allowed = direction === 'higher-is-better' ? outcome.target - GOAL_TOLERANCE : outcome.target + GOAL_TOLERANCE;
  return { seed: outcome.seed, reached: outcome.steps100 !== null, withinTolerance: meets(outcome.finalValue, allowed, direction) };
}

/** Whether a variant meets the goal, and for each seed that fails it, why (in words). */
export interface Goal {
  met: boolean;
  failing: string[];
}

export function goalOf(seeds: readonly SeedOutcome[], metric: MetricName): Goal {
  const failing = seeds
    .map((s) => seedVerdict(s, metric))
    .filter((v) => !v.reached || !v.withinTolerance)
    .map((v) => `seed ${v.seed} ${[!v.reached ? 'never reached A*' : null, !v.withinTolerance ? `ended below A* - ${tolerancePhrase(metric)}` : null].filter(Boolean).join(' and ')}`);
  return { met: failing.length === 0, failing };
}

export const describeGoal = (goal: Goal) => (goal.met ? 'met' : `not met: ${goal.failing.join('; ')}`);

export const tolerancePhrase = (metric: MetricName) => (metric === 'accuracy' ? '0.1 points' : String(GOAL_TOLERANCE));
