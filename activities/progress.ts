import { CURVE_SAMPLES_KEPT, etaSeconds, type CurveSample, type TrainingPhase, type TrainingProgress } from '../src/refresh/progress.js';

/** Builds the progress record the training heartbeat carries, from the events of one attempt. */
export function trackTrainingProgress(options: { attempt: number; batchSize: number; now?: () => number }) {
  const now = options.now ?? (() => Date.now());
  let phase: TrainingPhase = 'loading';
  let step = 0;
  let plannedSteps: number | null = null;
  let resumedFromStep = 0;
  let rateFrom: { step: number; at: number } | null = null;
  let stepsPerSecond: number | null = null;
  let productionAccuracy: number | null = null;
  const curve: CurveSample[] = [];
  return {
    enter(next: TrainingPhase) {
      phase = next;
    },
    plan(planned: number) {
      plannedSteps = planned;
    },
    resumedFrom(from: number) {
      resumedFromStep = from;
      step = from;
    },
    stepped(current: number, planned: number) {
      phase = 'training';
      plannedSteps = planned;
      const at = now();
      // The rate counts from the first step seen in this attempt, so loading and scoring do not skew it.
      if (!rateFrom) rateFrom = { step: current, at };
      else if (at > rateFrom.at && current > rateFrom.step) stepsPerSecond = ((current - rateFrom.step) * 1000) / (at - rateFrom.at);
      step = current;
    },
    evaluated(sample: CurveSample, isWarmStart: boolean) {
      if (sample.step === 0 && isWarmStart) productionAccuracy = sample.accuracy;
      curve.push(sample);
      if (curve.length > CURVE_SAMPLES_KEPT) curve.splice(0, curve.length - CURVE_SAMPLES_KEPT);
    },
    snapshot(): TrainingProgress {
      return {
        phase,
        step,
        plannedSteps,
        examplesPerSecond: stepsPerSecond === null ? null : stepsPerSecond * options.batchSize,
        etaSeconds: etaSeconds(step, plannedSteps, stepsPerSecond),
        curve: [...curve],
        productionAccuracy,
        attempt: options.attempt,
        resumedFromStep,
        at: new Date(now()).toISOString(),
      };
    },
  };
}
