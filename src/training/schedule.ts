/** Learning rate at a step: linear warmup, then cosine decay to `floor` x peak at the last step. */
export interface ScheduleOptions {
  peak: number;
  totalSteps: number;
  warmupSteps: number;
  floor?: number;
}

export function learningRateAt(step: number, options: ScheduleOptions): number {
  const { peak, totalSteps, warmupSteps } = options;
  const floor = (options.floor ?? 0.05) * peak;
  if (warmupSteps > 0 && step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  const span = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / span);
  return floor + ((peak - floor) * (1 + Math.cos(Math.PI * progress))) / 2;
}
