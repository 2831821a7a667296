import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../src/storage/s3-store.js';

// A tiny HTTP server that answers like a throttled S3: the adapter's retry policy is exercised on a
// real socket, without the shared SeaweedFS.
let server: Server;
let endpoint = '';
let script: number[] = [];
let requests = 0;

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  server = createServer((request, response) => {
    requests++;
    request.resume();
    const status = script.shift() ?? 200;
    if (status === 200) {
      response.writeHead(200, { ETag: '"abc"', 'Content-Length': '2' });
      response.end('ok');
      return;
    }
    const code = status === 503 ? 'SlowDown' : status === 500 ? 'InternalError' : 'AccessDenied';
    response.writeHead(status, { 'Content-Type': 'application/xml' });
    response.end(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const store = (maxAttempts: number) => new S3ObjectStore('b', '', { endpoint, region: 'us-east-1', forcePathStyle: true }, { maxAttempts });

describe('S3 adapter retries', () => {
  it('retries throttling and 5xx with backoff, then succeeds', async () => {
    script = [503, 500];
    requests = 0;
    const object = await store(4).get('k');
    expect(new TextDecoder().decode(object!.body)).toBe('ok');
    expect(requests).toBe(3);
  });

  it('gives up after maxAttempts with a one-line error', async () => {
    script = [503, 503, 503];
    requests = 0;
    const error = await store(2).get('k').catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/S3 request for s3:\/\/b\/k failed: SlowDown/);
    expect(requests).toBe(2);
  });

  it('does not retry a 403', async () => {
    script = [403];
    requests = 0;
    await expect(store(4).get('k')).rejects.toThrow(/access to s3:\/\/b\/k denied/);
    expect(requests).toBe(1);
  });
});
