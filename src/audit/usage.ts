import type { AuditEntry } from './ledger.js';

/**
 * What one activity run spent: wall seconds, device-seconds by device class (devices x seconds:
 * `cpu:<model>` counts cores used, `gpu:<name>` counts GPUs), FLOPs where known, and bytes read from
 * the store. Plain JSON: it travels in activity results and ledger entries.
 */
export interface ComputeUsage {
  wallSeconds: number;
  deviceSeconds: Record<string, number>;
  flops: number | null;
  bytesRead: number;
}

/** One activity run in a refresh, finished or not (a lost training attempt, a failed validation). */
export interface ActivityUsage {
  activity: string;
  /** What it worked on: a candidate ID, "validation", "evaluation of <candidate>". */
  subject: string;
  usage: ComputeUsage;
}

/** Optimizer steps over every attempt of one training run: done = the completed run's steps plus the lost ones. */
export interface TrainingWork {
  /** Steps computed across all attempts, lost ones included. */
  stepsDone: number;
  /** Steps computed after the last checkpoint an attempt saved before it was lost: paid for, thrown away. */
  stepsLost: number;
  /** Steps a later attempt computed again (equal to the lost ones once the run completes). */
  stepsRedone: number;
  attempts: number;
}

export const NO_USAGE: ComputeUsage = { wallSeconds: 0, deviceSeconds: {}, flops: null, bytesRead: 0 };

export function addUsage(a: ComputeUsage, b: ComputeUsage): ComputeUsage {
  const deviceSeconds = { ...a.deviceSeconds };
  for (const [deviceClass, seconds] of Object.entries(b.deviceSeconds)) deviceSeconds[deviceClass] = (deviceSeconds[deviceClass] ?? 0) + seconds;
  return { wallSeconds: a.wallSeconds + b.wallSeconds, deviceSeconds, flops: a.flops === null && b.flops === null ? null : (a.flops ?? 0) + (b.flops ?? 0), bytesRead: a.bytesRead + b.bytesRead };
}

export function scaleUsage(usage: ComputeUsage, factor: number): ComputeUsage {
  return { wallSeconds: usage.wallSeconds * factor, deviceSeconds: Object.fromEntries(Object.entries(usage.deviceSeconds).map(([k, v]) => [k, v * factor])), flops: usage.flops === null ? null : usage.flops * factor, bytesRead: usage.bytesRead * factor };
}

/** The device class an entry written before device accounting names by its backend's device description. */
export const UNRECORDED_CPU = 'cpu:unrecorded';

/**
 * Everything a refresh spent. Entries with `usage` list every activity run; older entries only
 * know their finished attempts: training and evaluation seconds, counted as one unrecorded CPU core.
 */
export function entryUsage(entry: AuditEntry): ComputeUsage {
  if (entry.usage) return entry.usage.activities.reduce((sum, a) => addUsage(sum, a.usage), NO_USAGE);
  const legacyClass = (device: string) => (/gpu/i.test(device) ? 'gpu:unrecorded' : UNRECORDED_CPU);
  return entry.attempts.reduce(
    (sum, attempt) =>
      addUsage(sum, {
        wallSeconds: attempt.training.wallSeconds + attempt.evaluation.wallSeconds,
        deviceSeconds: { [legacyClass(attempt.training.device)]: attempt.training.wallSeconds + attempt.evaluation.wallSeconds },
        flops: attempt.training.flops,
        bytesRead: 0,
      }),
    NO_USAGE,
  );
}

/** Training work of an entry over its attempts; entries without it count their finished steps, nothing lost. */
export function entryTrainingWork(entry: AuditEntry): TrainingWork {
  return entry.attempts.reduce(
    (sum, attempt) => {
      const work = attempt.training.work ?? { stepsDone: attempt.training.steps, stepsLost: 0, stepsRedone: 0, attempts: 1 };
      return { stepsDone: sum.stepsDone + work.stepsDone, stepsLost: sum.stepsLost + work.stepsLost, stepsRedone: sum.stepsRedone + work.stepsRedone, attempts: sum.attempts + work.attempts };
    },
    { stepsDone: 0, stepsLost: 0, stepsRedone: 0, attempts: 0 } as TrainingWork,
  );
}

/**
 * The training usage of an entry's retries that were lost: each training attempt's usage scaled by
 * its share of lost steps. Shown apart from the work that produced the candidate.
 */
export function lostUsage(entry: AuditEntry): ComputeUsage {
  if (!entry.usage) return NO_USAGE;
  let lost = NO_USAGE;
  for (const attempt of entry.attempts) {
    const work = attempt.training.work;
    if (!work || work.stepsLost === 0 || work.stepsDone === 0) continue;
    const training = entry.usage.activities.filter((a) => a.activity === 'trainCandidate' && a.subject === attempt.training.candidateId).reduce((sum, a) => addUsage(sum, a.usage), NO_USAGE);
    lost = addUsage(lost, scaleUsage(training, work.stepsLost / work.stepsDone));
  }
  return lost;
}
