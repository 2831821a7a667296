import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { publishFiles, type PublishFilesRequest } from '../../src/data/publish-files.js';
import { summarizeVersion } from '../../src/data/summary.js';
import { loadManifest } from '../../src/data/versions.js';
import { isWarmstartError } from '../../src/errors.js';
import { S3ObjectStore } from '../../src/storage/s3-store.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { writeOddEvenCsv } from '../helpers/csv-rows.js';
import { testS3, uniqueName } from '../helpers/services.js';

// Publishing through a loopback fault proxy in front of the real SeaweedFS: replies lost after the
// server applied a write, 503 bursts. A committed version must stay whole, and nothing may be left over.
const { store: direct, config } = testS3();
let proxy: FaultProxy;
let store: S3ObjectStore;
const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-faults-'));

beforeAll(async () => {
  proxy = await startFaultProxy(config.s3.endpoint!);
  if (config.store.kind !== 's3') throw new Error('expected an s3 store');
  // A small multipart threshold, so a CSV shard goes up as a (one-part) multipart upload when asked.
  store = new S3ObjectStore(config.store.bucket, config.store.prefix, { ...config.s3, endpoint: proxy.endpoint });
});
afterAll(async () => {
  store.destroy();
  direct.destroy();
  await proxy.close();
});
beforeEach(() => proxy.clear());

const csv = (name: string, from: number, rows: number) => writeOddEvenCsv(dir, name, from, rows);

const request = (dataset: string, files: string[]): PublishFilesRequest => ({ dataset, files, label: 'kind', features: ['a', 'b'] });

/** The version's manifest parses and every shard it lists is there with its checksum. */
async function expectReadable(dataset: string, version: number, rows: number) {
  const manifest = await loadManifest(direct, dataset, version);
  const summary = await summarizeVersion(direct, manifest);
  expect(summary.train + summary.validation + summary.test).toBe(rows);
  return manifest;
}

/** Keys under the dataset are exactly the manifests and the shards they list: no orphan. */
async function expectNoOrphans(dataset: string) {
  const keys = await direct.list(`datasets/${dataset}/`);
  const listed = new Set<string>();
  for (const key of keys.filter((k) => k.endsWith('/manifest.json'))) {
    const version = Number(/\/v(\d+)\//.exec(key)![1]);
    listed.add(key);
    for (const shard of (await loadManifest(direct, dataset, version)).shards) listed.add(shard.key);
  }
  expect(keys.filter((k) => !listed.has(k))).toEqual([]);
}

describe('publish under S3 faults (fault proxy in front of SeaweedFS)', () => {
  it('a lost reply to the manifest PUT: the retry recognises its own commit and keeps the shards', async () => {
    const dataset = uniqueName('lost-manifest');
    proxy.inject({ method: 'PUT', path: /\/manifest\.json$/, fault: { kind: 'drop-reply' } });
    const result = await publishFiles(store, request(dataset, [csv('m.csv', 0, 30)]));
    expect(proxy.injected()).toBe(1);
    expect(result.version).toBe(1);
    await expectReadable(dataset, 1, 30);
    await expectNoOrphans(dataset);
  });

  it('a lost reply to a shard PUT: no orphan, no misleading VERSION_EXISTS', async () => {
    const dataset = uniqueName('lost-shard');
    proxy.inject({ method: 'PUT', path: /\/part-\d+-[0-9a-f]+\.parquet$/, fault: { kind: 'drop-reply' } });
    const result = await publishFiles(store, request(dataset, [csv('s1.csv', 0, 20), csv('s2.csv', 20, 20)]));
    expect(proxy.injected()).toBe(1);
    expect(result).toMatchObject({ version: 1, newShards: 2 });
    await expectReadable(dataset, 1, 40);
    await expectNoOrphans(dataset);
  });

  it('a lost reply to CompleteMultipartUpload: the upload is recognised as done, no orphan', async () => {
    if (config.store.kind !== 's3') throw new Error('expected an s3 store');
    const multipart = new S3ObjectStore(config.store.bucket, config.store.prefix, { ...config.s3, endpoint: proxy.endpoint }, { multipartThreshold: 64 });
    try {
      const dataset = uniqueName('lost-complete');
      proxy.inject({ method: 'POST', path: /\.parquet$/, query: /uploadId=/, fault: { kind: 'drop-reply' } });
      const result = await publishFiles(multipart, request(dataset, [csv('c.csv', 0, 30)]));
      expect(proxy.injected()).toBe(1);
      expect(result.version).toBe(1);
      await expectReadable(dataset, 1, 30);
      await expectNoOrphans(dataset);
    } finally {
      multipart.destroy();
    }
  });

  it('503s on every manifest PUT: one-line failure, nothing left behind', async () => {
    const dataset = uniqueName('503-manifest');
    proxy.inject({ method: 'PUT', path: /\/manifest\.json$/, times: Infinity, fault: { kind: 'status', status: 503 } });
    const error = await publishFiles(store, request(dataset, [csv('f.csv', 0, 20)])).catch((e: unknown) => e);
    expect(isWarmstartError(error)).toBe(true);
    expect((error as Error).message.split('\n')).toHaveLength(1);
    expect(await direct.list(`datasets/${dataset}/`)).toEqual([]);
  });

  it('a parent version whose shard is gone is not built on', async () => {
    const dataset = uniqueName('broken-parent');
    const v1 = await publishFiles(store, request(dataset, [csv('p1.csv', 0, 20)]));
    const broken = await loadManifest(direct, dataset, v1.version);
    await direct.delete(broken.shards[0]!.key);
    const v2 = await publishFiles(store, request(dataset, [csv('p2.csv', 20, 20)]));
    expect(v2.version).toBe(2);
    expect(v2.parentVersion).toBeNull();
    const manifest = await expectReadable(dataset, 2, 20);
    expect(manifest.shards.map((s) => s.key)).not.toContain(broken.shards[0]!.key);
  });
});
