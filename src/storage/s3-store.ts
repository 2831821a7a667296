import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Settings } from '../config.js';
import { WarmstartError } from '../errors.js';
import { validateKey, type ObjectStore, type PutOptions, type RangeOptions, type StoredObject } from './object-store.js';

export interface S3StoreOptions {
  /** A ready client (tests); otherwise one is built from the settings. */
  client?: S3Client;
  /** Bodies of at least this many bytes go up as a multipart upload. Default 16 MiB. */
  multipartThreshold?: number;
  /** Part size of a multipart upload; S3 wants at least 5 MiB except for the last part. Default 8 MiB. */
  partSize?: number;
  /** Parts in flight at once. Default 4. */
  partConcurrency?: number;
  /** Attempts per request, the first included. Default 4. */
  maxAttempts?: number;
  /** Time limits; defaults in DEFAULT_S3_TIMEOUTS. */
  timeouts?: Partial<S3Timeouts>;
}

/**
 * Time limits of every S3 request, so a stalled server cannot hang a command: each attempt must
 * connect within `connectMs`, never sit idle longer than `idleMs`, and get its reply within
 * `attemptMs`; the SDK retries a timed-out attempt like any transient error, and all attempts of one
 * request, backoff included, end within `deadlineMs`. A multipart upload's parts are requests of their own.
 */
export interface S3Timeouts {
  connectMs: number;
  idleMs: number;
  attemptMs: number;
  deadlineMs: number;
}

export const DEFAULT_S3_TIMEOUTS: S3Timeouts = { connectMs: 5_000, idleMs: 30_000, attemptMs: 60_000, deadlineMs: 120_000 };

const MiB = 1024 * 1024;

/** S3 adapter: works with AWS and S3-compatible servers (SeaweedFS, MinIO, versitygw). */
export class S3ObjectStore implements ObjectStore {
  readonly uri: string;
  private readonly client: S3Client;
  private readonly multipartThreshold: number;
  private readonly partSize: number;
  private readonly partConcurrency: number;
  private readonly timeouts: S3Timeouts;
  private readonly maxAttempts: number;

