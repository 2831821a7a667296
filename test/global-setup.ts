import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

const script = path.resolve(import.meta.dirname, '../infra/services.sh');

/** Starts the real Temporal dev server and SeaweedFS S3 for the integration tests, unless already up. */
export default function setup(): () => void {
  const alreadyRunning = spawnSync(script, ['status']).status === 0;
  if (!alreadyRunning) execFileSync(script, ['start'], { stdio: 'inherit' });
  return () => {
    // Leave services a developer started by hand; stop the ones this run started.
    if (!alreadyRunning && !process.env.WARMSTART_KEEP_SERVICES) execFileSync(script, ['stop'], { stdio: 'ignore' });
  };
}
