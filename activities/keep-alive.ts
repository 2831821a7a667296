import { Context } from '@temporalio/activity';

/**
 * How often a control activity says it is alive. The workflow's heartbeat timeout for control
 * activities (CONTROL_HEARTBEAT_TIMEOUT in workflows/activities.ts) is several of these, so a killed
 * worker's attempt is retried within seconds instead of after its start-to-close timeout.
 */
export const KEEP_ALIVE_EVERY_MS = 2_000;

/** The details each running activity last reported, so the timer's beats repeat them instead of blanking them. */
const lastDetails = new WeakMap<Context, unknown>();

/**
 * A progress heartbeat from inside a kept-alive activity: Temporal keeps only the latest heartbeat's
 * details, so a detail-less timer beat would blank what the UI and `describe` show a second later.
 */
export function heartbeatProgress(context: Context, details: unknown): void {
  lastDetails.set(context, details);
  context.heartbeat(details);
}

/**
 * Wraps a control activity so that it heartbeats on a timer while it runs: a store write or a
 * validation pass that waits on S3 for a minute still heartbeats, and only a lost process goes quiet.
 * Heartbeats also carry cancellation to the activity. The timer repeats the last progress details the
 * activity reported through heartbeatProgress (those of control activities are for people: nothing
 * resumes from them).
 */
export function keepingAlive<A extends unknown[], R>(activity: (...args: A) => Promise<R>, everyMs = KEEP_ALIVE_EVERY_MS): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    const context = Context.current();
    context.heartbeat();
    const timer = setInterval(() => context.heartbeat(lastDetails.get(context)), everyMs);
    try {
      return await activity(...args);
    } finally {
      clearInterval(timer);
      lastDetails.delete(context);
    }
  };
}
