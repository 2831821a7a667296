/**
 * The four levers of continual training (see docs/continual.md) as plain JSON: they travel in workflow
 * inputs and are recorded with every candidate. Pure module (no tfjs, no Node): workflows import it.
 */
export type InitLever =
  | { kind: 'scratch' }
  | { kind: 'warm' }
  /** theta = lambda * theta_old + sigma * theta_fresh (Ash & Adams 2020). */
  | { kind: 'shrink-perturb'; lambda: number; sigma: number };

export type RegularizationLever =
  | { kind: 'none' }
  /** strength * sum (w - w_old)^2 over the weights the old model had (grown head rows excluded). */
  | { kind: 'l2-to-old'; strength: number }
  /** strength * sum w^2. */
  | { kind: 'weight-decay'; strength: number };

export type DifficultyScore = 'loss' | 'margin' | 'learning-speed';

export type SelectionLever =
  | {
      kind: 'all';
      /** Share of each batch drawn from new data; absent: the natural proportion. */
      newFraction?: number;
    }
  | {
      kind: 'easy-hard';
      score: DifficultyScore;
      /** Shares of OLD training examples (0..1) treated as easiest / hardest. New data is always kept. */
      dropEasiest: number;
      dropHardest: number;
      mode: 'drop' | 'down-weight';
      /** Loss weight of the easiest/hardest examples in down-weight mode (default 0.25). */
      downWeight?: number;
      newFraction?: number;
      /** learning-speed only: optimizer steps of the probe run that measures it (default 10% of scratch's). */
      probeStepsFraction?: number;
      /** learning-speed only: how many times the probe classifies the old examples (default 8). */
      probeEvaluations?: number;
    };

/**
 * Keep training after the shortened schedule while validation still improves (src/training/adaptive-schedule.ts):
 * each extension is a short re-warmed cosine cycle, and the run never exceeds scratch's steps.
 */
export interface AdaptiveLever {
  /** Least gain in validation accuracy (a fraction: 0.001 is 0.1 point) that counts as still improving. */
  margin: number;
  /** Readings in a row that gain no more than the margin before the run stops (>= 1). */
  patience: number;
  /** Most extensions after the base schedule. */
  maxExtensions: number;
  /** Steps of one extension as a fraction of scratch's steps; absent: half the base schedule's stepsFraction. */
  extensionFraction?: number;
  /** An extension's peak learning rate relative to the schedule's peak (default 0.5; above 1 re-warms past it, for a base peak that was too low). */
  peakFactor?: number;
}

/** Margin 0.3 point: about 3 validation examples of MNIST's 956; at 0.001 (one example) noise-sized gains extended runs to scratch's whole budget (docs/benchmarks.md). */
export const DEFAULT_ADAPTIVE: AdaptiveLever = { margin: 0.003, patience: 1, maxExtensions: 4 };

export interface ScheduleLever {
  /** Optimizer steps as a fraction of the scratch run's steps. */
  stepsFraction: number;
  /** Linear warmup, as a fraction of this run's steps; cosine decay after it. */
  warmupFraction: number;
  peakLearningRate: number;
  /** Stop at the first evaluation whose combined accuracy reaches this value. Needs evaluation data. */
  stopAtAccuracy?: number;
  /** Evaluate every N steps (default: 1/20 of the run when evaluation data is given). */
  evaluateEvery?: number;
  /** Extend the schedule while validation improves; absent: a fixed schedule. Needs validation data. */
  adaptive?: AdaptiveLever;
  /** Deliver (and evaluate) an exponential moving average of the weights; absent: the last weights. */
  averaging?: AveragingLever;
}

/** Polyak averaging over the run (src/training/weight-average.ts). */
export interface AveragingLever {
  /** Per-step decay of the average, in (0, 1): 0.99 averages about the last 100 steps. */
  decay: number;
}

export interface LeverSettings {
  init: InitLever;
  regularization: RegularizationLever;
  selection: SelectionLever;
  schedule: ScheduleLever;
}

export interface LeverSettingsInput {
  init?: InitLever;
  regularization?: RegularizationLever;
  selection?: SelectionLever;
  /** `adaptive`: fields left out take DEFAULT_ADAPTIVE's values; null turns a default's adaptive schedule off. */
  schedule?: Partial<Omit<ScheduleLever, 'adaptive' | 'averaging'>> & { adaptive?: Partial<AdaptiveLever> | null; averaging?: AveragingLever | null };
}

export const DEFAULT_LEVERS: LeverSettings = {
  init: { kind: 'warm' },
  regularization: { kind: 'none' },
  selection: { kind: 'all' },
  schedule: { stepsFraction: 1, warmupFraction: 0.05, peakLearningRate: 1e-3 },
};

