import { barText, durationText } from '../../refresh/progress.js';
import type { RunningRefresh } from '../../temporal/running-refresh.js';
import { pct } from '../output.js';

/** The running refresh as an operator reads it: phase, a bar with ETA, the live metric, attempt and heartbeat age. */
export function runningRefreshLines(running: RunningRefresh): string[] {
  const lines = [`refreshing now: ${running.dataset} v${running.version} (${running.workflowId}), phase ${running.phase ?? running.progress?.phase ?? 'starting'}`];
  if (running.details) lines.push(`  ${running.details}`);
  const { progress, activity } = running;
  if (progress && (progress.phase === 'training' || progress.step > 0)) {
    const rate = progress.examplesPerSecond === null ? '' : `, ${Math.round(progress.examplesPerSecond).toLocaleString('en-US')} examples/s`;
    lines.push(`  ${barText(progress.step, progress.plannedSteps)}  ETA ${durationText(progress.etaSeconds)}${rate}`);
  } else if (progress) {
    lines.push(`  ${progress.phase === 'scoring' ? 'scoring old examples for data selection' : 'loading training data'}...`);
  }
  const latest = progress?.curve.at(-1);
  if (latest) {
    const production = progress!.productionAccuracy === null ? '' : ` (production ${pct(progress!.productionAccuracy)})`;
    lines.push(`  validation accuracy ${pct(latest.accuracy)} at step ${latest.step}${production}; curve ${progress!.curve.map((p) => pct(p.accuracy)).join(' -> ')}`);
  }
  if (activity) {
    const resumed = progress && progress.resumedFromStep > 0 ? `, resumed from step ${progress.resumedFromStep}` : '';
    const heard = activity.secondsSinceHeartbeat === null ? 'no heartbeat yet' : `last heartbeat ${durationText(activity.secondsSinceHeartbeat)} ago`;
    lines.push(`  ${activity.type}: attempt ${activity.attempt}${resumed}; ${heard}`);
    if (activity.state === 'waiting' && activity.attempt > 1) {
      lines.push(`  STALLED: waiting for a worker to retry (attempt ${activity.attempt})${activity.lastFailure ? ` after: ${activity.lastFailure}` : ''}`);
    } else if (activity.late) {
      lines.push(`  LATE: no heartbeat for ${durationText(activity.secondsSinceHeartbeat)} (timeout ${activity.heartbeatTimeoutSeconds} s): the training worker may be stalled or lost`);
    }
  }
  return lines;
}
