/**
 * What a running refresh shows of itself: the training activity's heartbeat carries one of these
 * (keys and numbers, never data), and `warmstart status` and `warmstart refresh` read it from the
 * server. Pure module.
 */
export type TrainingPhase = 'loading' | 'scoring' | 'training';

export interface CurveSample {
  step: number;
  accuracy: number;
}

export interface TrainingProgress {
  phase: TrainingPhase;
  step: number;
  /** Steps the schedule plans (null until training starts). */
  plannedSteps: number | null;
  examplesPerSecond: number | null;
  etaSeconds: number | null;
  /** Validation accuracy along the run, the last few evaluations, newest last. */
  curve: CurveSample[];
  /** A warm start's step-0 evaluation is the production model's accuracy on the same examples. */
  productionAccuracy: number | null;
  attempt: number;
  resumedFromStep: number;
  /** When the worker built this record (ISO time). */
  at: string;
}

export const CURVE_SAMPLES_KEPT = 8;

/** Seconds left at the current rate, or null before there is a rate. */
export function etaSeconds(step: number, plannedSteps: number | null, stepsPerSecond: number | null): number | null {
  if (plannedSteps === null || stepsPerSecond === null || stepsPerSecond <= 0) return null;
  return Math.max(0, (plannedSteps - step) / stepsPerSecond);
}

/** `[#########-----------]` for a fraction done. */
export function bar(fraction: number, width = 30): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** `[#########-----------] 1200/4000` */
export function barText(step: number, total: number | null, width = 30): string {
  return total ? `${bar(step / total, width)} ${step}/${total}` : `${bar(0, width)} ${step}/?`;
}

export function durationText(seconds: number | null): string {
  if (seconds === null) return '?';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
