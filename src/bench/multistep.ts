import type * as tf from '@tensorflow/tfjs';
import type { MetricName } from '../evaluation/metrics.js';
import { resolveLevers, type LeverSettingsInput } from '../training/levers.js';
import type { ObjectStore } from '../storage/object-store.js';
import { outcome, type SeedOutcome } from './continual.js';
import { loadVersions, type LoadOptions } from './data.js';
import { resolvedWarmLevers } from '../refresh/plan.js';
import { goalOf, type Goal } from './goal.js';
import { planFor, runOne, type RunRecord, type RunSettings } from './run-one.js';
import { majorityBaseline, spread, type Spread } from './target.js';
import type { BenchHyper } from './variants.js';

/**
 * Multi-step mode: k successive versions. At every version after the first, retrain from scratch
 * (fresh init, full schedule) or continue a chain of warm starts with the combined levers. The first
 * version's scratch model is shared by both (not charged to either). Cumulative compute and the
 * accuracy at every step are reported per seed.
 */
export interface MultiStepOptions extends RunSettings, LoadOptions {
  dataset: string;
  versions: number[];
  seeds: number[];
  hyper: BenchHyper;
  /** Tuning: merged over each step's planned warm levers, in their place. */
  combined?: LeverSettingsInput;
  log?: (line: string) => void;
}

export interface StepSummary {
  version: number;
  /** Scratch's and the chain's final accuracy at this version, in [0, 1]. */
  scratchAccuracy: Spread;
  chainAccuracy: Spread;
  /** On the target metric: scratch's A*, the chain's final value, and chain minus A* (accuracy: in points). */
  scratchTarget: Spread;
  chainValue: Spread;
  chainMinusScratch: Spread;
  /** Seeds whose chain model is no better than the majority class on the target metric at this version. */
  chainMajorityClass: number;
  scratchSteps: number;
  chainSteps: number;
  /** Seeds in which the chain reached this version's A* (rule in target.ts). */
  chainReached: number;
  chainOld: Spread | null;
  chainNew: Spread | null;
  seeds: SeedOutcome[];
  /** Every seed's chain reached this version's A* and ended within the tolerance of it (src/bench/goal.ts). */
  goal: Goal;
}

export interface MultiStepResult {
  kind: 'multistep';
  dataset: string;
  metric: MetricName;
  versions: number[];
  evaluationSplit: string;
  settings: RunSettings & { seeds: number[]; combined: LeverSettingsInput | 'per step (planRefresh)'; trainRows: number[] };
  steps: StepSummary[];
  /** Over versions 2..k: scratch's steps / the chain's steps (budgets actually run), per seed. */
  cumulativeBudgetSpeedUp: Spread;
  /** Over versions 2..k: sum of scratch's steps to reach its A* / sum of the chain's; null for a seed in which the chain missed a step. */
  cumulativeReachSpeedUp: Spread | null;
  cumulativeReachMissed: number;
  cumulative: { scratchSteps: number; chainSteps: number; scratchFlops: Spread; chainFlops: Spread };
  runs: RunRecord[];
}

