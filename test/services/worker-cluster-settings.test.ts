import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { connectClient } from '../../src/temporal/client.js';
import { CLI_BIN } from '../helpers/cli.js';
import { repoRoot, testS3, uniqueName } from '../helpers/services.js';

const { config, env, store } = testS3();
afterAll(() => store.destroy());

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `warmstart worker` as an operator starts it on a cluster node: metrics on, a deployment version set. */
describe('warmstart worker with cluster settings', () => {
  it('serves SDK metrics on the Prometheus endpoint, registers its deployment version, and drains on SIGTERM', async () => {
    const port = await freePort();
    const deploymentName = uniqueName('ws-deploy');
    const taskQueue = uniqueName('tq-cluster');
    const child = spawn(process.execPath, ['--import', 'tsx', CLI_BIN, 'worker', '--role', 'control', '--task-queue', taskQueue], {
      cwd: repoRoot,
      env: { ...process.env, ...env, WARMSTART_METRICS_ADDRESS: `127.0.0.1:${port}`, WARMSTART_DEPLOYMENT_NAME: deploymentName, WARMSTART_BUILD_ID: 'build-1', WARMSTART_CONTROL_ACTIVITY_SLOTS: '2' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 90_000;
      while (!stdout.includes('Ctrl-C to stop') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 250));
      expect(stdout, stderr).toContain(`on task queue ${taskQueue}`);

      // Pollers report within a few seconds; the endpoint answers in Prometheus text format.
      let metrics = '';
      while (!/temporal_num_pollers|temporal_worker_task_slots_available/.test(metrics) && Date.now() < deadline) {
        metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(metrics).toMatch(/temporal_worker_task_slots_available\{[^}]*task_queue="[^"]*"[^}]*\} 2/);

      // The server knows the deployment and this build's version once the worker polls.
      const client = await connectClient(config);
      try {
        let versions: string[] = [];
        while (versions.length === 0 && Date.now() < deadline) {
          const described = await client.workflowService.describeWorkerDeployment({ namespace: config.temporal.namespace, deploymentName }).catch(() => undefined);
          versions = (described?.workerDeploymentInfo?.versionSummaries ?? []).map((v) => v.deploymentVersion?.buildId ?? '');
          if (versions.length === 0) await new Promise((r) => setTimeout(r, 500));
        }
        expect(versions).toEqual(['build-1']);
      } finally {
        await client.connection.close();
      }
    } finally {
      child.kill('SIGTERM');
    }
    // A drained worker is a clean stop (Kubernetes reads 0 as a graceful termination).
    expect(await exited).toBe(0);
    expect(stderr).toContain('SIGTERM: draining the workers');
  }, 150_000);
});