/** What `trainCandidate` did before levers existed: scratch for the scratch budget, or a warm copy for the warm budget. */
export function plainLevers(mode: 'scratch' | 'warm', base: { scratchSteps: number; warmSteps: number; warmupSteps: number; learningRate: number }): LeverSettings {
  const steps = mode === 'warm' ? base.warmSteps : base.scratchSteps;
  return {
    init: { kind: mode },
    regularization: { kind: 'none' },
    selection: { kind: 'all' },
    schedule: { stepsFraction: steps / base.scratchSteps, warmupFraction: steps > 0 ? Math.min(1, base.warmupSteps / steps) : 0, peakLearningRate: base.learningRate },
  };
}

/** Merges an input over the defaults (schedule field by field) and validates it. Throws LeverSettingsError. */
export function resolveLevers(input: LeverSettingsInput = {}, defaults: LeverSettings = DEFAULT_LEVERS): LeverSettings {
  const levers: LeverSettings = {
    init: input.init ?? defaults.init,
    regularization: input.regularization ?? defaults.regularization,
    selection: input.selection ?? defaults.selection,
    schedule: resolveSchedule(input.schedule, defaults.schedule),
  };
  const problems = validateLevers(levers);
  if (problems.length > 0) throw new LeverSettingsError(problems);
  return levers;
}

function resolveSchedule(input: LeverSettingsInput['schedule'], defaults: ScheduleLever): ScheduleLever {
  const { adaptive, averaging, ...rest } = input ?? {};
  const schedule: ScheduleLever = { ...defaults, ...rest };
  if (averaging === null) delete schedule.averaging;
  else if (averaging !== undefined) schedule.averaging = averaging;
  if (adaptive === null) delete schedule.adaptive;
  else if (adaptive !== undefined) schedule.adaptive = { ...DEFAULT_ADAPTIVE, ...defaults.adaptive, ...adaptive };
  return schedule;
}

export interface LeverProblem {
  /** e.g. `levers.init.lambda` */
  setting: string;
  message: string;
}

