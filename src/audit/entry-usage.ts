/** What a ledger entry spent, read from the entry (older entries without usage records included). */
import type { AuditEntry } from './ledger.js';
import { addUsage, NO_USAGE, scaleUsage, type ComputeUsage, type TrainingWork } from './usage.js';

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
