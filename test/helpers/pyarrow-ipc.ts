import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './services.js';

/** Installs the pinned pyarrow (quick when present) and runs the Arrow IPC interop script with it. */
export function pyarrowIpc(...args: string[]): string {
  const target = execFileSync(path.join(repoRoot, 'infra/python-tools.sh'), ['--path'], { encoding: 'utf8' }).trim();
  execFileSync(path.join(repoRoot, 'infra/python-tools.sh'), { stdio: ['ignore', 'ignore', 'inherit'] });
  return execFileSync('python3', [path.join(repoRoot, 'test/fixtures/arrow_ipc_interop.py'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: target },
    maxBuffer: 64 * 1024 * 1024,
  });
}
