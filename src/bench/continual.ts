import type { ObjectStore } from '../storage/object-store.js';
import { loadVersions, type LoadOptions } from './data.js';
import { goalOf, type Goal } from './goal.js';
import { pairedDifference, type PairedDifference } from './paired.js';
import { planFor, runOne, type RunRecord, type RunSettings } from './run-one.js';
import { METRIC_DIRECTION, type MetricName } from '../evaluation/metrics.js';
import { finalAccuracy, finalValue, majorityBaseline, meets, noBetterThanMajority, relaxedTarget, speedUp, spread, stepsToReachMetric, type SpeedUp, type Spread } from './target.js';
import { variants, type BenchHyper, type Variant } from './variants.js';
import { resolveLevers, type LeverSettings, type LeverSettingsInput } from '../training/levers.js';
import { resolvedWarmLevers, type ScratchBudget } from '../refresh/plan.js';

/**
 * One old -> new comparison (docs/continual.md protocol): per seed, a base model trained on the old version
 * (not charged), scratch on the new version for the full schedule (its final accuracy is A*), and each
 * variant started from the base. Runs are paired by seed: scratch and every variant of a seed share
 * the seed (same fresh init for new head rows and same data order).
 */
export interface ContinualOptions extends RunSettings, LoadOptions {
  dataset: string;
  oldVersion: number;
  newVersion: number;
  seeds: number[];
  hyper: BenchHyper;
  /** Tuning: merged over the product's choice for the pair (planRefresh's warm levers), in its place. */
  combined?: LeverSettingsInput;
  /** Tuning: extra variants, each merged over the combination. */
  candidates?: LeverSettingsInput[];
  /** Only these variants (tuning); all when absent. */
  only?: string[];
  log?: (line: string) => void;
}

/** Per seed, how a run compares with its seed's scratch run. */
export interface SeedOutcome {
  seed: number;
  /** A*: scratch's final value of the target metric (accuracy unless the benchmark targets another). */
  target: number;
  /** Steps to reach A* (L_100) and 0.99 A* (L_99), by the rule in target.ts. */
  steps100: number | null;
  steps99: number | null;
  speedUp100: SpeedUp;
  speedUp99: SpeedUp;
  /** FLOPs to reach A*, the scoring pass included; ratio scratch / this. */
  flopsSpeedUp100: number | null;
  finalAccuracy: number;
  /** Final value of the target metric (= finalAccuracy when it is accuracy). */
  finalValue: number;
  /** Its final value is no better than the majority-class model's: its speed-ups mean nothing. */
  majorityClass: boolean;
  finalOld: number | null;
  finalNew: number | null;
  /** Reached A* at some point but its final accuracy is below it. */
  endedBelow: boolean;
  wallSeconds: number;
  steps: number;
  examples: number;
  flops: number;
}

export interface VariantSummary {
  name: string;
  description: string;
  levers: LeverSettings | null;
  seeds: SeedOutcome[];
  speedUp100: Spread | null;
  speedUp99: Spread | null;
  /** Seeds in which L_99 is 0 steps (the old model already within 1% of A*). */
  zero99: number;
  reached100: number;
  flopsSpeedUp100: Spread | null;
  finalAccuracy: Spread;
  finalValue: Spread;
  /** Final value minus A* (accuracy: in points), mean over seeds. */
  finalMinusTarget: Spread;
  /** Seeds whose final model is no better than the majority class on the target metric. */
  majorityClass: number;
  finalOld: Spread | null;
  finalNew: Spread | null;
  endedBelow: number;
  wallSeconds: Spread;
  /** Every seed reached A* and ended within the tolerance of it (src/bench/goal.ts). */
  goal: Goal;
  /** Final value against scratch's, paired by seed, with a 95% interval (src/bench/paired.ts); absent for scratch. */
  versusScratch?: PairedDifference;
  /** Final value against the `combined` variant's, paired by seed: whether a tuning candidate is really better; absent for scratch and combined. */
  versusCombined?: PairedDifference;
}

