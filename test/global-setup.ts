import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

const script = path.resolve(import.meta.dirname, '../infra/services.sh');

/**
 * Starts the real Temporal dev server and SeaweedFS S3 for the services and python projects, unless
 * already up. WARMSTART_NO_SERVICES=1 makes it refuse instead: `npm run test:unit` passes with it set,
 * which shows the pure projects never reach this setup.
 */
export default function setup(): () => void {
  if (process.env.WARMSTART_NO_SERVICES) {
    throw new Error('test/global-setup.ts would start services, but WARMSTART_NO_SERVICES is set: run only the unit, replay and browser projects (npm run test:unit)');
  }
  const alreadyRunning = spawnSync(script, ['status']).status === 0;
  if (!alreadyRunning) execFileSync(script, ['start'], { stdio: 'inherit' });
  return () => {
    // Leave services a developer started by hand; stop the ones this run started.
    if (!alreadyRunning && !process.env.WARMSTART_KEEP_SERVICES) execFileSync(script, ['stop'], { stdio: 'ignore' });
  };
}
