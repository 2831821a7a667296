/**
 * The adaptive warm-start schedule: train the shortened schedule, then keep going in short re-warmed
 * cosine cycles while validation accuracy still improves by more than a margin; stop on a plateau, at
 * the cap on extensions, or at scratch's step budget. Pure (no tfjs, no Node): its state is plain JSON
 * that a checkpoint carries, so a resumed run takes the same decisions at the same steps. When it
 * stops, the run ends with the weights of its best cycle end (bestSettled), not of its last cycle: an
 * extension that loses must not leave the refresh below what it already had.
 *
 * Why re-warm rather than stretch the cosine tail: every decision is taken at the end of a cycle, where
 * the learning rate is back at the floor, so each reading is of a settled model and readings compare
 * like with like. Stretching the tail would raise the rate again anyway (the cosine of a longer run is
 * higher at the same step), without a warmup; training on at the floor rate (5% of the peak) is too slow
 * to fix an underfit head. The extension's lower peak (half, by default) limits how far it moves the
 * model away from the settled point it starts from.
 */
import { DEFAULT_ADAPTIVE, type AdaptiveLever, type ScheduleLever } from './levers.js';
import { learningRateAt } from './schedule.js';

/** Why a run stopped where it did; fixed-schedule and target-accuracy are the non-adaptive cases. */
export type StopReason = 'fixed-schedule' | 'target-accuracy' | 'plateau' | 'max-extensions' | 'scratch-budget';

/** One warmup + cosine cycle: the base schedule, then each extension. */
export interface ScheduleCycle {
  start: number;
  steps: number;
  peak: number;
  warmupSteps: number;
  /** The cosine's end as a fraction of this cycle's peak (the same absolute rate for every cycle). */
  floor: number;
}

/** A validation accuracy the stop rule read, at a step. */
export interface ValidationReading {
  step: number;
  accuracy: number;
}

export interface AdaptiveState {
  cycles: ScheduleCycle[];
  /** The reading in the base schedule's tail, its reference; null until read (or when the base is too short for one). */
  probe: ValidationReading | null;
  /** The reading at the end of every cycle so far. */
  readings: ValidationReading[];
  /** Readings in a row that gained no more than the margin. */
  stale: number;
  stop: StopReason | null;
  /** Set when the rule stops: the settled reading whose weights the run ends with (absent in older checkpoints). */
  kept?: ValidationReading;
}

/** What the ledger records about where training stopped. */
export interface TrainingStop {
  reason: StopReason;
  /** Extension cycles run after the base schedule. */
  extensions: number;
  /** Optimizer steps the run took in all, and the base schedule's share of them. */
  steps: number;
  baseSteps: number;
  /** The validation readings the decisions were taken on (the base's tail, then every cycle's end). */
  readings?: ValidationReading[];
  /**
   * Adaptive runs the rule stopped: the cycle end whose weights the model has (the best settled
   * reading). Its step is the run's last when the last cycle was the best; absent in older entries.
   */
  kept?: ValidationReading;
}

/** Where in the base schedule the reference reading is taken: in the cosine tail, at a quarter of the peak rate or below. */
export const PROBE_FRACTION = 0.75;
const BASE_FLOOR = 0.05;
const DEFAULT_PEAK_FACTOR = 0.5;

export function resolvedAdaptive(schedule: ScheduleLever): Required<AdaptiveLever> | null {
  if (!schedule.adaptive) return null;
  const adaptive = { ...DEFAULT_ADAPTIVE, ...schedule.adaptive };
  return { ...adaptive, extensionFraction: adaptive.extensionFraction ?? schedule.stepsFraction / 2, peakFactor: adaptive.peakFactor ?? DEFAULT_PEAK_FACTOR };
}

/** The state before training: the base schedule as the only cycle. */
export function startSchedule(schedule: ScheduleLever, baseSteps: number): AdaptiveState {
  const base: ScheduleCycle = { start: 0, steps: baseSteps, peak: schedule.peakLearningRate, warmupSteps: Math.round(schedule.warmupFraction * baseSteps), floor: BASE_FLOOR };
  return { cycles: [base], probe: null, readings: [], stale: 0, stop: null };
}

export function totalSteps(state: AdaptiveState): number {
  const last = state.cycles.at(-1)!;
  return last.start + last.steps;
}

export function probeStep(baseSteps: number): number | null {
  const step = Math.round(PROBE_FRACTION * baseSteps);
  return step >= 1 && step < baseSteps ? step : null;
}

/** The next step at which the rule needs a validation reading; null once it has stopped. */
export function nextReading(state: AdaptiveState): number | null {
  if (state.stop !== null) return null;
  const probe = probeStep(state.cycles[0]!.steps);
  if (state.readings.length === 0 && state.probe === null && probe !== null) return probe;
  return totalSteps(state);
}