export interface ContinualResult {
  kind: 'continual';
  dataset: string;
  oldVersion: number;
  newVersion: number;
  evaluationSplit: string;
  /** The metric the targets are on, and what a majority-class model scores on the evaluation split. */
  metric: MetricName;
  majority: ReturnType<typeof majorityBaseline>;
  settings: RunSettings & { seeds: number[]; trainRows: { old: number; new: number }; evaluationRows: number; classes: { old: string[]; new: string[] }; scratch?: ScratchBudget };
  summaries: VariantSummary[];
  runs: RunRecord[];
}

/** FLOPs spent until `steps`: training examples so far (the run's examples per step) plus the whole scoring pass. */
const reachCost = (record: RunRecord, steps: number) => (steps * record.compute.examples * record.trainFlopsPerExample) / Math.max(1, record.compute.steps) + record.compute.scoringFlops;

export function outcome(record: RunRecord, scratch: RunRecord, metric: MetricName = 'accuracy', majority: ReturnType<typeof majorityBaseline> | null = null): SeedOutcome {
  const direction = METRIC_DIRECTION[metric];
  const target = finalValue(scratch.curve, metric);
  const relaxed = relaxedTarget(target, 0.99, direction);
  const scratch100 = stepsToReachMetric(scratch.curve, target, metric);
  const scratch99 = stepsToReachMetric(scratch.curve, relaxed, metric);
  const steps100 = stepsToReachMetric(record.curve, target, metric);
  const steps99 = stepsToReachMetric(record.curve, relaxed, metric);
  const final = finalValue(record.curve, metric);
  const last = record.curve.at(-1);
  return {
    seed: record.seed,
    target,
    steps100,
    steps99,
    speedUp100: speedUp(scratch100, steps100),
    speedUp99: speedUp(scratch99, steps99),
    flopsSpeedUp100: steps100 !== null && scratch100 !== null && scratch100 > 0 && reachCost(record, steps100) > 0 ? reachCost(scratch, scratch100) / reachCost(record, steps100) : null,
    finalAccuracy: finalAccuracy(record.curve),
    finalValue: final,
    majorityClass: majority !== null && noBetterThanMajority(metric, final, majority),
    finalOld: last?.oldAccuracy ?? null,
    finalNew: last?.newAccuracy ?? null,
    endedBelow: steps100 !== null && !meets(final, target, direction),
    wallSeconds: record.compute.wallSeconds + record.compute.scoringSeconds,
    steps: record.compute.steps,
    examples: record.compute.examples + record.compute.scoringExamples,
    flops: record.compute.flops + record.compute.scoringFlops,
  };
}

const ratios = (list: SpeedUp[]) => list.flatMap((s) => (s.kind === 'ratio' ? [s.value] : []));
const nonNull = <T>(list: (T | null)[]) => list.filter((v): v is T => v !== null);

export function summarize(name: string, description: string, levers: LeverSettings | null, seeds: SeedOutcome[], metric: MetricName = 'accuracy'): VariantSummary {
  const points = metric === 'accuracy' ? 100 : 1;
  return {
    name,
    description,
    levers,
    seeds,
    speedUp100: spread(ratios(seeds.map((s) => s.speedUp100))),
    speedUp99: spread(ratios(seeds.map((s) => s.speedUp99))),
    zero99: seeds.filter((s) => s.speedUp99.kind === 'zero').length,
    reached100: seeds.filter((s) => s.steps100 !== null).length,
    flopsSpeedUp100: spread(nonNull(seeds.map((s) => s.flopsSpeedUp100))),
    finalAccuracy: spread(seeds.map((s) => s.finalAccuracy))!,
    finalValue: spread(seeds.map((s) => s.finalValue ?? s.finalAccuracy))!,
    finalMinusTarget: spread(seeds.map((s) => points * ((s.finalValue ?? s.finalAccuracy) - s.target)))!,
    majorityClass: seeds.filter((s) => s.majorityClass).length,
    finalOld: spread(nonNull(seeds.map((s) => s.finalOld))),
    finalNew: spread(nonNull(seeds.map((s) => s.finalNew))),
    endedBelow: seeds.filter((s) => s.endedBelow).length,
    wallSeconds: spread(seeds.map((s) => s.wallSeconds))!,
    goal: goalOf(seeds, metric),
  };
}

