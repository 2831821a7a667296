import { WarmstartError } from './errors.js';

/** Where datasets, models and the audit ledger live: an S3 bucket+prefix or a local directory. */
export type StoreLocation =
  | { kind: 's3'; bucket: string; prefix: string; uri: string }
  | { kind: 'file'; directory: string; uri: string };

export interface S3Settings {
  /** Custom endpoint (SeaweedFS, MinIO, ...); undefined means AWS itself. */
  endpoint?: string;
  region: string;
  /** Path-style addressing: required by most S3-compatible servers. */
  forcePathStyle: boolean;
}

export interface WarmstartConfig {
  temporal: { address: string; namespace: string; taskQueue: string };
  store: StoreLocation;
  s3: S3Settings;
}

type Env = Record<string, string | undefined>;

function invalid(variable: string, problem: string, fix: string): WarmstartError {
  return new WarmstartError('CONFIG_INVALID', `${variable} ${problem}; ${fix}`, variable);
}

export function parseStoreUri(uri: string, variable = 'WARMSTART_STORE'): StoreLocation {
  const trimmed = uri.trim();
  if (trimmed.startsWith('s3://')) {
    const rest = trimmed.slice('s3://'.length);
    const [bucket = '', ...prefixParts] = rest.split('/');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw invalid(variable, `names no valid bucket ("${uri}")`, 'use s3://<bucket>/<optional prefix>, e.g. s3://warmstart/prod');
    }
    const prefix = prefixParts.filter((p) => p.length > 0).join('/');
    return { kind: 's3', bucket, prefix, uri: `s3://${bucket}${prefix ? `/${prefix}` : ''}` };
  }
  if (trimmed.startsWith('file://')) {
    const directory = decodeURIComponent(trimmed.slice('file://'.length));
    if (!directory) throw invalid(variable, `names no directory ("${uri}")`, 'use file:///absolute/dir or file://./relative/dir');
    return { kind: 'file', directory, uri: `file://${directory}` };
  }
  throw invalid(variable, `must start with s3:// or file:// (got "${uri}")`, 'for example s3://warmstart/prod or file://./.warmstart/store');
}

function parseTemporalAddress(value: string): string {
  if (!/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(value)) {
    throw invalid('TEMPORAL_ADDRESS', `must be host:port (got "${value}")`, 'for example 127.0.0.1:7233');
  }
  return value;
}

function parseEndpoint(variable: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(variable, `is not a URL (got "${value}")`, 'for example http://127.0.0.1:8333');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(variable, `must use http or https (got "${url.protocol}")`, 'for example http://127.0.0.1:8333');
  }
  return value.replace(/\/+$/, '');
}

export const DEFAULT_STORE_URI = 'file://./.warmstart/store';
export const DEFAULT_TASK_QUEUE = 'warmstart';

/**
 * Reads configuration from the environment by the ecosystem's conventions:
 * TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE (Temporal CLI and SDKs), AWS_ENDPOINT_URL_S3 /
 * AWS_ENDPOINT_URL and AWS_REGION (AWS SDKs; credentials come from the standard chain),
 * WARMSTART_STORE and WARMSTART_TASK_QUEUE. Throws a WarmstartError naming the first bad variable.
 */
export function loadConfig(env: Env = process.env, overrides: { store?: string } = {}): WarmstartConfig {
  const address = parseTemporalAddress(env.TEMPORAL_ADDRESS?.trim() || '127.0.0.1:7233');
  const namespace = env.TEMPORAL_NAMESPACE?.trim() || 'default';
  const taskQueue = env.WARMSTART_TASK_QUEUE?.trim() || DEFAULT_TASK_QUEUE;
  const storeUri = overrides.store ?? (env.WARMSTART_STORE?.trim() || DEFAULT_STORE_URI);
  const store = parseStoreUri(storeUri, overrides.store !== undefined ? '--store' : 'WARMSTART_STORE');

  const endpointVar = env.AWS_ENDPOINT_URL_S3 ? 'AWS_ENDPOINT_URL_S3' : env.AWS_ENDPOINT_URL ? 'AWS_ENDPOINT_URL' : undefined;
  const endpoint = endpointVar ? parseEndpoint(endpointVar, env[endpointVar] as string) : undefined;
  const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || (endpoint ? 'us-east-1' : '');
  if (store.kind === 's3' && !region) {
    throw invalid('AWS_REGION', 'is not set and no custom endpoint is configured', 'export AWS_REGION=<your bucket region>, or AWS_ENDPOINT_URL_S3 for an S3-compatible server');
  }
  const pathStyle = env.WARMSTART_S3_PATH_STYLE?.trim();
  if (pathStyle !== undefined && pathStyle !== '' && pathStyle !== 'true' && pathStyle !== 'false') {
    throw invalid('WARMSTART_S3_PATH_STYLE', `must be true or false (got "${pathStyle}")`, 'leave it unset to use path-style with custom endpoints');
  }
  const forcePathStyle = pathStyle ? pathStyle === 'true' : endpoint !== undefined;

  return {
    temporal: { address, namespace, taskQueue },
    store,
    s3: { endpoint, region: region || 'us-east-1', forcePathStyle },
  };
}
