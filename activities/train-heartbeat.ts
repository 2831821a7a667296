/**
 * What the training activity reports while it runs: a heartbeat with the newest checkpoint, the spend
 * of this attempt and the earlier ones (so a retry, or the ledger after a lost worker, knows what was
 * done and lost), and the progress record `warmstart status` shows.
 */
import type { Context } from '@temporalio/activity';
import { ONE_CORE, type DeviceUse, type startMeter } from '../src/audit/measure.js';
import type { AttemptSpend } from '../src/audit/training-work.js';
import type { TrainingProgress } from '../src/refresh/progress.js';
import { trackTrainingProgress } from './progress.js';

/** What a heartbeat carries: a reference to the latest complete checkpoint, never weights. */
export interface TrainHeartbeat {
  step: number;
  checkpointKey: string | null;
  /** Spend of the attempts before this one, and of this one so far: what a retry counts as done and lost. */
  earlier?: AttemptSpend[];
  current?: AttemptSpend;
  /** Phase, step, rate, ETA and the validation curve so far, for `warmstart status` and the UI. */
  progress?: TrainingProgress;
}

/** The attempts before this one, from the last heartbeat the server kept. */
function earlierAttempts(heard: TrainHeartbeat | undefined, attempt: number): AttemptSpend[] {
  if (!heard) return [];
  const last = heard.current ?? { attempt: attempt - 1, resumedFrom: 0, reachedStep: 0, usage: { wallSeconds: 0, deviceSeconds: {}, flops: null, bytesRead: 0 } };
  return [...(heard.earlier ?? []), { ...last, reachedStep: Math.max(last.reachedStep, heard.step) }];
}

export class AttemptReporter {
  /** What the last heartbeat the server kept said: the previous attempt's step and checkpoint. */
  readonly heard: TrainHeartbeat | undefined;
  readonly earlier: AttemptSpend[];
  readonly progress: ReturnType<typeof trackTrainingProgress>;
  devices: DeviceUse[] = ONE_CORE();
  bytesRead = 0;
  resumedFrom: number;

  constructor(
    private readonly context: Context,
    private readonly meter: ReturnType<typeof startMeter>,
    batchSize: number,
  ) {
    this.heard = context.info.heartbeatDetails as TrainHeartbeat | undefined;
    this.earlier = earlierAttempts(this.heard, context.info.attempt);
    this.resumedFrom = this.heard?.step ?? 0;
    this.progress = trackTrainingProgress({ attempt: context.info.attempt, batchSize });
  }

  beat(step: number, checkpointKey: string | null): void {
    const { attempt } = this.context.info;
    this.context.heartbeat({
      step,
      checkpointKey,
      earlier: this.earlier,
      current: { attempt, resumedFrom: this.resumedFrom, reachedStep: step, usage: this.meter.finish(this.devices, { bytesRead: this.bytesRead }) },
      progress: this.progress.snapshot(),
    } satisfies TrainHeartbeat);
  }

  /** The worker is shutting down (SIGTERM): the run checkpoints where it is and hands itself back. */
  readonly shuttingDown = (): boolean => this.context.cancellationSignal.aborted && this.context.cancellationDetails?.workerShutdown === true;
  readonly cancelled = (): unknown => this.context.cancellationSignal.reason ?? new Error('cancelled');

  /**
   * Heartbeat while loading or scoring, from the first moment on: loading data can outlast the
   * heartbeat timeout, and the server times out a silent attempt while it goes on running.
   */
  readonly stillHere = (): void => this.beat(this.heard?.step ?? 0, this.heard?.checkpointKey ?? null);
}
