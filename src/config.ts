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

/** How a worker process behaves on a cluster; every field has a default that suits one machine. */
export interface WorkerSettings {
  /** Activities a control worker runs at once (validation, evaluation, store writes). */
  controlActivitySlots: number;
  /** Training runs a training worker runs at once: 1 per GPU (or per CPU machine) unless the model is small. */
  trainingSlots: number;
  /** Workflow tasks at once; undefined keeps the SDK's default. */
  workflowTaskSlots?: number;
  /** host:port of a Prometheus endpoint for the SDK's metrics; off when undefined. */
  metricsAddress?: string;
  /** Worker Deployment versioning: the deployment name and this build's ID; off when undefined. */
  deployment?: { name: string; buildId: string };
}

export interface WarmstartConfig {
  temporal: { address: string; namespace: string; taskQueue: string };
  store: StoreLocation;
  s3: S3Settings;
  worker: WorkerSettings;
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

function parseSlots(env: Env, variable: string, fallback: number | undefined): number | undefined {
  const raw = env[variable]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1 || value > 1000) throw invalid(variable, `must be a whole number from 1 to 1000 (got "${raw}")`, 'leave it unset for the default');
  return value;
}

/** WARMSTART_CONTROL_ACTIVITY_SLOTS, WARMSTART_TRAINING_SLOTS, WARMSTART_WORKFLOW_TASK_SLOTS, WARMSTART_METRICS_ADDRESS, WARMSTART_DEPLOYMENT_NAME + WARMSTART_BUILD_ID. */
function parseWorkerSettings(env: Env): WorkerSettings {
  const settings: WorkerSettings = {
    controlActivitySlots: parseSlots(env, 'WARMSTART_CONTROL_ACTIVITY_SLOTS', 4)!,
    trainingSlots: parseSlots(env, 'WARMSTART_TRAINING_SLOTS', 1)!,
  };
  const workflowTaskSlots = parseSlots(env, 'WARMSTART_WORKFLOW_TASK_SLOTS', undefined);
  if (workflowTaskSlots !== undefined) settings.workflowTaskSlots = workflowTaskSlots;
  const metrics = env.WARMSTART_METRICS_ADDRESS?.trim();
  if (metrics) {
    if (!/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(metrics)) throw invalid('WARMSTART_METRICS_ADDRESS', `must be host:port (got "${metrics}")`, 'for example 0.0.0.0:9464');
    settings.metricsAddress = metrics;
  }
  const name = env.WARMSTART_DEPLOYMENT_NAME?.trim();
  const buildId = env.WARMSTART_BUILD_ID?.trim();
  if (Boolean(name) !== Boolean(buildId)) {
    throw invalid(name ? 'WARMSTART_BUILD_ID' : 'WARMSTART_DEPLOYMENT_NAME', 'is missing: worker versioning needs both WARMSTART_DEPLOYMENT_NAME and WARMSTART_BUILD_ID', 'set both (e.g. warmstart and the image tag), or neither');
  }
  if (name && buildId) settings.deployment = { name, buildId };
  return settings;
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
    worker: parseWorkerSettings(env),
  };
}