export class LeverSettingsError extends Error {
  constructor(readonly problems: LeverProblem[]) {
    super(problems.map((p) => `${p.setting}: ${p.message}`).join('; '));
    this.name = 'LeverSettingsError';
  }
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Every problem at once, each naming its setting, so a bad configuration is refused before training. */
export function validateLevers(levers: LeverSettings): LeverProblem[] {
  const problems: LeverProblem[] = [];
  const check = (ok: boolean, setting: string, message: string) => void (ok || problems.push({ setting: `levers.${setting}`, message }));
  const unit = (v: unknown, setting: string, closedTop = true) =>
    check(finite(v) && v >= 0 && (closedTop ? v <= 1 : v < 1), setting, `must be a number in [0, ${closedTop ? '1]' : '1)'} (got ${JSON.stringify(v)})`);

  const { init, regularization, selection, schedule } = levers;
  if (init.kind === 'shrink-perturb') {
    unit(init.lambda, 'init.lambda');
    check(finite(init.sigma) && init.sigma >= 0, 'init.sigma', `must be a number >= 0 (got ${JSON.stringify(init.sigma)})`);
  } else check(init.kind === 'scratch' || init.kind === 'warm', 'init.kind', `must be scratch, warm or shrink-perturb (got ${JSON.stringify(init.kind)})`);

  if (regularization.kind === 'l2-to-old' || regularization.kind === 'weight-decay') {
    check(finite(regularization.strength) && regularization.strength >= 0, 'regularization.strength', `must be a number >= 0 (got ${JSON.stringify(regularization.strength)})`);
    check(!(regularization.kind === 'l2-to-old' && init.kind === 'scratch'), 'regularization.kind', 'l2-to-old needs a previous model: use init warm or shrink-perturb, or regularization none/weight-decay');
  } else check(regularization.kind === 'none', 'regularization.kind', `must be none, l2-to-old or weight-decay (got ${JSON.stringify(regularization.kind)})`);

  if (selection.newFraction !== undefined) unit(selection.newFraction, 'selection.newFraction');
  if (selection.kind === 'easy-hard') {
    check(['loss', 'margin', 'learning-speed'].includes(selection.score), 'selection.score', `must be loss, margin or learning-speed (got ${JSON.stringify(selection.score)})`);
    unit(selection.dropEasiest, 'selection.dropEasiest', false);
    unit(selection.dropHardest, 'selection.dropHardest', false);
    check(!(finite(selection.dropEasiest) && finite(selection.dropHardest)) || selection.dropEasiest + selection.dropHardest < 1, 'selection.dropEasiest', `dropEasiest + dropHardest must be below 1 (100%) (got ${selection.dropEasiest} + ${selection.dropHardest})`);
    check(selection.mode === 'drop' || selection.mode === 'down-weight', 'selection.mode', `must be drop or down-weight (got ${JSON.stringify(selection.mode)})`);
    if (selection.downWeight !== undefined) unit(selection.downWeight, 'selection.downWeight');
    if (selection.probeStepsFraction !== undefined) check(finite(selection.probeStepsFraction) && selection.probeStepsFraction > 0 && selection.probeStepsFraction <= 1, 'selection.probeStepsFraction', `must be in (0, 1] (got ${selection.probeStepsFraction})`);
    if (selection.probeEvaluations !== undefined) check(Number.isInteger(selection.probeEvaluations) && selection.probeEvaluations >= 2, 'selection.probeEvaluations', `must be an integer >= 2 (got ${selection.probeEvaluations})`);
    check(!(selection.score !== 'learning-speed' && init.kind === 'scratch'), 'selection.score', `${selection.score} is scored by the previous model: use init warm or shrink-perturb, or score learning-speed`);
  } else check(selection.kind === 'all', 'selection.kind', `must be all or easy-hard (got ${JSON.stringify((selection as { kind: unknown }).kind)})`);

  check(finite(schedule.stepsFraction) && schedule.stepsFraction > 0 && schedule.stepsFraction <= 10, 'schedule.stepsFraction', `must be in (0, 10] (got ${JSON.stringify(schedule.stepsFraction)})`);
  unit(schedule.warmupFraction, 'schedule.warmupFraction', false);
  check(finite(schedule.peakLearningRate) && schedule.peakLearningRate > 0, 'schedule.peakLearningRate', `must be a number > 0 (got ${JSON.stringify(schedule.peakLearningRate)})`);
  if (schedule.stopAtAccuracy !== undefined) unit(schedule.stopAtAccuracy, 'schedule.stopAtAccuracy');
  if (schedule.evaluateEvery !== undefined) check(Number.isInteger(schedule.evaluateEvery) && schedule.evaluateEvery >= 1, 'schedule.evaluateEvery', `must be an integer >= 1 (got ${schedule.evaluateEvery})`);
  if (schedule.adaptive !== undefined) problems.push(...adaptiveProblems(schedule.adaptive));
  if (schedule.averaging !== undefined) {
    const decay = (schedule.averaging as { decay?: unknown } | null)?.decay;
    check(finite(decay) && decay > 0 && decay < 1, 'schedule.averaging.decay', `must be a number in (0, 1), e.g. 0.99 to average about the last 100 steps (got ${JSON.stringify(decay)})`);
    // The adaptive schedule keeps and compares the trained weights of its cycle ends, not an average.
    check(schedule.adaptive === undefined, 'schedule.averaging', 'cannot be combined with schedule.adaptive: drop one of them');
  }
  return problems;
}

function adaptiveProblems(adaptive: AdaptiveLever): LeverProblem[] {
  const problems: LeverProblem[] = [];
  const check = (ok: boolean, field: string, message: string) => void (ok || problems.push({ setting: `levers.schedule.adaptive.${field}`, message }));
  if (typeof adaptive !== 'object' || adaptive === null) return [{ setting: 'levers.schedule.adaptive', message: `must be an object {margin, patience, maxExtensions} (got ${JSON.stringify(adaptive)})` }];
  const { margin, patience, maxExtensions, extensionFraction, peakFactor } = adaptive;
  check(finite(margin) && margin >= 0 && margin < 1, 'margin', `must be a gain in validation accuracy in [0, 1), e.g. 0.001 for 0.1 point (got ${JSON.stringify(margin)})`);
  check(Number.isInteger(patience) && patience >= 1, 'patience', `must be an integer >= 1 (got ${JSON.stringify(patience)})`);
  check(Number.isInteger(maxExtensions) && maxExtensions >= 0 && maxExtensions <= 100, 'maxExtensions', `must be an integer in [0, 100] (got ${JSON.stringify(maxExtensions)})`);
  if (extensionFraction !== undefined) check(finite(extensionFraction) && extensionFraction > 0 && extensionFraction <= 1, 'extensionFraction', `must be a fraction of scratch's steps in (0, 1] (got ${JSON.stringify(extensionFraction)})`);
  if (peakFactor !== undefined) check(finite(peakFactor) && peakFactor > 0 && peakFactor <= 10, 'peakFactor', `must be in (0, 10], e.g. 0.5 for half the schedule's peak (got ${JSON.stringify(peakFactor)})`);
  const known = ['margin', 'patience', 'maxExtensions', 'extensionFraction', 'peakFactor'];
  for (const field of Object.keys(adaptive)) check(known.includes(field), field, `is not a setting of the adaptive schedule: use ${known.join(', ')}`);
  return problems;
}

/** Steps of a run: the schedule's fraction of the scratch budget, at least one. */
export function leverSteps(levers: LeverSettings, scratchSteps: number): number {
  return Math.max(1, Math.round(levers.schedule.stepsFraction * scratchSteps));
}
