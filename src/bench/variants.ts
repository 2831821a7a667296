import { DEFAULT_ADAPTIVE, type AdaptiveLever, type LeverSettings } from '../training/levers.js';

/**
 * The variants the benchmark compares with scratch: each lever alone, then the combination. Pure module.
 * Every variant starts from the base model trained on the old version (the combination's settings are
 * the product's proposed defaults; see docs/benchmarks.md).
 */
export interface Variant {
  name: string;
  /** One line for the table: what differs from a plain warm copy. */
  description: string;
  levers: LeverSettings;
}

export interface BenchHyper {
  /** Scratch's peak learning rate (Adam, warmup + cosine). */
  peakLearningRate: number;
  warmupFraction: number;
}

export const DEFAULT_HYPER: BenchHyper = { peakLearningRate: 1e-3, warmupFraction: 0.05 };

// The chosen combinations are the product's defaults: they live with the refresh settings.
export { NEW_CLASSES_LEVERS, SAME_CLASSES_LEVERS, combinedLevers } from '../refresh/warm-levers.js';
import { NEW_CLASSES_LEVERS } from '../refresh/warm-levers.js';

/**
 * The combination with the adaptive schedule on top: the same base schedule, extended while validation
 * improves. Without weight averaging, which the adaptive schedule cannot take (it compares trained weights).
 */
export function adaptiveLevers(combined: LeverSettings, adaptive: AdaptiveLever = DEFAULT_ADAPTIVE): LeverSettings {
  const schedule = { ...combined.schedule, adaptive: combined.schedule.adaptive ?? adaptive };
  delete schedule.averaging;
  return { ...combined, schedule };
}

export function scratchLevers(hyper: BenchHyper): LeverSettings {
  return { init: { kind: 'scratch' }, regularization: { kind: 'none' }, selection: { kind: 'all' }, schedule: { stepsFraction: 1, warmupFraction: hyper.warmupFraction, peakLearningRate: hyper.peakLearningRate } };
}

/**
 * `candidates`: extra settings measured beside the built-in variants (named candidate-1, ...), so one
 * invocation tunes several combinations against the same base and scratch runs.
 */
export function variants(hyper: BenchHyper, combined: LeverSettings = NEW_CLASSES_LEVERS, candidates: LeverSettings[] = []): Variant[] {
  const full = { stepsFraction: 1, warmupFraction: hyper.warmupFraction, peakLearningRate: hyper.peakLearningRate };
  const plain = { init: { kind: 'warm' }, regularization: { kind: 'none' }, selection: { kind: 'all' }, schedule: full } as const satisfies LeverSettings;
  return [
    { name: 'warm', description: 'warm copy, full schedule', levers: plain },
    { name: 'shrink-perturb', description: 'shrink & perturb lambda 0.4 sigma 0.1', levers: { ...plain, init: { kind: 'shrink-perturb', lambda: 0.4, sigma: 0.1 } } },
    { name: 'l2-to-old', description: 'warm + L2 toward old weights 1e-4', levers: { ...plain, regularization: { kind: 'l2-to-old', strength: 1e-4 } } },
    {
      name: 'easy-hard',
      description: 'warm + drop easiest 30% / hardest 2% of old (loss)',
      levers: { ...plain, selection: { kind: 'easy-hard', score: 'loss', dropEasiest: 0.3, dropHardest: 0.02, mode: 'drop' } },
    },
    { name: 'short-schedule', description: 'warm + S/3 schedule at 2x peak LR', levers: { ...plain, schedule: { ...full, stepsFraction: 1 / 3, peakLearningRate: 2 * hyper.peakLearningRate } } },
    { name: 'combined', description: describeLevers(combined), levers: combined },
    { name: 'adaptive', description: describeLevers(adaptiveLevers(combined)), levers: adaptiveLevers(combined) },
    ...candidates.map((levers, i) => ({ name: `candidate-${i + 1}`, description: describeLevers(levers), levers })),
  ];
}

/** A short human description of a lever setting, for the table. */
export function describeLevers(levers: LeverSettings): string {
  const parts: string[] = [levers.init.kind === 'shrink-perturb' ? `shrink-perturb ${levers.init.lambda}/${levers.init.sigma}` : levers.init.kind];
  if (levers.regularization.kind !== 'none') parts.push(`${levers.regularization.kind} ${levers.regularization.strength}`);
  if (levers.selection.kind === 'easy-hard') parts.push(`drop ${levers.selection.score} easiest ${levers.selection.dropEasiest * 100}% hardest ${levers.selection.dropHardest * 100}%`);
  if (levers.selection.newFraction !== undefined) parts.push(`new share ${levers.selection.newFraction}`);
  parts.push(`S x ${+levers.schedule.stepsFraction.toFixed(3)} at peak LR ${levers.schedule.peakLearningRate}`);
  const adaptive = levers.schedule.adaptive;
  if (adaptive) parts.push(`adaptive (margin ${adaptive.margin}, patience ${adaptive.patience}, up to ${adaptive.maxExtensions} extensions)`);
  if (levers.schedule.averaging) parts.push(`weight average (decay ${levers.schedule.averaging.decay})`);
  return parts.join(' + ');
}
