import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './services.js';

const run = promisify(execFile);
const script = path.join(repoRoot, 'infra/services.sh');

/**
 * A Temporal dev server of the test's own (its ports, its state directory, its SQLite file), so the
 * test may stop and start it; the shared server on 7233 is never touched. S3 stays the shared
 * SeaweedFS: `services.sh` finds it healthy and starts no second one, and `stop` on this state
 * directory (which holds no seaweedfs.pid) leaves it alone.
 */
export class OwnTemporal {
  readonly stateDir = mkdtempSync(path.join(tmpdir(), 'warmstart-own-temporal-'));

  constructor(private readonly ports: { temporal: number; ui: number }) {}

  get address(): string {
    return `127.0.0.1:${this.ports.temporal}`;
  }

  private env(): Record<string, string> {
    return { ...process.env, WARMSTART_TEMPORAL_PORT: String(this.ports.temporal), WARMSTART_TEMPORAL_UI_PORT: String(this.ports.ui), WARMSTART_STATE_DIR: this.stateDir } as Record<string, string>;
  }

  /** Starts (or restarts, on the same SQLite file: workflows survive) and waits until healthy. */
  async start(): Promise<void> {
    await run(script, ['start'], { env: this.env(), timeout: 150_000 });
  }

  /** Whether this server answers (`services.sh status` on its ports; the shared S3 is up throughout). */
  async serving(): Promise<boolean> {
    return run(script, ['status'], { env: this.env(), timeout: 30_000 }).then(
      () => true,
      () => false,
    );
  }

  /** Stops this state directory's Temporal only (SIGTERM to its process group, SIGKILL after 10 s). */
  async stop(): Promise<void> {
    await run(script, ['stop'], { env: this.env(), timeout: 60_000 });
  }
}
