import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { isWarmstartError } from '../../src/errors.js';
import { promote, readProduction, type ProductionPointer } from '../../src/registry/production.js';
import { S3ObjectStore } from '../../src/storage/s3-store.js';
import { testS3 } from '../helpers/services.js';

// Against the real SeaweedFS S3 gateway started by infra/services.sh.
const { store, config } = testS3();
afterAll(() => store.destroy());

const pointer = (candidateId: string, promotedBy: string): ProductionPointer => ({
  model: 'm',
  candidateId,
  candidatePrefix: `models/m/candidates/${candidateId}`,
  dataset: 'd',
  datasetVersion: 1,
  modelSpec: { kind: 'mlp', hidden: [8] },
  classes: ['a', 'b'],
  featureShape: [2],
  testAccuracy: 0.9,
  promotedAt: '2026-11-28T00:00:00Z',
  promotedBy,
});

describe('S3 adapter on SeaweedFS', () => {
  it('round-trips objects and lists keys relative to the store prefix', async () => {
    await store.put('x/1.bin', new Uint8Array([9, 8, 7]));
    await store.put('x/2.bin', 'two');
    expect(Array.from((await store.get('x/1.bin'))!.body)).toEqual([9, 8, 7]);
    expect(await store.list('x/')).toEqual(['x/1.bin', 'x/2.bin']);
    expect(await store.get('x/missing')).toBeUndefined();
    await store.delete('x/2.bin');
    expect(await store.list('x/')).toEqual(['x/1.bin']);
  });

  it('honours If-None-Match: * (create-only)', async () => {
    await store.put('cond/create.json', 'first', { ifNoneMatch: '*' });
    const error = await store.put('cond/create.json', 'second', { ifNoneMatch: '*' }).catch((e: unknown) => e);
    expect(isWarmstartError(error, 'STORE_PRECONDITION_FAILED')).toBe(true);
    expect(new TextDecoder().decode((await store.get('cond/create.json'))!.body)).toBe('first');
  });

  it('honours If-Match: a stale ETag loses', async () => {
    const first = await store.put('cond/match.json', 'v1');
    await store.put('cond/match.json', 'v2', { ifMatch: first.etag });
    const error = await store.put('cond/match.json', 'v3', { ifMatch: first.etag }).catch((e: unknown) => e);
    expect(isWarmstartError(error, 'STORE_PRECONDITION_FAILED')).toBe(true);
    expect(new TextDecoder().decode((await store.get('cond/match.json'))!.body)).toBe('v2');
  });

  it('two promotions racing from the same read: exactly one wins, the other is superseded', async () => {
    await promote(store, pointer('c0', 'refresh/m/v0'), null);
    const { etag } = (await readProduction(store, 'm'))!;
    const results = await Promise.all([promote(store, pointer('c1', 'refresh/m/v1'), etag), promote(store, pointer('c2', 'refresh/m/v2'), etag)]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['promoted', 'superseded']);
    const winner = results[0]!.outcome === 'promoted' ? 'c1' : 'c2';
    expect((await readProduction(store, 'm'))!.pointer.candidateId).toBe(winner);
  });

  it('a retried promotion that already landed is recognised, not reported as lost', async () => {
    const { etag } = (await readProduction(store, 'm'))!;
    const p = pointer('c3', 'refresh/m/v3');
    expect((await promote(store, p, etag)).outcome).toBe('promoted');
    expect((await promote(store, p, etag)).outcome).toBe('already-promoted');
  });

  it('a missing bucket is a clear error naming the bucket', async () => {
    const missing = new S3ObjectStore('no-such-bucket-here', '', config.s3);
    const error = await missing.check().catch((e: unknown) => e);
    expect(isWarmstartError(error, 'STORE_NO_SUCH_BUCKET')).toBe(true);
    expect((error as Error).message).toMatch(/bucket "no-such-bucket-here" does not exist/);
    missing.destroy();
  });

  it('an unreachable endpoint is a clear error naming the endpoint', async () => {
    const nowhere = new S3ObjectStore('warmstart', '', { ...config.s3, endpoint: 'http://127.0.0.1:9' });
    const error = await nowhere.check().catch((e: unknown) => e);
    expect(isWarmstartError(error, 'STORE_UNREACHABLE')).toBe(true);
    expect((error as Error).message).toMatch(/cannot reach the S3 endpoint http:\/\/127\.0\.0\.1:9/);
    nowhere.destroy();
  });
});

