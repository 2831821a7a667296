import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import * as searchAttributes from '../../workflows/search-attributes.js';

const WORKFLOW_SEARCH_ATTRIBUTES = Object.values(searchAttributes);

const root = path.resolve(import.meta.dirname, '../..');
const deploy = path.join(root, 'infra/deploy');
const validate = path.join(deploy, 'validate.sh');
const validatorPath = path.join(root, '.tools/kubernetes-validate');
const scratch: string[] = [];

function validateDir(dir?: string): { status: number | null; output: string } {
  const result = spawnSync(validate, dir ? [dir] : [], { encoding: 'utf8', timeout: 300_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A copy of infra/deploy with one edit to one file; the edit must apply, or the case tests nothing. */
function brokenCopy(file: string, from: string | RegExp, to: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-deploy-'));
  scratch.push(dir);
  cpSync(deploy, dir, { recursive: true });
  const target = path.join(dir, file);
  const original = readFileSync(target, 'utf8');
  const edited = original.replace(from, to);
  expect(edited, `the edit of ${file} applied`).not.toBe(original);
  writeFileSync(target, edited);
  return dir;
}

/** Runs Python with the validator's packages (PyYAML) on the path. */
function python(args: string[], input?: string): string {
  const result = spawnSync('python3', args, { encoding: 'utf8', input, env: { ...process.env, PYTHONPATH: validatorPath } });
  if (result.status !== 0) throw new Error(`python3 ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

beforeAll(() => {
  // Installs the pinned validator once (from PyPI into .tools/); later runs only check it.
  const install = spawnSync(validate, ['--install'], { encoding: 'utf8', timeout: 600_000 });
  expect(install.status, install.stderr).toBe(0);
}, 600_000);

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('infra/deploy validates offline', () => {
  it('passes as committed: Kubernetes schemas (strict) and warmstart checks', () => {
    const { status, output } = validateDir();
    expect(output).toContain('valid against Kubernetes 1.30.0 1.37.0 (strict)');
    expect(status).toBe(0);
  });

  // Each case breaks one thing and names the message that must come back.
  it.each([
    ['a field of the wrong type (schema)', 'k8s/training-worker.yaml', 'terminationGracePeriodSeconds: 300', 'terminationGracePeriodSeconds: "five minutes"', "terminationGracePeriodSeconds: 'five minutes' is not of type 'integer'"],
    ['a misspelled field (strict schema)', 'k8s/control-worker.yaml', /^ {10}resources:/m, '          resource:', "'resource' was unexpected"],
    ['a misspelled kind (no schema is an error, not a warning)', 'k8s/training-worker.yaml', 'kind: PodDisruptionBudget', 'kind: PodDisruptionBudgit', "Couldn't find schema for kind PodDisruptionBudgit"],
    ['a training worker without a GPU', 'k8s/training-worker.yaml', /^ +nvidia\.com\/gpu: 1\n/gm, '', 'a training worker needs resources.limits.nvidia.com/gpu'],
    ['a grace period too short to checkpoint', 'k8s/training-worker.yaml', 'terminationGracePeriodSeconds: 300', 'terminationGracePeriodSeconds: 30', 'terminationGracePeriodSeconds 30 is too short to checkpoint'],
    ['a training pod that would also serve the control queue', 'k8s/training-worker.yaml', 'args: ["worker", "--role", "training"]', 'args: ["worker"]', "worker role 'all'"],
    ['a probe of an endpoint the worker does not serve', 'k8s/control-worker.yaml', /^ {10}resources:/m, '          livenessProbe:\n            httpGet:\n              path: /healthz\n              port: 8080\n          resources:', 'livenessProbe: the worker serves no health endpoint'],
    ['a ConfigMap without the store', 'k8s/config.yaml', /^ {2}WARMSTART_STORE: .*\n/m, '', 'WARMSTART_STORE is missing'],
    ['search attributes that drifted from infra/services.sh', 'temporal/search-attributes-job.yaml', /^ +WarmstartPhase=Keyword\n/m, '', 'lacks [WarmstartPhase=Keyword]'],
    ['chart values that do not create the workers\u2019 namespace', 'temporal/values.yaml', '- name: warmstart', '- name: pipelines', "does not create 'warmstart'"],
    ['chart values with a store that has no custom search attributes', 'temporal/values.yaml', 'pluginName: postgres12\n            driverName: postgres12\n            databaseName: temporal_visibility', 'pluginName: sqlite\n            driverName: sqlite\n            databaseName: temporal_visibility', "'sqlite' is not one of"],
    ['an IAM policy that cannot delete (checkpoints are pruned, cancelled shards removed)', 's3/iam-policy.json', '"s3:DeleteObject",', '', 'does not allow s3:DeleteObject on arn:aws:s3:::example-ml-warmstart/prod/*'],
    ['an IAM policy whose prefix condition denies HeadBucket', 's3/iam-policy.json', 'StringLikeIfExists', 'StringLike', 'a plain s3:prefix condition denies HeadBucket'],
    ['a lifecycle rule that expires the store', 's3/lifecycle.json', '"AbortIncompleteMultipartUpload"', '"Expiration": { "Days": 30 }, "AbortIncompleteMultipartUpload"', 'expires objects of the store'],
  ] as const)('fails on %s', (_label, file, from, to, message) => {
    const { status, output } = validateDir(brokenCopy(file, from, to));
    expect(output).toContain(message);
    expect(status).toBe(1);
  });

  it("the workers' ConfigMap is accepted by warmstart's own configuration parser", () => {
    const data = JSON.parse(python([path.join(deploy, 'check_manifests.py'), '--services', path.join(root, 'infra/services.sh'), '--print-config', deploy])) as Record<string, string>;
    const config = loadConfig(data);
    expect(config.store.kind).toBe('s3');
    expect(config.temporal).toEqual({ address: 'temporal-frontend.temporal.svc.cluster.local:7233', namespace: 'warmstart', taskQueue: 'warmstart' });
    expect(config.s3).toMatchObject({ region: 'us-east-1', forcePathStyle: false });
  });
});

// The image cannot be built here (no Docker engine, no base images): check what can go stale.
describe('infra/deploy/Dockerfile', () => {
  const dockerfile = readFileSync(path.join(deploy, 'Dockerfile'), 'utf8');
  const ignored = readFileSync(path.join(deploy, 'Dockerfile.dockerignore'), 'utf8').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));

  it('has the control and training targets the manifests name, running the warmstart CLI', () => {
    expect(dockerfile).toMatch(/^FROM \S+ AS control$/m);
    expect(dockerfile).toMatch(/^FROM \S+ AS training$/m);
    expect(dockerfile).toMatch(/^CMD \["worker", "--role", "control"\]$/m);
    expect(dockerfile).toMatch(/^CMD \["worker", "--role", "training"\]$/m);
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; bin: Record<string, string> };
    expect(Object.keys(pkg.bin)).toContain('warmstart');
    expect(dockerfile).toContain('ENTRYPOINT ["/app/node_modules/.bin/warmstart"]');
    expect(dockerfile).toContain(`${pkg.name}-*.tgz`);
    for (const role of ['control', 'training']) {
      expect(readFileSync(path.join(deploy, `k8s/${role}-worker.yaml`), 'utf8')).toMatch(new RegExp(`image: \\S+:\\S+-${role}$`, 'm'));
    }
  });

  it('copies only paths that exist in the repository and are in the build context', () => {
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => match[1]!.split(/\s+/));
    expect(sources.length).toBeGreaterThan(2);
    for (const source of sources.filter((s) => s !== '.')) {
      expect(existsSync(path.join(root, source)), `${source} exists`).toBe(true);
      expect(ignored.some((pattern) => source.replace(/\/$/, '') === pattern), `${source} is not ignored`).toBe(false);
    }
  });
});

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('the search-attribute Job', () => {
  // Installed by the test setup (infra/services.sh); the admin-tools image carries the same CLI.
  const temporal = path.join(process.env.WARMSTART_TOOLS_DIR ?? path.join(root, '.tools'), 'bin', 'temporal');
  it('registers every attribute on a fresh server, and a second run changes nothing', async () => {
    const job = JSON.parse(
      python(['-c', 'import json, sys, yaml; c = yaml.safe_load(sys.stdin)["spec"]["template"]["spec"]["containers"][0]; print(json.dumps({"script": c["args"][0], "env": {e["name"]: e["value"] for e in c["env"]}}))'], readFileSync(path.join(deploy, 'temporal/search-attributes-job.yaml'), 'utf8')),
    ) as { script: string; env: Record<string, string> };
    // A server of our own on free ports (the shared one already has the attributes).
    const [port, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    const state = mkdtempSync(path.join(tmpdir(), 'warmstart-sa-'));
    scratch.push(state);
    const namespace = job.env.TEMPORAL_NAMESPACE!;
    const server = spawn(temporal, ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--http-port', String(httpPort), '--metrics-port', String(metricsPort), '-n', namespace, '--db-filename', path.join(state, 'db.sqlite')], { stdio: 'ignore' });
    try {
      const env = { ...process.env, ...job.env, TEMPORAL_ADDRESS: `127.0.0.1:${port}`, PATH: `${path.dirname(temporal)}:${process.env.PATH}` };
      // The script itself waits for the namespace, as it waits for the chart's namespace job.
      const first = spawnSync('sh', ['-c', job.script], { env, encoding: 'utf8', timeout: 90_000 });
      expect(first.status, first.stderr).toBe(0);
      const second = spawnSync('sh', ['-c', job.script], { env, encoding: 'utf8', timeout: 60_000 });
      expect(second.status, second.stderr).toBe(0);
      const attributes = job.env.WARMSTART_SEARCH_ATTRIBUTES!.split(/\s+/).filter(Boolean);
      // Exactly the attributes the workflows set.
      expect(attributes.sort()).toEqual(WORKFLOW_SEARCH_ATTRIBUTES.map((k) => `${k.name}=${k.type[0]}${k.type.slice(1).toLowerCase()}`).sort());
      for (const attribute of attributes) {
        const [name, type] = attribute.split('=');
        expect(first.stdout).toContain(`${name}: registered as ${type}`);
        expect(second.stdout).toContain(`${name}: already registered`);
      }
      const listed = spawnSync(temporal, ['operator', 'search-attribute', 'list', '--address', `127.0.0.1:${port}`, '--namespace', namespace, '-o', 'json'], { encoding: 'utf8' });
      const registered = (JSON.parse(listed.stdout) as { customAttributes: Record<string, string> }).customAttributes;
      for (const attribute of attributes) {
        const [name, type] = attribute.split('=');
        expect(registered[name!], name).toBe(`INDEXED_VALUE_TYPE_${type!.toUpperCase()}`);
      }
    } finally {
      const exited = server.exitCode !== null ? Promise.resolve() : new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
  }, 180_000);
});
