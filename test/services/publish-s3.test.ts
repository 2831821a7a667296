import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadExamples } from '../../src/data/examples.js';
import { publishFiles } from '../../src/data/publish-files.js';
import { streamBatches } from '../../src/data/stream.js';
import { loadManifest } from '../../src/data/versions.js';
import { isWarmstartError } from '../../src/errors.js';
import { repoRoot, testS3, uniqueName } from '../helpers/services.js';

// `warmstart publish` as a user runs it, against the real SeaweedFS S3 gateway.
const { store, env } = testS3();
afterAll(() => store.destroy());
const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-publish-s3-'));

function cli(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/bin.ts'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr.trim() };
}

function csv(name: string, from: number, rows: number): string {
  const lines = ['a,b,c,kind,split'];
  for (let i = from; i < from + rows; i++) lines.push(`${i},${i % 3},${(i * 7) % 11},${i % 2 ? 'odd' : 'even'},${i % 4 ? 'train' : 'test'}`);
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('warmstart publish on S3', () => {
  it('publishes CSV as v1, then v2 on top of it; validate reads both', () => {
    const dataset = uniqueName('csv');
    const args = ['--dataset', dataset, '--label', 'kind', '--features', 'a,b,c', '--split-column', 'split', '--json'];
    const first = cli(['publish', csv('one.csv', 0, 40), ...args]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ dataset, version: 1, parentVersion: null, rows: 40, newShards: 1, classes: ['even', 'odd'] });
    const second = cli(['publish', csv('two.csv', 40, 20), csv('three.csv', 60, 20), ...args]);
    expect(JSON.parse(second.stdout)).toMatchObject({ version: 2, parentVersion: 1, rows: 40, newShards: 2, inheritedShards: 1 });
    const validate = cli(['validate', '--dataset', dataset, '--version', '2']);
    expect(validate.stdout).toMatch(/ok: .* v2: 3 shards, 80 rows \(40 new; train \d+, validation \d+, test \d+\), 2 classes/);
  });

  it('a bad file: one line naming shard, column and row, exit 2, nothing written', async () => {
    const dataset = uniqueName('bad');
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, 'a,b,c,kind\n1,2,3,odd\n1,inf,3,even\n');
    const { code, stderr } = cli(['publish', file, '--dataset', dataset, '--label', 'kind', '--features', 'a,b,c']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^warmstart: error \[DATASET_INVALID\]: shard bad\.csv column b row 1: Infinity is not a finite number/);
    expect(await store.list(`datasets/${dataset}/`)).toEqual([]);
  });

  it('two publishers racing for the same version: one commits, the other is refused and cleans up', async () => {
    const dataset = uniqueName('race');
    const request = (file: string) => ({ dataset, files: [file], label: 'kind', features: ['a', 'b', 'c'] });
    const results = await Promise.allSettled([publishFiles(store, request(csv('r1.csv', 0, 30))), publishFiles(store, request(csv('r2.csv', 100, 30)))]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect([won.length, lost.length]).toEqual([1, 1]);
    expect(isWarmstartError(lost[0]!.reason, 'VERSION_EXISTS')).toBe(true);
    const manifest = await loadManifest(store, dataset, 1);
    // Only the winner's shard and manifest remain, and they load.
    expect((await store.list(`datasets/${dataset}/`)).sort()).toEqual([manifest.shards[0]!.key, `datasets/${dataset}/v1/manifest.json`].sort());
    expect((await loadExamples(store, manifest, ['train', 'validation', 'test'])).count).toBe(30);
  });

  it('streams a version by ranged reads on S3 with the same rows as loading it whole', async () => {
    const dataset = uniqueName('ranged');
    await publishFiles(store, { dataset, files: [csv('g1.csv', 0, 50), csv('g2.csv', 50, 50)], label: 'kind', features: ['a', 'b', 'c'] });
    const manifest = await loadManifest(store, dataset, 1);
    const ids: number[] = [];
    for await (const batch of streamBatches(store, manifest, { batchSize: 16, rangedReadAbove: 0 })) ids.push(...batch.ids.subarray(0, batch.size));
    const whole = await loadExamples(store, manifest, ['train', 'validation', 'test']);
    expect(ids.sort((a, b) => a - b)).toEqual(whole.ids);
  });
});

