import type { ComputeUsage, TrainingWork } from './usage.js';

/**
 * What one attempt of a training activity got through, as its heartbeats carry it to the next
 * attempt: the step it reached, where it had resumed from, and what it spent so far.
 */
export interface AttemptSpend {
  attempt: number;
  resumedFrom: number;
  reachedStep: number;
  usage: ComputeUsage;
}

/**
 * Steps over a run's attempts. An earlier attempt did the steps from its resume point to the step
 * it last reported (or to the checkpoint the next attempt resumed from, when that is newer); the
 * steps after the next attempt's resume point were lost and redone. Then
 * done = completed run + lost.
 */
export function trainingWork(earlier: AttemptSpend[], final: { resumedFrom: number; steps: number }): TrainingWork {
  let done = 0;
  let lost = 0;
  earlier.forEach((attempt, index) => {
    const nextResume = index + 1 < earlier.length ? earlier[index + 1]!.resumedFrom : final.resumedFrom;
    const reached = Math.max(attempt.reachedStep, nextResume);
    done += reached - attempt.resumedFrom;
    lost += reached - nextResume;
  });
  done += final.steps - final.resumedFrom;
  return { stepsDone: done, stepsLost: lost, stepsRedone: lost, attempts: earlier.length + 1 };
}
