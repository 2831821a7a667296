import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { isWarmstartError } from '../../src/errors.js';
import { temporalConnection } from '../../src/temporal/connection.js';
import { workerTuning } from '../../src/temporal/worker-tuning.js';

function problem(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isWarmstartError(error, 'CONFIG_INVALID')) return error.message;
    throw error;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('worker settings from the environment', () => {
  it('defaults suit one machine: 4 control activities, 1 training run, no metrics, no versioning', () => {
    expect(loadConfig({}).worker).toEqual({ controlActivitySlots: 4, trainingSlots: 1 });
  });

  it('reads slots, the metrics endpoint and the deployment version', () => {
    const worker = loadConfig({
      WARMSTART_CONTROL_ACTIVITY_SLOTS: '16',
      WARMSTART_TRAINING_SLOTS: '2',
      WARMSTART_WORKFLOW_TASK_SLOTS: '50',
      WARMSTART_METRICS_ADDRESS: '0.0.0.0:9464',
      WARMSTART_DEPLOYMENT_NAME: 'warmstart',
      WARMSTART_BUILD_ID: '2026.12.01-abc',
    }).worker;
    expect(worker).toEqual({ controlActivitySlots: 16, trainingSlots: 2, workflowTaskSlots: 50, metricsAddress: '0.0.0.0:9464', deployment: { name: 'warmstart', buildId: '2026.12.01-abc' } });
    expect(workerTuning(worker, 'training')).toEqual({
      maxConcurrentActivityTaskExecutions: 2,
      workerDeploymentOptions: { version: { deploymentName: 'warmstart', buildId: '2026.12.01-abc' }, useWorkerVersioning: true, defaultVersioningBehavior: 'AUTO_UPGRADE' },
    });
    expect(workerTuning(worker, 'control')).toMatchObject({ maxConcurrentActivityTaskExecutions: 16, maxConcurrentWorkflowTaskExecutions: 50 });
    expect(workerTuning(loadConfig({}).worker, 'control')).toEqual({ maxConcurrentActivityTaskExecutions: 4 });
  });

  it('refuses bad values in one line naming the variable', () => {
    expect(problem(() => loadConfig({ WARMSTART_TRAINING_SLOTS: '0' }))).toMatch(/^WARMSTART_TRAINING_SLOTS must be a whole number from 1 to 1000 \(got "0"\)/);
    expect(problem(() => loadConfig({ WARMSTART_CONTROL_ACTIVITY_SLOTS: '2.5' }))).toMatch(/^WARMSTART_CONTROL_ACTIVITY_SLOTS /);
    expect(problem(() => loadConfig({ WARMSTART_METRICS_ADDRESS: 'http://x' }))).toMatch(/^WARMSTART_METRICS_ADDRESS must be host:port/);
    expect(problem(() => loadConfig({ WARMSTART_DEPLOYMENT_NAME: 'warmstart' }))).toMatch(/^WARMSTART_BUILD_ID is missing/);
  });
});

describe('Temporal connection (the SDK environment configuration)', () => {
  const config = loadConfig({});

  it('a plain local server from the defaults', () => {
    expect(temporalConnection(config, {})).toEqual({ address: '127.0.0.1:7233', namespace: 'default', source: 'environment' });
  });

  it('Temporal Cloud by API key from the environment (TLS implied)', () => {
    const env = { TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ns.acct', TEMPORAL_API_KEY: 'secret' };
    expect(temporalConnection(loadConfig(env), env)).toMatchObject({ address: 'ns.acct.tmprl.cloud:7233', namespace: 'ns.acct', apiKey: 'secret', tls: true });
  });

  it('mTLS from a TOML profile, the environment overriding the namespace', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-envconfig-'));
    writeFileSync(path.join(dir, 'client.pem'), 'CERT');
    writeFileSync(path.join(dir, 'client.key'), 'KEY');
    const file = path.join(dir, 'temporal.toml');
    writeFileSync(file, `[profile.prod]\naddress = "temporal.prod:7233"\nnamespace = "refresh"\n[profile.prod.tls]\nclient_cert_path = "${dir}/client.pem"\nclient_key_path = "${dir}/client.key"\n`);
    const env = { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'refresh-eu' };
    const settings = temporalConnection(config, env);
    expect(settings).toMatchObject({ address: 'temporal.prod:7233', namespace: 'refresh-eu', source: 'profile prod' });
    const pair = (settings.tls as { clientCertPair?: { crt: Uint8Array; key: Uint8Array } }).clientCertPair!;
    expect([Buffer.from(pair.crt).toString(), Buffer.from(pair.key).toString()]).toEqual(['CERT', 'KEY']);
    expect(problem(() => temporalConnection(config, { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' }))).toMatch(/profile staging\) could not be read: .*staging.*; fix the file/);
  });
});
