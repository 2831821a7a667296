/**
 * How to reach Temporal, read through the SDK's standard environment configuration
 * (@temporalio/envconfig): a TOML profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE) overridden by
 * TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY and TEMPORAL_TLS_* (client certificate and
 * key for mTLS, a server CA, a server name). The same settings the Temporal CLI reads, so one profile
 * serves a self-hosted cluster and Temporal Cloud alike. loadConfig (src/config.ts, Temporal-free)
 * validates TEMPORAL_ADDRESS and supplies the defaults; a profile fills in what the environment leaves out.
 */
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { WarmstartConfig } from '../config.js';
import { WarmstartError } from '../errors.js';

type Env = Record<string, string | undefined>;

/** Options both SDK connections (client and worker) accept, as envconfig resolves them. */
export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  /** Temporal Cloud API key (implies TLS). */
  apiKey?: string;
  /** mTLS or server-authenticated TLS; absent for a plain local server. */
  tls?: boolean | { serverNameOverride?: string; serverRootCACertificate?: Buffer; clientCertPair?: { crt: Buffer; key: Buffer } };
  metadata?: Record<string, string>;
  /** For messages: where the settings came from. */
  source: string;
}

function definedOnly(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/**
 * Resolves the connection from `env` (a config file only when TEMPORAL_CONFIG_FILE names one or the
 * default file exists), falling back to `config.temporal` for what neither gives. A bad profile, file
 * or certificate path is a one-line CONFIG_INVALID.
 */
export function temporalConnection(config: Pick<WarmstartConfig, 'temporal'>, env: Env = process.env): TemporalConnectionSettings {
  const profile = env.TEMPORAL_PROFILE?.trim() || undefined;
  let resolved;
  try {
    resolved = loadClientConnectConfig({ ...(profile ? { profile } : {}), overrideEnvVars: definedOnly(env) });
  } catch (error) {
    const where = env.TEMPORAL_CONFIG_FILE ? `TEMPORAL_CONFIG_FILE ${env.TEMPORAL_CONFIG_FILE}` : 'the Temporal client configuration';
    throw new WarmstartError('CONFIG_INVALID', `${where}${profile ? ` (profile ${profile})` : ''} could not be read: ${(error as Error).message.split('\n')[0]}; fix the file or unset TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE`, 'TEMPORAL_CONFIG_FILE', { cause: error });
  }
  const options = resolved.connectionOptions;
  const settings: TemporalConnectionSettings = {
    address: options.address || config.temporal.address,
    namespace: resolved.namespace || config.temporal.namespace,
    source: env.TEMPORAL_CONFIG_FILE || profile ? `profile ${profile ?? 'default'}` : 'environment',
  };
  if (options.apiKey && typeof options.apiKey === 'string') settings.apiKey = options.apiKey;
  if (options.tls !== undefined && options.tls !== null && options.tls !== false) settings.tls = options.tls as TemporalConnectionSettings['tls'];
  if (options.metadata) settings.metadata = Object.fromEntries(Object.entries(options.metadata).map(([k, v]) => [k, String(v)]));
  return settings;
}

/** The options for Connection.connect / NativeConnection.connect. */
export function connectOptions(settings: TemporalConnectionSettings): { address: string; apiKey?: string; tls?: TemporalConnectionSettings['tls']; metadata?: Record<string, string> } {
  return {
    address: settings.address,
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    ...(settings.tls ? { tls: settings.tls } : {}),
    ...(settings.metadata ? { metadata: settings.metadata } : {}),
  };
}
