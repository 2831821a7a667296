
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
