import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, testS3, uniqueName } from '../helpers/services.js';

// warmstart as a pipeline team installs it: `npm pack`, then a scratch project outside the repo
// that gets warmstart only from the tarball (everything else from the registry's cache). The
// project has its own worker with the plugin and its own ingest workflow (test/consumer/).
const run = promisify(execFile);
const scratch = mkdtempSync(path.join(tmpdir(), 'warmstart-consumer-'));
const project = path.join(scratch, 'pipeline');
const { store, env } = testS3();

beforeAll(async () => {
  await run('npm', ['pack', '--pack-destination', scratch], { cwd: repoRoot, timeout: 180_000 });
  const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'))!;
  mkdirSync(project);
  for (const file of ['workflows.js', 'activities.js', 'run.js', 'exports.js']) copyFileSync(path.join(repoRoot, 'test/consumer', file), path.join(project, file));
  const temporal = '1.24.0';
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({
      name: 'pipeline',
      private: true,
      type: 'module',
      dependencies: { warmstart: `file:../${tarball}`, '@temporalio/client': temporal, '@temporalio/worker': temporal, '@temporalio/workflow': temporal },
    }),
  );
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: project, timeout: 300_000 });
}, 480_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  store.destroy();
});

const inProject = (args: string[], extraEnv: Record<string, string> = {}) =>
  run(process.execPath, args, { cwd: project, env: { ...process.env, ...extraEnv, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, timeout: 300_000 });

describe('the packed package in a project of its own', () => {
  it('installs the warmstart bin: npx warmstart --help', async () => {
    const { stdout } = await run('npx', ['--no-install', 'warmstart', '--help'], { cwd: project, timeout: 60_000 });
    expect(stdout).toMatch(/^usage: warmstart <command>/m);
    expect(stdout).toMatch(/publish <files\.\.\.> --dataset/);
  });

  it('resolves every export docs/api.md documents, from each subpath', async () => {
    const { stdout } = await inProject(['exports.js', path.join(project, 'node_modules/warmstart/docs/api.md')]);
    const { checked, missing } = JSON.parse(stdout) as { checked: number; missing: string[] };
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });

  it("the team's worker with the plugin runs its ingest workflow: a child refresh, then an announced one, promoted and audited", async () => {
    const model = uniqueName('consumer');
    const dataset = 'lines';
    const { stdout } = await inProject(['run.js', JSON.stringify({ model, dataset, taskQueue: uniqueName('pipeline') })], env);
    const result = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(result.first).toEqual({ version: 1, status: 'promoted', mode: 'scratch' });
    expect(result.second).toEqual({ version: 2, status: 'promoted', mode: 'warm' });
    expect(result.production).toMatchObject({ model, dataset, datasetVersion: 2, mode: 'warm' });
    expect(result.ledger).toEqual([
      { dataset, version: 1, status: 'promoted', mode: 'scratch' },
      { dataset, version: 2, status: 'promoted', mode: 'warm' },
    ]);
  });
});
