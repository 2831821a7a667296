import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/cli.js';
import { testS3, uniqueName } from '../helpers/services.js';

// run(argv, io) in this process against the real local services, including its error paths
// (argument errors, help and exit codes without services: test/unit/cli).
const { store, env } = testS3();
afterAll(() => store.destroy());

const cli = (args: string[], overrides: Record<string, string> = {}) => runInProcess(args, { ...env, ...overrides });

describe('warmstart CLI', () => {
  it('a wrong S3 endpoint: one line naming the endpoint, non-zero exit', async () => {
    const { code, stderr } = await cli(['check'], { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' });
    expect(code).toBe(2);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/STORE_UNREACHABLE.*http:\/\/127\.0\.0\.1:9/);
  });

  it('a missing bucket: one line naming the bucket', async () => {
    const { code, stderr } = await cli(['check'], { WARMSTART_STORE: 's3://no-such-bucket-for-warmstart/x' });
    expect(code).toBe(2);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/bucket "no-such-bucket-for-warmstart" does not exist/);
  });

  it('a malformed setting names the variable and the fix', async () => {
    const { code, stderr } = await cli(['check'], { TEMPORAL_ADDRESS: 'no-port' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/TEMPORAL_ADDRESS must be host:port .*127\.0\.0\.1:7233/);
  });

  it('imports MNIST versions, validates them, and refuses a manifest that does not parse without signalling', async () => {
    const dataset = uniqueName('cli-mnist');
    const imported = await cli(['import', 'mnist', '--dataset', dataset, '--versions', '0-6,7-9', '--limit', '200', '--json']);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout).map((r: { version: number }) => r.version)).toEqual([1, 2]);

    const valid = await cli(['validate', '--dataset', dataset, '--version', '2']);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(/2 shards, \d+ rows \(200 new; train \d+, validation \d+, test \d+\)/);

    await store.put(`datasets/${dataset}/v3/manifest.json`, 'not json at all');
    const before = await store.list('');
    const refused = await cli(['refresh', '--model', uniqueName('m'), '--dataset', dataset, '--version', '3']);
    expect(refused.code).toBe(2);
    expect(refused.stderr.split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/DATASET_INVALID.*v3\/manifest\.json is not valid JSON/);
    expect(await store.list('')).toEqual(before);
  });

  it('an unreachable Temporal server: a clear message, not a stack trace', async () => {
    const dataset = uniqueName('cli-tiny');
    expect((await cli(['import', 'mnist', '--dataset', dataset, '--versions', '3', '--limit', '50'])).code).toBe(0);
    const { code, stderr } = await cli(['refresh', '--model', 'm', '--dataset', dataset, '--version', '1'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^warmstart: error \[TEMPORAL_UNREACHABLE\]: cannot reach Temporal at 127\.0\.0\.1:1/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('an unknown version is named', async () => {
    const { code, stderr } = await cli(['validate', '--dataset', 'nope', '--version', '4']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/dataset nope has no version 4/);
  });
});
