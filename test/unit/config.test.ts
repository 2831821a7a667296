import { describe, expect, it } from 'vitest';
import { loadConfig, parseStoreUri } from '../../src/config.js';
import { WarmstartError } from '../../src/errors.js';

function errorOf(fn: () => unknown): WarmstartError {
  try {
    fn();
  } catch (error) {
    if (error instanceof WarmstartError) return error;
    throw error;
  }
  throw new Error('expected a WarmstartError');
}

describe('loadConfig', () => {
  it('uses the ecosystem defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'warmstart' });
    expect(config.store).toMatchObject({ kind: 'file', directory: './.warmstart/store' });
  });

  it('reads Temporal, S3 endpoint and store settings', () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'ml',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:8333/',
      WARMSTART_STORE: 's3://models-bucket/prod/digits',
    });
    expect(config.temporal.address).toBe('temporal.internal:7233');
    expect(config.temporal.namespace).toBe('ml');
    expect(config.s3).toEqual({ endpoint: 'http://127.0.0.1:8333', region: 'us-east-1', forcePathStyle: true });
    expect(config.store).toEqual({ kind: 's3', bucket: 'models-bucket', prefix: 'prod/digits', uri: 's3://models-bucket/prod/digits' });
  });

  it('prefers AWS_ENDPOINT_URL_S3 over AWS_ENDPOINT_URL', () => {
    const config = loadConfig({ AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_S3: 'http://b:2', WARMSTART_STORE: 's3://bucket' });
    expect(config.s3.endpoint).toBe('http://b:2');
  });

  it('names the variable and the fix for a bad value', () => {
    const temporal = errorOf(() => loadConfig({ TEMPORAL_ADDRESS: 'localhost' }));
    expect(temporal.code).toBe('CONFIG_INVALID');
    expect(temporal.subject).toBe('TEMPORAL_ADDRESS');
    expect(temporal.message).toMatch(/host:port.*127\.0\.0\.1:7233/);

    const store = errorOf(() => loadConfig({ WARMSTART_STORE: 'gs://bucket/x' }));
    expect(store.subject).toBe('WARMSTART_STORE');
    expect(store.message).toMatch(/s3:\/\/ or file:\/\//);

    const endpoint = errorOf(() => loadConfig({ AWS_ENDPOINT_URL_S3: 'not a url', WARMSTART_STORE: 's3://bucket' }));
    expect(endpoint.subject).toBe('AWS_ENDPOINT_URL_S3');

    const region = errorOf(() => loadConfig({ WARMSTART_STORE: 's3://bucket' }));
    expect(region.subject).toBe('AWS_REGION');
  });

  it('attributes a bad --store override to the flag', () => {
    expect(errorOf(() => loadConfig({}, { store: 's3://' })).subject).toBe('--store');
  });
});

describe('parseStoreUri', () => {
  it('rejects invalid bucket names', () => {
    expect(() => parseStoreUri('s3://Bad_Bucket/x')).toThrow(/valid bucket/);
  });
  it('accepts file URIs', () => {
    expect(parseStoreUri('file:///tmp/store')).toEqual({ kind: 'file', directory: '/tmp/store', uri: 'file:///tmp/store' });
  });
});