describe('S3 adapter: multipart uploads', () => {
  // A 5 MiB threshold (the S3 minimum part size) keeps the bodies small enough for a quick test.
  const small = new S3ObjectStore(config.store.kind === 's3' ? config.store.bucket : '', config.store.kind === 's3' ? config.store.prefix : '', config.s3, {
    multipartThreshold: 5 * 1024 * 1024,
    partSize: 5 * 1024 * 1024,
  });
  afterAll(() => small.destroy());
  const body = Uint8Array.from({ length: 11 * 1024 * 1024 + 17 }, (_, i) => (i * 31) & 0xff);

  it('uploads a body above the threshold in parts, byte for byte', async () => {
    const { etag } = await small.put('mp/big.bin', body, { ifNoneMatch: '*' });
    expect(etag).toMatch(/-3"$/); // three parts: 5 + 5 + 1 MiB
    const back = (await small.get('mp/big.bin'))!.body;
    expect(back.byteLength).toBe(body.byteLength);
    expect(Buffer.compare(Buffer.from(back), Buffer.from(body))).toBe(0);
  });

  it('create-only multipart refuses an existing key and leaves it untouched', async () => {
    const other = body.slice();
    other[0] = 255;
    const error = await small.put('mp/big.bin', other, { ifNoneMatch: '*' }).catch((e: unknown) => e);
    expect(isWarmstartError(error, 'STORE_PRECONDITION_FAILED')).toBe(true);
    expect((await small.get('mp/big.bin'))!.body[0]).toBe(body[0]);
  });

  it('SeaweedFS honours If-None-Match on CompleteMultipartUpload itself (not only the adapter HEAD pre-check)', async () => {
    const client = new S3Client({ endpoint: config.s3.endpoint, region: config.s3.region, forcePathStyle: true });
    const Bucket = config.store.kind === 's3' ? config.store.bucket : '';
    const Key = `${config.store.kind === 's3' ? config.store.prefix : ''}/mp/big.bin`;
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const part = await client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'late' }));
    const error = await client
      .send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, IfNoneMatch: '*', MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }))
      .catch((e: unknown) => e);
    await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => undefined);
    client.destroy();
    expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(412);
    expect((await small.get('mp/big.bin'))!.body.byteLength).toBe(body.byteLength);
  });

  it('an aborted multipart upload leaves no object', async () => {
    const controller = new AbortController();
    const pending = small.put('mp/aborted.bin', body, { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    const error = await pending.catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(await small.get('mp/aborted.bin')).toBeUndefined();
  });
});

describe('S3 adapter: ranged reads', () => {
  it('reads byte ranges and refuses a range when the ETag moved on', async () => {
    const body = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
    const { etag } = await store.put('range/obj.bin', body);
    expect(await store.head('range/obj.bin')).toEqual({ bytes: 1000, etag });
    expect(Array.from(await store.getRange('range/obj.bin', 250, 260, { ifMatch: etag }))).toEqual(Array.from(body.subarray(250, 260)));
    await store.put('range/obj.bin', body.slice().reverse());
    const error = await store.getRange('range/obj.bin', 0, 10, { ifMatch: etag }).catch((e: unknown) => e);
    expect(isWarmstartError(error, 'STORE_PRECONDITION_FAILED')).toBe(true);
    expect(await store.head('range/missing')).toBeUndefined();
  });
});
