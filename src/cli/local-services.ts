import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function script(): string {
  // From src/cli (tsx) the script is two folders up; from dist/src/cli (compiled) three.
  for (const relative of ['../../infra/services.sh', '../../../infra/services.sh']) {
    const candidate = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('cannot find infra/services.sh next to the package');
}

/** Starts the local services unless they already answer; returns the environment that points at them. */
export function ensureLocalServices(log: (line: string) => void): Record<string, string> {
  const path = script();
  if (spawnSync(path, ['status']).status !== 0) {
    log('starting local Temporal dev server and SeaweedFS S3 (infra/services.sh start)...');
    execFileSync(path, ['start'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return localServicesEnv();
}

/** The environment that points clients at the local services (`infra/services.sh env`). */
export function localServicesEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of execFileSync(script(), ['env'], { encoding: 'utf8' }).split('\n')) {
    const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) env[match[1]!] = match[2]!;
  }
  return env;
}
