import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { heartbeatProgress, keepingAlive } from '../../activities/keep-alive.js';
import { Context } from '@temporalio/activity';
import { CONTROL_HEARTBEAT_TIMEOUT } from '../../workflows/activities.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';

// Control activities heartbeat on a timer while they run, so the workflow's short heartbeat timeout
// notices a killed worker within seconds, while a live one waiting on a slow store call is left alone.
/** Failures are expected here: keep their warnings out of the test output. */
const quiet = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
const seconds = (duration: string) => Number(/^(\d+) seconds$/.exec(duration)![1]);

describe('keepingAlive', () => {
  it('heartbeats while the activity runs, carries its result, and stops when it returns', async () => {
    const env = quiet();
    let beats = 0;
    let enough: () => void = () => undefined;
    env.on('heartbeat', () => {
      if (++beats >= 4) enough();
    });
    // The activity does nothing but wait until the timer has heartbeat four times: it returns only if the timer runs.
    const slowStoreCall = keepingAlive(() => new Promise<string>((resolve) => (enough = () => resolve('done'))), 10);
    expect(await env.run(slowStoreCall)).toBe('done');
    const atReturn = beats;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(beats).toBe(atReturn);
  });

  it('passes a failure through and stops heartbeating', async () => {
    const env = quiet();
    let beats = 0;
    env.on('heartbeat', () => beats++);
    const failing = keepingAlive(() => Promise.reject(new Error('store said no')), 10);
    await expect(env.run(failing)).rejects.toThrow('store said no');
    const atFailure = beats;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(beats).toBe(atFailure);
  });

  it("the timer's beats repeat the activity's last progress details instead of blanking them", async () => {
    const env = quiet();
    const seen: unknown[] = [];
    let enough: () => void = () => undefined;
    env.on('heartbeat', (details: unknown) => {
      seen.push(details);
      if (seen.length >= 5) enough();
    });
    const validating = keepingAlive(async () => {
      heartbeatProgress(Context.current(), { rowsRead: 100 });
      await new Promise<void>((resolve) => (enough = resolve));
    }, 10);
    await env.run(validating);
    // The first beat comes before any progress; every beat after the report carries it.
    expect(seen[0]).toBeUndefined();
    expect(seen[1]).toEqual({ rowsRead: 100 });
    expect(seen.slice(2).every((details) => JSON.stringify(details) === '{"rowsRead":100}')).toBe(true);
  });

  it('every control activity heartbeats at once, well inside the control heartbeat timeout', async () => {
    // A missing ledger summary makes each fail fast after its first store read; the first heartbeat comes before.
    const activities = createActivities({ store: new LocalObjectStore('/nonexistent-warmstart-keep-alive') } as Parameters<typeof createActivities>[0]);
    for (const name of ['loadRefreshContext', 'markVersionRejected', 'evaluateCandidate', 'promoteCandidate', 'recordAudit', 'recordBlessing', 'operatorPromote'] as const) {
      const env = quiet();
      let beats = 0;
      env.on('heartbeat', () => beats++);
      await env.run(activities[name] as (input: unknown) => Promise<unknown>, {}).catch(() => undefined);
      expect(beats, name).toBeGreaterThan(0);
    }
    expect(seconds(CONTROL_HEARTBEAT_TIMEOUT)).toBeLessThanOrEqual(30);
  });
});
