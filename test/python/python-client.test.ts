import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { versionRefreshWorkflowId } from '../../workflows/definitions.js';
import { startHarness, TEST_SETTINGS, type Harness } from '../helpers/refresh-harness.js';
import { repoRoot } from '../helpers/services.js';

// The polyglot contract: a Python client (PyPI temporalio, pinned in infra/python-tools.sh)
// drives the TypeScript model workflow by its documented names and JSON payloads.
const run = promisify(execFile);
let h: Harness;
let pythonPath: string;
beforeAll(async () => {
  execFileSync(path.join(repoRoot, 'infra/python-tools.sh'), ['temporal'], { stdio: 'inherit' });
  pythonPath = execFileSync(path.join(repoRoot, 'infra/python-tools.sh'), ['temporal', '--path'], { encoding: 'utf8' }).trim();
  h = await startHarness();
}, 180_000);
afterAll(() => h?.stop());

describe('a Python client', () => {
  it('signals-with-start modelRefreshWorkflow by name, queries its state, pauses and resumes it', async () => {
    const model = h.newModel('python');
    const dataset = 'mnist-python';
    const { version } = await h.publish(dataset, 'first', 1500);
    const request = { address: h.config.temporal.address, namespace: h.config.temporal.namespace, taskQueue: h.taskQueue, model, dataset, version, settings: TEST_SETTINGS };
    const { stdout } = await run('python3', [path.join(repoRoot, 'test/fixtures/python_client.py'), JSON.stringify(request)], {
      env: { ...process.env, PYTHONPATH: pythonPath },
      timeout: 300_000,
    });
    const seen = JSON.parse(stdout.trim());
    expect(seen.workflowId).toBe(`model-refresh/${model}`);
    expect(seen.outcome).toMatchObject({ dataset, version, status: 'promoted', mode: 'scratch', workflowId: versionRefreshWorkflowId(model, dataset, version) });
    expect(seen.production).toMatchObject({ candidateId: seen.outcome.candidateId, datasetVersion: version });
    expect(seen.queue).toEqual([]);
    expect(seen.pausedBy).toEqual({ by: 'python-pipeline', reason: 'contract test' });
    expect(seen.resumedPaused).toBeNull();
  });
});