/** The learning rate at a step: that of the cycle it falls in (the last one past the end). */
export function cycleLearningRate(state: AdaptiveState, step: number): number {
  let cycle = state.cycles[0]!;
  for (const c of state.cycles) if (c.start <= step) cycle = c;
  return learningRateAt(step - cycle.start, { peak: cycle.peak, totalSteps: cycle.steps, warmupSteps: cycle.warmupSteps, floor: cycle.floor });
}

/** A reading in the base's tail is only recorded; one at a cycle's end extends the schedule or stops it. */
export type Decision = { kind: 'probe' } | { kind: 'extend'; cycle: ScheduleCycle; stale: number } | { kind: 'stop'; reason: StopReason; stale: number };

/**
 * The stop rule, pure. At a cycle's end: the gain is the reading minus the best earlier settled reading
 * (the base's tail probe, then earlier cycle ends); a gain above the margin resets patience. Stop on a
 * plateau (patience readings in a row without such a gain), at maxExtensions, or when scratch's budget
 * is spent; otherwise extend by one cycle, shortened to what is left of the budget.
 */
export function decide(state: AdaptiveState, reading: ValidationReading, adaptive: Required<AdaptiveLever>, scratchSteps: number): Decision {
  if (state.readings.length === 0 && state.probe === null && reading.step === probeStep(state.cycles[0]!.steps)) return { kind: 'probe' };
  const earlier = [...(state.probe ? [state.probe.accuracy] : []), ...state.readings.map((r) => r.accuracy)];
  const gain = earlier.length === 0 ? Number.POSITIVE_INFINITY : reading.accuracy - Math.max(...earlier);
  // A tolerance below any real accuracy step, so 0.501 - 0.5 is not taken for more than a margin of 0.001.
  const stale = gain - adaptive.margin > 1e-9 ? 0 : state.stale + 1;
  if (stale >= adaptive.patience) return { kind: 'stop', reason: 'plateau', stale };
  if (state.cycles.length - 1 >= adaptive.maxExtensions) return { kind: 'stop', reason: 'max-extensions', stale };
  const start = totalSteps(state);
  const steps = Math.min(Math.max(1, Math.round(adaptive.extensionFraction * scratchSteps)), scratchSteps - start);
  if (steps <= 0) return { kind: 'stop', reason: 'scratch-budget', stale };
  const base = state.cycles[0]!;
  const peak = base.peak * adaptive.peakFactor;
  const warmupSteps = Math.round((base.warmupSteps / Math.max(1, base.steps)) * steps);
  return { kind: 'extend', cycle: { start, steps, peak, warmupSteps, floor: Math.min(1, (base.floor * base.peak) / peak) }, stale };
}

/**
 * The settled reading (a cycle end, never the base's tail probe, which is read at a higher rate) whose
 * weights a run keeps: the best so far, the later one on a tie. Later on a tie because the later
 * model has trained on more data at the same validation accuracy, and because a run whose last cycle
 * ties its best then keeps the weights it ends with: a run whose extensions never lose is bit for bit
 * the run it was before weights were kept.
 */
export function bestSettled(readings: readonly ValidationReading[]): ValidationReading | null {
  let best: ValidationReading | null = null;
  for (const reading of readings) if (best === null || reading.accuracy >= best.accuracy) best = reading;
  return best;
}

/** Applies a reading to the state (in place: it is the checkpoint's) and returns the rule's decision. */
export function takeReading(state: AdaptiveState, reading: ValidationReading, adaptive: Required<AdaptiveLever>, scratchSteps: number): Decision {
  const decision = decide(state, reading, adaptive, scratchSteps);
  if (decision.kind === 'probe') {
    state.probe = reading;
    return decision;
  }
  state.stale = decision.stale;
  state.readings.push(reading);
  if (decision.kind === 'stop') {
    state.stop = decision.reason;
    state.kept = bestSettled(state.readings)!;
  } else state.cycles.push(decision.cycle);
  return decision;
}

/** The ledger's record of the run's end. */
export function trainingStop(state: AdaptiveState, options: { adaptive: boolean; stoppedEarly: boolean; steps: number }): TrainingStop {
  const reason: StopReason = options.stoppedEarly ? 'target-accuracy' : options.adaptive ? (state.stop ?? 'fixed-schedule') : 'fixed-schedule';
  const stop: TrainingStop = { reason, extensions: state.cycles.length - 1, steps: options.steps, baseSteps: state.cycles[0]!.steps };
  if (options.adaptive) stop.readings = [...(state.probe ? [state.probe] : []), ...state.readings];
  if (options.adaptive && !options.stoppedEarly && state.stop !== 'target-accuracy' && state.kept) stop.kept = state.kept;
  return stop;
}
