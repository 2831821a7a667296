import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { S3Settings } from '../config.js';
import { WarmstartError } from '../errors.js';
import { validateKey, type ObjectStore, type PutOptions, type StoredObject } from './object-store.js';

/** S3 adapter: works with AWS and S3-compatible servers (SeaweedFS, MinIO, versitygw). */
export class S3ObjectStore implements ObjectStore {
  readonly uri: string;
  private readonly client: S3Client;

  constructor(
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly settings: S3Settings,
    client?: S3Client,
  ) {
    this.uri = `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
    // Credentials come from the SDK's standard chain (env, profile, SSO, instance role).
    // The SDK retries 5xx and throttling with exponential backoff; 4 attempts in all.
    this.client =
      client ??
      new S3Client({ endpoint: settings.endpoint, region: settings.region, forcePathStyle: settings.forcePathStyle, maxAttempts: 4 });
  }

  private fullKey(key: string): string {
    validateKey(key);
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  async get(key: string, options: { signal?: AbortSignal } = {}): Promise<StoredObject | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }), { abortSignal: options.signal });
      const body = await out.Body!.transformToByteArray();
      return { body, etag: out.ETag ?? '' };
    } catch (error) {
      if (error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404) && error.name !== 'NoSuchBucket') {
        return undefined;
      }
      throw this.translate(error, key);
    }
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<{ etag: string }> {
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.fullKey(key),
          Body: body,
          ContentType: options.contentType,
          IfNoneMatch: options.ifNoneMatch,
          IfMatch: options.ifMatch,
        }),
        { abortSignal: options.signal },
      );
      return { etag: out.ETag ?? '' };
    } catch (error) {
      throw this.translate(error, key);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    let token: string | undefined;
    try {
      do {
        const out = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix ? `${this.prefix}/${prefix}` : prefix, ContinuationToken: token }),
        );
        for (const item of out.Contents ?? []) if (item.Key) keys.push(item.Key.slice(strip));
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw this.translate(error, prefix);
    }
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }));
    } catch (error) {
      throw this.translate(error, key);
    }
  }

  async check(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (error) {
      throw this.translate(error, '');
    }
  }

  destroy(): void {
    this.client.destroy();
  }

  /** Maps SDK and network errors to one-line WarmstartErrors that say what to fix. */
  private translate(error: unknown, key: string): Error {
    if (error instanceof WarmstartError) return error;
    const endpoint = this.settings.endpoint ?? `AWS S3 (${this.settings.region})`;
    const where = `${this.uri}${key ? `/${key}` : ''}`;
    const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
    const name = error instanceof Error ? error.name : '';
    const code = (error as { code?: string }).code ?? '';
    if (status === 412 || name === 'PreconditionFailed') {
      return new WarmstartError('STORE_PRECONDITION_FAILED', `conditional write to ${where} lost: the object changed since it was read`, key, { cause: error });
    }
    if (name === 'NoSuchBucket' || (status === 404 && key === '')) {
      return new WarmstartError(
        'STORE_NO_SUCH_BUCKET',
        `bucket "${this.bucket}" does not exist at ${endpoint}; create it (infra/services.sh start creates "warmstart") or fix WARMSTART_STORE`,
        this.bucket,
        { cause: error },
      );
    }
    if (status === 403 || name === 'AccessDenied' || name === 'SignatureDoesNotMatch' || name === 'InvalidAccessKeyId') {
      return new WarmstartError(
        'STORE_ACCESS_DENIED',
        `access to ${where} denied at ${endpoint} (${name || status}); check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or AWS_PROFILE`,
        this.bucket,
        { cause: error },
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(code) || /ECONNREFUSED|ENOTFOUND|getaddrinfo|connect/.test(message)) {
      return new WarmstartError(
        'STORE_UNREACHABLE',
        `cannot reach the S3 endpoint ${endpoint} (${code || message}); start it (infra/services.sh start) or fix AWS_ENDPOINT_URL_S3`,
        'AWS_ENDPOINT_URL_S3',
        { cause: error },
      );
    }
    return new WarmstartError('STORE_ERROR', `S3 request for ${where} failed: ${name ? `${name}: ` : ''}${message}`, key, { cause: error });
  }
}
