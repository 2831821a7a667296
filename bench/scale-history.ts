/**
 * Where a refresh's wall time goes, read from its Temporal history (bench/scale.ts): its activities'
 * wait for a worker slot and their run, and the rest, orchestration, split by round-trip. A round-trip
 * is one workflow task, named by what woke the workflow (its start, or the activity that completed),
 * in two parts: dispatch (scheduled -> started: the server hands the task to a polling worker) and
 * run (started -> completed: the worker runs the workflow code, and any local activity inside it).
 * Local activities run inside a workflow task: their time (from the marker's completion time) is
 * counted as activity run, not orchestration.
 */
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const eventMs = (event: HistoryEvent) => Number(event.eventTime?.seconds ?? 0) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;
const timestampMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;

/** One workflow task's round-trip, in seconds. */
export interface RoundTrip {
  after: string;
  dispatch: number;
  /** The worker's time on the task, less the local activities it ran. */
  run: number;
}

export interface RefreshTiming {
  wall: number;
  activityWait: number;
  activityRun: number;
  localActivityRun: number;
  orchestration: number;
  workflowTasks: number;
  activities: number;
  localActivities: number;
  events: number;
  roundTrips: RoundTrip[];
  /** Events by type (e.g. MarkerRecorded, ActivityTaskScheduled). */
  eventTypes: Record<string, number>;
}

const TYPE_NAMES: Record<number, string> = {};

/** The event type's name (EVENT_TYPE_ACTIVITY_TASK_SCHEDULED -> ActivityTaskScheduled), from whichever attributes field is set. */
function eventTypeOf(event: HistoryEvent): string {
  const key = Object.keys(event).find((k) => k.endsWith('EventAttributes') && (event as Record<string, unknown>)[k]);
  if (!key) return TYPE_NAMES[Number(event.eventType)] ?? `type ${String(event.eventType)}`;
  const name = key.slice(0, -'EventAttributes'.length);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** A local activity's marker: its type and completion time (the SDK's marker data is JSON). */
function localActivityOf(event: HistoryEvent): { type: string; completedMs: number } | null {
  const marker = event.markerRecordedEventAttributes;
  if (!marker || marker.markerName !== 'core_local_activity') return null;
  const data = marker.details?.data?.payloads?.[0]?.data;
  if (!data) return null;
  try {
    const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string; complete_time?: { seconds?: number; nanos?: number } | string };
    const complete = parsed.complete_time;
    const completedMs = typeof complete === 'string' ? Date.parse(complete) : timestampMs(complete);
    return { type: parsed.activity_type ?? 'local activity', completedMs };
  } catch {
    return null;
  }
}

export function timingOf(events: HistoryEvent[]): RefreshTiming {
  const scheduled = new Map<string, { at: number; type: string }>();
  const started = new Map<string, number>();
  const timing = { activityWait: 0, activityRun: 0, localActivityRun: 0, workflowTasks: 0, activities: 0, localActivities: 0 };
  const roundTrips: RoundTrip[] = [];
  const eventTypes: Record<string, number> = {};
  let wakeBy = 'workflow start';
  let task: { scheduledAt: number; startedAt: number | null; after: string } | null = null;
  // Local activities resolve inside the task that scheduled them, one after another, from its start.
  let localFrom = 0;
  for (const event of events) {
    const type = eventTypeOf(event);
    eventTypes[type] = (eventTypes[type] ?? 0) + 1;
    if (event.workflowTaskScheduledEventAttributes) task = { scheduledAt: eventMs(event), startedAt: null, after: wakeBy };
    if (event.workflowTaskStartedEventAttributes && task) {
      task.startedAt = eventMs(event);
      localFrom = task.startedAt;
    }
    if (event.workflowTaskCompletedEventAttributes && task && task.startedAt !== null) {
      timing.workflowTasks++;
      roundTrips.push({ after: task.after, dispatch: (task.startedAt - task.scheduledAt) / 1000, run: (eventMs(event) - task.startedAt) / 1000 });
      task = null;
    }
    const local = localActivityOf(event);
    if (local) {
      timing.localActivities++;
      // The marker is written when the task completes; the activity's own completion time says when it ended.
      const ran = Math.max(0, local.completedMs - localFrom) / 1000;
      timing.localActivityRun += ran;
      localFrom = Math.max(localFrom, local.completedMs);
      const trip = roundTrips.at(-1);
      if (trip) Object.assign(trip, { after: `${trip.after}, then ${local.type} (local)`, run: Math.max(0, trip.run - ran) });
    }
    const schedule = event.activityTaskScheduledEventAttributes;
    if (schedule) {
      timing.activities++;
      scheduled.set(String(event.eventId), { at: eventMs(event), type: schedule.activityType?.name ?? 'activity' });
    }
    const start = event.activityTaskStartedEventAttributes;
    if (start) started.set(String(start.scheduledEventId), eventMs(event));
    const closed = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
    if (closed) {
      const key = String(closed.scheduledEventId);
      const at = started.get(key) ?? eventMs(event);
      timing.activityWait += (at - (scheduled.get(key)?.at ?? at)) / 1000;
      timing.activityRun += (eventMs(event) - at) / 1000;
      wakeBy = scheduled.get(key)?.type ?? 'activity';
    }
    if (event.childWorkflowExecutionCompletedEventAttributes) wakeBy = 'child workflow';
    if (event.timerFiredEventAttributes) wakeBy = 'timer';
  }
  const wall = events.length > 1 ? (eventMs(events.at(-1)!) - eventMs(events[0]!)) / 1000 : 0;
  const outside = timing.activityWait + timing.activityRun + timing.localActivityRun;
  return { ...timing, wall, orchestration: Math.max(0, wall - outside), events: events.length, roundTrips, eventTypes };
}

/** Mean dispatch and run per round-trip name, over many refreshes, and event counts per refresh. */
export function summarizeRoundTrips(timings: RefreshTiming[]) {
  const byName = new Map<string, { n: number; dispatch: number; run: number }>();
  const types: Record<string, number> = {};
  for (const timing of timings) {
    for (const trip of timing.roundTrips) {
      const sum = byName.get(trip.after) ?? { n: 0, dispatch: 0, run: 0 };
      byName.set(trip.after, { n: sum.n + 1, dispatch: sum.dispatch + trip.dispatch, run: sum.run + trip.run });
    }
    for (const [type, count] of Object.entries(timing.eventTypes)) types[type] = (types[type] ?? 0) + count;
  }
  const n = Math.max(1, timings.length);
  const roundTrips = [...byName.entries()].map(([after, s]) => ({ after, perRefresh: s.n / n, dispatchMs: (1000 * s.dispatch) / s.n, runMs: (1000 * s.run) / s.n }));
  const eventsPerRefresh: Record<string, number> = Object.fromEntries(Object.entries(types).map(([type, count]): [string, number] => [type, count / n]).sort((a, b) => b[1] - a[1]));
  const sum = (pick: (t: RefreshTiming) => number) => timings.reduce((s, t) => s + pick(t), 0) / n;
  const split = {
    workflowTaskDispatch: sum((t) => t.roundTrips.reduce((s, r) => s + r.dispatch, 0)),
    workflowTaskRun: sum((t) => t.roundTrips.reduce((s, r) => s + r.run, 0)),
  };
  return { roundTrips, eventsPerRefresh, orchestrationSplitSeconds: { ...split, other: sum((t) => t.orchestration) - split.workflowTaskDispatch - split.workflowTaskRun } };
}
