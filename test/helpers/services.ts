import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { localServicesEnv } from '../../src/cli/local-services.js';
import { loadConfig, type WarmstartConfig } from '../../src/config.js';
import { S3ObjectStore } from '../../src/storage/s3-store.js';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

/** The environment infra/services.sh prints for its local servers (the same the demo uses). */
export const servicesEnv = localServicesEnv;

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Config and an S3 store under a fresh prefix of the local bucket, so test runs never collide. */
export function testS3(prefix = uniqueName('test')): { config: WarmstartConfig; store: S3ObjectStore; env: Record<string, string> } {
  const env = servicesEnv();
  // The AWS SDK's credential chain reads process.env.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY });
  const bucket = env.WARMSTART_STORE!.replace('s3://', '').split('/')[0]!;
  const config = loadConfig({ ...env, WARMSTART_STORE: `s3://${bucket}/${prefix}`, WARMSTART_TASK_QUEUE: uniqueName('tq') });
  if (config.store.kind !== 's3') throw new Error('expected an s3 store');
  return { config, store: new S3ObjectStore(config.store.bucket, config.store.prefix, config.s3), env: { ...env, WARMSTART_STORE: config.store.uri } };
}