export async function benchMultiStep(store: ObjectStore, options: MultiStepOptions): Promise<MultiStepResult> {
  const log = options.log ?? (() => {});
  const metric = options.metric ?? 'accuracy';
  const data = await loadVersions(store, options.dataset, options.versions, options);
  // The product's plan per version: a scratch run of it (no model before), and the chain's step onto it.
  const firstPlan = planFor(options, options.hyper, null, data[0]!);
  const scratchPlans = data.map((version) => planFor(options, options.hyper, null, version));
  const runs: RunRecord[] = [];
  const perStep = data.slice(1).map(() => ({ outcomes: [] as SeedOutcome[], scratch: [] as RunRecord[], scratchAccuracy: [] as number[] }));
  const budget: number[] = [];
  const reach: (number | null)[] = [];
  const flops = { scratch: [] as number[], chain: [] as number[] };
  for (const seed of options.seeds) {
    const first = await runOne('base', data[0]!, firstPlan, firstPlan.scratchLevers, seed, options, null);
    runs.push(first.record);
    let chain: tf.LayersModel = first.model;
    let chainClasses = firstPlan.classes;
    const sums = { scratchSteps: 0, chainSteps: 0, scratchReach: 0, chainReach: 0, missed: false, scratchFlops: 0, chainFlops: 0 };
    for (const [index, version] of data.slice(1).entries()) {
      const scratchPlan = scratchPlans[index + 1]!;
      const reference = await runOne('scratch', version, scratchPlan, scratchPlan.scratchLevers, seed, options, null);
      reference.model.dispose();
      const plan = planFor(options, options.hyper, chainClasses, version);
      const next = await runOne('chain', version, plan, resolveLevers(options.combined, resolvedWarmLevers(plan)), seed, options, { model: chain, classes: chainClasses });
      chain.dispose();
      chain = next.model;
      chainClasses = plan.classes;
      runs.push(reference.record, next.record);
      const majority = majorityBaseline(version.evaluation.y, plan.classes.length);
      const result = outcome(next.record, reference.record, metric, majority);
      const scratchOutcome = outcome(reference.record, reference.record, metric, majority);
      const scratchReach = scratchOutcome.steps100!;
      perStep[index]!.outcomes.push(result);
      perStep[index]!.scratch.push(reference.record);
      perStep[index]!.scratchAccuracy.push(scratchOutcome.finalAccuracy);
      sums.scratchSteps += reference.record.compute.steps;
      sums.chainSteps += next.record.compute.steps;
      sums.scratchFlops += reference.record.compute.flops;
      sums.chainFlops += next.record.compute.flops + next.record.compute.scoringFlops;
      sums.scratchReach += scratchReach;
      if (result.steps100 === null) sums.missed = true;
      else sums.chainReach += result.steps100;
      const shown = (value: number) => (metric === 'accuracy' ? `${(100 * value).toFixed(2)}%` : `${metric} ${value.toFixed(4)}`);
      log(`seed ${seed} v${version.version}: scratch A* ${shown(result.target)}, chain ${shown(result.finalValue)} (reached: ${result.steps100 ?? 'no'})`);
    }
    chain.dispose();
    budget.push(sums.scratchSteps / sums.chainSteps);
    reach.push(sums.missed || sums.chainReach === 0 ? null : sums.scratchReach / sums.chainReach);
    flops.scratch.push(sums.scratchFlops);
    flops.chain.push(sums.chainFlops);
  }
  const steps: StepSummary[] = perStep.map((step, index) => {
    const version = data[index + 1]!;
    return {
      version: version.version,
      scratchAccuracy: spread(step.scratchAccuracy)!,
      chainAccuracy: spread(step.outcomes.map((o) => o.finalAccuracy))!,
      scratchTarget: spread(step.outcomes.map((o) => o.target))!,
      chainValue: spread(step.outcomes.map((o) => o.finalValue))!,
      chainMinusScratch: spread(step.outcomes.map((o) => (metric === 'accuracy' ? 100 : 1) * (o.finalValue - o.target)))!,
      chainMajorityClass: step.outcomes.filter((o) => o.majorityClass).length,
      scratchSteps: step.scratch[0]?.compute.steps ?? 0,
      chainSteps: step.outcomes[0]?.steps ?? 0,
      chainReached: step.outcomes.filter((o) => o.steps100 !== null).length,
      chainOld: spread(step.outcomes.flatMap((o) => (o.finalOld === null ? [] : [o.finalOld]))),
      chainNew: spread(step.outcomes.flatMap((o) => (o.finalNew === null ? [] : [o.finalNew]))),
      seeds: step.outcomes,
      goal: goalOf(step.outcomes, metric),
    };
  });
  const reached = reach.filter((r): r is number => r !== null);
  return {
    kind: 'multistep',
    dataset: options.dataset,
    metric,
    versions: options.versions,
    evaluationSplit: options.evaluationSplit,
    settings: { spec: options.spec, batchSize: options.batchSize, epochs: options.epochs, evaluationsPerEpoch: options.evaluationsPerEpoch, seeds: options.seeds, combined: options.combined ?? 'per step (planRefresh)', trainRows: data.map((d) => d.train.count) },
    steps,
    cumulativeBudgetSpeedUp: spread(budget)!,
    cumulativeReachSpeedUp: spread(reached),
    cumulativeReachMissed: reach.length - reached.length,
    cumulative: { scratchSteps: steps.reduce((n, s) => n + s.scratchSteps, 0), chainSteps: steps.reduce((n, s) => n + s.chainSteps, 0), scratchFlops: spread(flops.scratch)!, chainFlops: spread(flops.chain)! },
    runs,
  };
}
