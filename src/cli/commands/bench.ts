import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { continualChart, multiStepChart } from '../../bench/chart.js';
import { benchContinual, type ContinualResult } from '../../bench/continual.js';
import { continualTable, multiStepTable, RULE } from '../../bench/format.js';
import { benchMultiStep, type MultiStepResult } from '../../bench/multistep.js';
import type { RunSettings } from '../../bench/run-one.js';
import { DEFAULT_HYPER } from '../../bench/variants.js';
import { plannedLeverSets } from '../../refresh/warm-levers.js';
import { selectBackend } from '../../training/backend.js';
import { LeverSettingsError, resolveLevers, type LeverSettings, type LeverSettingsInput } from '../../training/levers.js';
import { DEFAULT_CNN_SPEC, type MlpSpec, type ModelSpec } from '../../training/spec.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { UsageError } from '../usage-error.js';

/**
 * `warmstart bench continual`: the paper's speed-up table on any published dataset (old -> new pair,
 * or multi-step over several versions). Full runs are not part of CI; --quick is (a tiny slice).
 */
export interface BenchCommandOptions {
  dataset: string;
  /** Pair mode. */
  oldVersion?: number;
  newVersion?: number;
  /** Multi-step mode. */
  versions?: number[];
  /** mlp, cnn (the built-in benchmark models), or any spec. */
  model: 'mlp' | 'cnn' | ModelSpec;
  seeds: number;
  /** The first seed (default 1): seeds firstSeed..firstSeed+seeds-1, so a run can add seeds to an earlier one. */
  firstSeed?: number;
  split: 'validation' | 'test';
  /** The metric the targets are on (default accuracy). */
  metric?: TargetMetric;
  epochs?: number;
  quick: boolean;
  only?: string[];
  /** JSON LeverSettingsInput merged over the built-in combination (tuning). */
  combined?: string;
  /** JSON array of LeverSettingsInput, each merged over the combination: extra variants candidate-1.. (tuning). */
  candidates?: string;
  peakLearningRate?: number;
  /** A file for the result JSON (the CLI's --json-out). */
  json?: string;
  svg?: string;
  log?: (line: string) => void;
}

/** What --json prints and --json-out writes: the result, the reached rule and the machine it ran on. */
export type BenchRecord = (ContinualResult | MultiStepResult) & { rule: string; machine: string };

/** Metrics a benchmark can target (measured on the whole evaluation split at each evaluation). */
export const TARGET_METRICS = ['accuracy', 'auc', 'logLoss', 'logLossSkill', 'macroF1'] as const;
export type TargetMetric = (typeof TARGET_METRICS)[number];

/** The MLP of the sizing runs (784-256-10 on MNIST); the CNN is ~15x slower on wasm. */
export const BENCH_MLP: MlpSpec = { kind: 'mlp', hidden: [256] };

export function benchSettings(options: Pick<BenchCommandOptions, 'model' | 'quick' | 'epochs'>): RunSettings & { trainLimit?: number; evaluationLimit?: number } {
  const spec = options.model === 'cnn' ? DEFAULT_CNN_SPEC : options.model === 'mlp' ? BENCH_MLP : options.model;
  // Quick: a few hundred rows and a few dozen steps, to prove the pipeline end to end in CI.
  if (options.quick) return { spec, batchSize: 32, epochs: options.epochs ?? 3, evaluationsPerEpoch: 4, trainLimit: 300, evaluationLimit: 200 };
  return { spec, batchSize: 64, epochs: options.epochs ?? 15, evaluationsPerEpoch: 10 };
}

/** A tuning flag's JSON: an object of lever settings, or an array of them; anything else is a usage error naming the flag. */
function leversJson(flag: string, text: string, shape: 'object' | 'array'): unknown {
  const example = shape === 'array' ? `'[{"schedule":{"peakLearningRate":0.002}}]'` : `'{"schedule":{"peakLearningRate":0.002}}'`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag}: not JSON (${(error as Error).message}); give ${shape === 'array' ? 'an array of lever settings' : 'lever settings'}, e.g. ${example}`);
  }
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  const ok = shape === 'array' ? Array.isArray(value) && value.every(isObject) : isObject(value);
  if (!ok) throw new UsageError(`${flag}: expected ${shape === 'array' ? 'a JSON array of lever-settings objects' : 'a JSON object of lever settings'}, e.g. ${example}`);
  return value;
}

/**
 * Refuses an override that clashes with any lever set the plan may choose for this model kind (say
 * adaptive over a CNN's averaged new-classes levers) before any data is loaded; the message names the
 * override and the lever set.
 */
function checkOverrides(modelKind: ModelSpec['kind'], combined: LeverSettingsInput | undefined, candidates: LeverSettingsInput[] = []): void {
  for (const [name, planned] of Object.entries(plannedLeverSets(modelKind))) {
    const where = `over a ${modelKind} model's ${name === 'newClasses' ? 'new-classes' : 'same-classes'} levers`;
    const merged = resolvedOverride('--combined', where, () => resolveLevers(combined, planned));
    candidates.forEach((input, i) => resolvedOverride(`--candidates[${i}]`, where, () => resolveLevers(input, merged)));
  }
}

/** Runs a merge; its problems come back prefixed with the override's flag and suffixed with the lever set. */
function resolvedOverride(flag: string, where: string, merge: () => LeverSettings): LeverSettings {
  try {
    return merge();
  } catch (error) {
    if (!(error instanceof LeverSettingsError)) throw error;
    throw new LeverSettingsError(error.problems.map((p) => ({ setting: `${flag} ${p.setting}`, message: `${p.message} (${where})` })));
  }
}

export async function benchCommand(store: ObjectStore, options: BenchCommandOptions): Promise<{ text: string; result: ContinualResult | MultiStepResult; record: BenchRecord }> {
  const backend = await selectBackend();
  const settings = benchSettings(options);
  const seeds = Array.from({ length: options.seeds }, (_, i) => i + (options.firstSeed ?? 1));
  const hyper = { ...DEFAULT_HYPER, ...(options.peakLearningRate !== undefined ? { peakLearningRate: options.peakLearningRate } : {}) };
  // Tuning overrides are merged over the product's planned levers for the pair (each step's, in multi-step
  // mode), so one override means the same on either scenario; checked here, before any data is loaded.
  const combined = options.combined === undefined ? undefined : (leversJson('--combined', options.combined, 'object') as LeverSettingsInput);
  const candidates = options.candidates === undefined ? undefined : (leversJson('--candidates', options.candidates, 'array') as LeverSettingsInput[]);
  checkOverrides(settings.spec.kind, combined, candidates);
  const common = { ...settings, dataset: options.dataset, seeds, hyper, combined, evaluationSplit: options.split, log: options.log, ...(options.metric ? { metric: options.metric } : {}) };
  const result = options.versions
    ? await benchMultiStep(store, { ...common, versions: options.versions })
    : await benchContinual(store, { ...common, oldVersion: options.oldVersion!, newVersion: options.newVersion!, only: options.only, candidates });
  const machine = `${backend.name} (${backend.device}), ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
  const table = result.kind === 'continual' ? continualTable(result) : multiStepTable(result);
  const record: BenchRecord = { ...result, rule: RULE, machine };
  if (options.json) writeFileSync(options.json, `${JSON.stringify(record)}\n`);
  if (options.svg) writeFileSync(options.svg, result.kind === 'continual' ? continualChart(result) : multiStepChart(result));
  return { text: `${table}\n\nRule: ${RULE}.\nMachine: ${machine}.`, result, record };
}