export async function benchContinual(store: ObjectStore, options: ContinualOptions): Promise<ContinualResult> {
  const log = options.log ?? (() => {});
  const [old, next] = await loadVersions(store, options.dataset, [options.oldVersion, options.newVersion], options);
  if (!old || !next) throw new Error('benchContinual: versions did not load');
  // The product's plans: the base is a first version (no model before it); the new version follows the base.
  const basePlan = planFor(options, options.hyper, null, old);
  const plan = planFor(options, options.hyper, basePlan.classes, next);
  const combined = resolveLevers(options.combined, resolvedWarmLevers(plan));
  const candidates = options.candidates?.map((input) => resolveLevers(input, combined));
  // Candidates given are always wanted: `only` (--variants) narrows the built-in variants.
  const chosen: Variant[] = variants(options.hyper, combined, candidates).filter(
    (v) => !options.only || options.only.includes(v.name) || v.name.startsWith('candidate-'),
  );
  const metric = options.metric ?? 'accuracy';
  const majority = majorityBaseline(next.evaluation.y, next.classes.length);
  const runs: RunRecord[] = [];
  const outcomes = new Map<string, SeedOutcome[]>([['scratch', []], ...chosen.map((v) => [v.name, []] as [string, SeedOutcome[]])]);
  for (const seed of options.seeds) {
    const base = await runOne('base', old, basePlan, basePlan.scratchLevers, seed, options, null);
    runs.push(base.record);
    log(`seed ${seed}: base on v${old.version} final ${(100 * finalAccuracy(base.record.curve)).toFixed(2)}%`);
    const reference = await runOne('scratch', next, plan, plan.scratchLevers, seed, options, null);
    reference.model.dispose();
    runs.push(reference.record);
    outcomes.get('scratch')!.push(outcome(reference.record, reference.record, metric, majority));
    const targetText = metric === 'accuracy' ? '' : `, ${metric} ${finalValue(reference.record.curve, metric).toFixed(4)}`;
    log(`seed ${seed}: scratch on v${next.version} A* ${(100 * finalAccuracy(reference.record.curve)).toFixed(2)}%${targetText} in ${reference.record.compute.steps} steps`);
    for (const variant of chosen) {
      const run = await runOne(variant.name, next, plan, variant.levers, seed, options, { model: base.model, classes: basePlan.classes });
      run.model.dispose();
      runs.push(run.record);
      const result = outcome(run.record, reference.record, metric, majority);
      outcomes.get(variant.name)!.push(result);
      log(`seed ${seed}: ${variant.name} L100 ${result.steps100 ?? 'missed'} steps, final ${(100 * result.finalAccuracy).toFixed(2)}%${metric === 'accuracy' ? '' : `, ${metric} ${result.finalValue.toFixed(4)}`}${result.majorityClass ? ' (no better than the majority class)' : ''}`);
    }
    base.model.dispose();
  }
  return {
    kind: 'continual',
    dataset: options.dataset,
    oldVersion: old.version,
    newVersion: next.version,
    evaluationSplit: options.evaluationSplit,
    metric,
    majority,
    settings: {
      spec: options.spec,
      batchSize: options.batchSize,
      epochs: options.epochs,
      evaluationsPerEpoch: options.evaluationsPerEpoch,
      seeds: options.seeds,
      trainRows: { old: old.train.count, new: next.train.count },
      evaluationRows: next.evaluation.count,
      classes: { old: basePlan.classes, new: plan.classes },
      scratch: plan.scratch,
    },
    summaries: withPairedComparisons([summarize('scratch', 'scratch on old+new, full schedule (reference)', plan.scratchLevers, outcomes.get('scratch')!, metric), ...chosen.map((v) => summarize(v.name, v.description, v.levers, outcomes.get(v.name)!, metric))], metric),
    runs,
  };
}

/** Adds each variant's paired comparison with scratch, and each candidate's with `combined` when it ran. */
export function withPairedComparisons(summaries: VariantSummary[], metric: MetricName): VariantSummary[] {
  const scratch = summaries.find((s) => s.name === 'scratch');
  const combined = summaries.find((s) => s.name === 'combined');
  return summaries.map((s) => {
    if (s === scratch) return s;
    const versusScratch = scratch ? pairedDifference(s.seeds, scratch, metric) : null;
    const versusCombined = combined && s !== combined ? pairedDifference(s.seeds, combined, metric) : null;
    return { ...s, ...(versusScratch ? { versusScratch } : {}), ...(versusCombined ? { versusCombined } : {}) };
  });
}
