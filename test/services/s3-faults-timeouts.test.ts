import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { publishFiles } from '../../src/data/publish-files.js';
import { isWarmstartError } from '../../src/errors.js';
import { S3ObjectStore } from '../../src/storage/s3-store.js';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../helpers/fault-proxy.js';
import { repoRoot, testS3, uniqueName } from '../helpers/services.js';

// Stalled S3 requests (the fault proxy holds them unanswered) against the real SeaweedFS: the store's
// timeouts end them with one line, and the CLI's first SIGINT/SIGTERM cancels a publish cleanly.
const { store: direct, config, env } = testS3();
let proxy: FaultProxy;
const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-stall-'));

beforeAll(async () => {
  proxy = await startFaultProxy(config.s3.endpoint!);
});
afterAll(async () => {
  direct.destroy();
  await proxy.close();
});
beforeEach(() => proxy.clear());

function csv(name: string): string {
  const lines = ['a,b,kind'];
  for (let i = 0; i < 30; i++) lines.push(`${i},${(i * 7) % 11},${i % 2 ? 'odd' : 'even'}`);
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** A hang shows up as a failed test with a reason, not as the suite's timeout. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still running after ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function until(what: string, condition: () => boolean): Promise<void> {
  await within(
    (async () => {
      while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50));
    })(),
    90_000,
    `waiting for ${what}`,
  );
}

const stalled = (method: string, pathPattern: RegExp) => proxy.requests.some((r) => r.outcome === 'stall' && r.method === method && pathPattern.test(r.url.split('?')[0]!));
const stall = (method: string, pathPattern: RegExp): FaultRule => ({ method, path: pathPattern, times: Infinity, fault: { kind: 'stall' } });

describe('S3 timeouts', () => {
  const quick = () => {
    if (config.store.kind !== 's3') throw new Error('expected an s3 store');
    return new S3ObjectStore(config.store.bucket, config.store.prefix, { ...config.s3, endpoint: proxy.endpoint }, { maxAttempts: 2, timeouts: { attemptMs: 400, idleMs: 400, deadlineMs: 5_000 } });
  };

  it('a stalled manifest PUT fails the publish in one line, and nothing is left behind', async () => {
    const store = quick();
    const dataset = uniqueName('stall-manifest');
    proxy.inject(stall('PUT', /\/manifest\.json$/));
    const error = await within(publishFiles(store, { dataset, files: [csv('m.csv')], label: 'kind', features: ['a', 'b'] }).catch((e: unknown) => e), 60_000, 'publish with a stalled manifest PUT');
    store.destroy();
    expect(isWarmstartError(error, 'STORE_UNREACHABLE')).toBe(true);
    expect((error as Error).message).toMatch(/manifest\.json timed out: .*up to 2 attempts of 0\.4 s/);
    expect((error as Error).message.split('\n')).toHaveLength(1);
    expect(await direct.list(`datasets/${dataset}/`)).toEqual([]);
  });

  it('a stalled HeadBucket fails the store check in one line', async () => {
    const store = quick();
    proxy.inject({ method: 'HEAD', times: Infinity, fault: { kind: 'stall' } });
    const error = await within(store.check().catch((e: unknown) => e), 60_000, 'check with a stalled HeadBucket');
    store.destroy();
    expect(isWarmstartError(error, 'STORE_UNREACHABLE')).toBe(true);
    expect((error as Error).message).toMatch(/timed out/);
  });
});

describe('the CLI on SIGINT/SIGTERM', () => {
  /** `warmstart publish` through the proxy, as a user runs it. */
  function publish(dataset: string) {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/bin.ts'), 'publish', csv(`${dataset}.csv`), '--dataset', dataset, '--label', 'kind', '--features', 'a,b'], {
      cwd: repoRoot,
      env: { ...process.env, ...env, AWS_ENDPOINT_URL_S3: proxy.endpoint },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr: stderr.trim() })));
    return { child, exited };
  }

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`the first ${signal} during a stalled manifest PUT cancels: exit ${code}, one line, its shards removed`, async () => {
      const dataset = uniqueName(signal.toLowerCase());
      proxy.inject(stall('PUT', /\/manifest\.json$/));
      const run = publish(dataset);
      await until('the stalled manifest PUT', () => stalled('PUT', /\/manifest\.json$/));
      run.child.kill(signal);
      const { code: exitCode, stderr } = await within(run.exited, 60_000, `publish after one ${signal}`);
      expect(stderr).toMatch(new RegExp(`^warmstart: cancelled by ${signal}`));
      expect(stderr.split('\n')).toHaveLength(1);
      expect(exitCode).toBe(code);
      expect(await direct.list(`datasets/${dataset}/`)).toEqual([]);
    });
  }

  it('a second SIGINT exits at once, even while the cleanup is stalled', async () => {
    const dataset = uniqueName('twice');
    proxy.inject(stall('PUT', /\/manifest\.json$/));
    proxy.inject(stall('DELETE', /\.parquet$/));
    const run = publish(dataset);
    await until('the stalled manifest PUT', () => stalled('PUT', /\/manifest\.json$/));
    run.child.kill('SIGINT');
    await until('the stalled cleanup DELETE', () => stalled('DELETE', /\.parquet$/));
    run.child.kill('SIGINT');
    const { code, stderr } = await within(run.exited, 30_000, 'publish after two SIGINTs');
    expect(code).toBe(130);
    expect(stderr).toMatch(/^warmstart: SIGINT again: exiting now, without cleaning up$/);
    // The forced exit left the uploaded shard: remove it, as the message says the user must.
    for (const key of await direct.list(`datasets/${dataset}/`)) await direct.delete(key);
  });
});
