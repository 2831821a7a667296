import { loadConfig, type WarmstartConfig } from '../config.js';
import { openStore } from '../storage/open-store.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface CliContext {
  config: WarmstartConfig;
  store: ObjectStore;
}

/** Validates configuration and checks the store before a command does anything. */
export async function cliContext(storeOverride?: string, env: Record<string, string | undefined> = process.env): Promise<CliContext> {
  const config = loadConfig(env, { store: storeOverride });
  const store = openStore(config.store, config.s3);
  await store.check();
  return { config, store };
}