  constructor(
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly settings: S3Settings,
    options: S3StoreOptions = {},
  ) {
    this.uri = `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
    this.multipartThreshold = options.multipartThreshold ?? 16 * MiB;
    this.partSize = Math.max(options.partSize ?? 8 * MiB, 5 * MiB);
    this.partConcurrency = options.partConcurrency ?? 4;
    this.timeouts = { ...DEFAULT_S3_TIMEOUTS, ...options.timeouts };
    this.maxAttempts = options.maxAttempts ?? 4;
    // Credentials come from the SDK's standard chain (env, profile, SSO, instance role).
    // Retries: the SDK's "standard" strategy retries 5xx, throttling (429, 503 SlowDown) and
    // transient network errors with exponential backoff and full jitter (100 ms base, 20 s cap),
    // `maxAttempts` attempts in all; 4xx other than throttling fail at once. Every request,
    // each part of a multipart upload included, is retried on its own.
    this.client =
      options.client ??
      new S3Client({
        endpoint: settings.endpoint,
        region: settings.region,
        forcePathStyle: settings.forcePathStyle,
        retryMode: 'standard',
        maxAttempts: this.maxAttempts,
        requestHandler: {
          connectionTimeout: this.timeouts.connectMs,
          socketTimeout: this.timeouts.idleMs,
          requestTimeout: this.timeouts.attemptMs,
          // Without it the SDK only logs a warning when requestTimeout passes.
          throwOnRequestTimeout: true,
        },
      });
  }

  private fullKey(key: string): string {
    validateKey(key);
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  async get(key: string, options: { signal?: AbortSignal } = {}): Promise<StoredObject | undefined> {
    try {
      return await this.request(key, options.signal, async (abortSignal) => {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }), { abortSignal });
        return { body: await out.Body!.transformToByteArray(), etag: out.ETag ?? '' };
      });
    } catch (error) {
      if (error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404) && error.name !== 'NoSuchBucket') {
        return undefined;
      }
      throw this.translate(error, key);
    }
  }

  async head(key: string, options: { signal?: AbortSignal } = {}): Promise<{ bytes: number; etag: string } | undefined> {
    try {
      const out = await this.request(key, options.signal, (abortSignal) => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }), { abortSignal }));
      return { bytes: out.ContentLength ?? 0, etag: out.ETag ?? '' };
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return undefined;
      throw this.translate(error, key);
    }
  }

  async getRange(key: string, start: number, end: number, options: RangeOptions = {}): Promise<Uint8Array> {
    if (end <= start) return new Uint8Array(0);
    try {
      const body = await this.request(key, options.signal, async (abortSignal) => {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key), Range: `bytes=${start}-${end - 1}`, IfMatch: options.ifMatch }), { abortSignal });
        return out.Body!.transformToByteArray();
      });
      if (body.byteLength !== end - start) throw new Error(`range ${start}-${end} of ${key} returned ${body.byteLength} bytes`);
      return body;
    } catch (error) {
      throw this.translate(error, key);
    }
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<{ etag: string }> {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    if (bytes.byteLength >= this.multipartThreshold && options.ifMatch === undefined) return this.putMultipart(key, bytes, options);
    try {
      const out = await this.request(key, options.signal, (abortSignal) =>
        this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: this.fullKey(key),
            Body: bytes,
            ContentType: options.contentType,
            IfNoneMatch: options.ifNoneMatch,
            IfMatch: options.ifMatch,
          }),
          { abortSignal },
        ),
      );
      return { etag: out.ETag ?? '' };
    } catch (error) {
      throw this.translate(error, key);
    }
  }

  /**
   * Multipart upload: parts go up in parallel (each retried by the SDK), then CompleteMultipartUpload
   * carries the create-only condition. Any failure, abort included, aborts the upload so no parts linger.
   * AWS, MinIO and SeaweedFS honour If-None-Match on Complete when the key exists (checked in
   * test/services/s3-store.test.ts); a HeadObject first fails fast, before any bytes are sent. But in a
   * probe of ~25 truly simultaneous Completes on SeaweedFS 4.48, once both won: publish therefore never
   * relies on it (shard keys carry a per-publish random token; the commit point is a small PutObject).
   */
  private async putMultipart(key: string, bytes: Uint8Array, options: PutOptions): Promise<{ etag: string }> {
    const Key = this.fullKey(key);
    const signal = options.signal;
    if (options.ifNoneMatch === '*' && (await this.head(key, { signal }))) throw this.translate(Object.assign(new Error('exists'), { name: 'PreconditionFailed' }), key);
    let uploadId: string | undefined;
    try {
      const created = await this.request(key, signal, (abortSignal) => this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key, ContentType: options.contentType }), { abortSignal }));
      uploadId = created.UploadId;
      if (!uploadId) throw new Error('CreateMultipartUpload returned no UploadId');
      const count = Math.ceil(bytes.byteLength / this.partSize);
      const etags: string[] = new Array<string>(count);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < count) {
          const index = next++;
          const part = bytes.subarray(index * this.partSize, Math.min(bytes.byteLength, (index + 1) * this.partSize));
          const out = await this.request(key, signal, (abortSignal) =>
            this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key, UploadId: uploadId, PartNumber: index + 1, Body: part, ContentLength: part.byteLength }), { abortSignal }),
          );
          etags[index] = out.ETag ?? '';
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.partConcurrency, count) }, worker));
      const done = await this.request(key, signal, (abortSignal) =>
        this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key,
            UploadId: uploadId,
            IfNoneMatch: options.ifNoneMatch,
            MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
          }),
          { abortSignal },
        ),
      );
      return { etag: done.ETag ?? '' };
    } catch (error) {
      if (uploadId) {
        // Not under the caller's signal: the cleanup must run even when the caller aborted.
        await this.request(key, undefined, (abortSignal) => this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: uploadId }), { abortSignal })).catch(() => undefined);
      }
      throw this.translate(error, key);
    }
  }

  async list(prefix: string, options: { signal?: AbortSignal } = {}): Promise<string[]> {
    const keys: string[] = [];
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    let token: string | undefined;
    try {
      do {
        const out = await this.request(prefix, options.signal, (abortSignal) =>
          this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix ? `${this.prefix}/${prefix}` : prefix, ContinuationToken: token }), { abortSignal }),
        );
        for (const item of out.Contents ?? []) if (item.Key) keys.push(item.Key.slice(strip));
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw this.translate(error, prefix);
    }
    return keys.sort();
  }

  async delete(key: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    try {
      await this.request(key, options.signal, (abortSignal) => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }), { abortSignal }));
    } catch (error) {
      throw this.translate(error, key);
    }
  }

  async check(): Promise<void> {
    try {
      await this.request('', undefined, (abortSignal) => this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal }));
    } catch (error) {
      throw this.translate(error, '');
    }
  }

  /**
   * Runs one request (all its attempts) under the total deadline and the caller's signal. Errors come
   * back raw for the caller to translate, except the deadline's, which becomes a one-line error here.
   */
  private async request<T>(key: string, signal: AbortSignal | undefined, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = AbortSignal.timeout(this.timeouts.deadlineMs);
    try {
      return await send(signal ? AbortSignal.any([signal, deadline]) : deadline);
    } catch (error) {
      if (deadline.aborted && !signal?.aborted) throw this.timedOut(key, `no answer within the ${this.timeouts.deadlineMs / 1000} s deadline`, error);
      throw error;
    }
  }

  private timedOut(key: string, what: string, cause: unknown): WarmstartError {
    const endpoint = this.settings.endpoint ?? `AWS S3 (${this.settings.region})`;
    const { connectMs, idleMs, attemptMs } = this.timeouts;
    return new WarmstartError(
      'STORE_UNREACHABLE',
      `S3 request for ${this.uri}${key ? `/${key}` : ''} timed out: ${what} (up to ${this.maxAttempts} attempts of ${attemptMs / 1000} s, ${connectMs / 1000} s to connect, ${idleMs / 1000} s idle); check that ${endpoint} answers (infra/services.sh start) or fix AWS_ENDPOINT_URL_S3`,
      'AWS_ENDPOINT_URL_S3',
      { cause },
    );
  }

  destroy(): void {
    this.client.destroy();
  }

  /** Maps SDK and network errors to one-line WarmstartErrors that say what to fix. */
  private translate(error: unknown, key: string): Error {
    if (error instanceof WarmstartError) return error;
    // A caller's abort stays an abort: Temporal's cancellation and AbortSignal users look for it.
    if (error instanceof Error && error.name === 'AbortError') return error;
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
    if (name === 'TimeoutError') return this.timedOut(key, `every attempt timed out (${error instanceof Error ? error.message : String(error)})`, error);
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
