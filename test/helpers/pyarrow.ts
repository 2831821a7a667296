import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './services.js';

/** Installs the pinned pyarrow (quick when present) and runs one of test/fixtures' scripts with it. */
function runWithPyarrow(script: string, args: string[]): string {
  const target = execFileSync(path.join(repoRoot, 'infra/python-tools.sh'), ['--path'], { encoding: 'utf8' }).trim();
  execFileSync(path.join(repoRoot, 'infra/python-tools.sh'), { stdio: ['ignore', 'ignore', 'inherit'] });
  return execFileSync('python3', [path.join(repoRoot, 'test/fixtures', script), ...args], {
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: target },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** The Parquet interop script (pyarrow_interop.py). */
export function pyarrow(...args: string[]): string {
  return runWithPyarrow('pyarrow_interop.py', args);
}

/** The Arrow IPC interop script (arrow_ipc_interop.py). */
export function pyarrowIpc(...args: string[]): string {
  return runWithPyarrow('arrow_ipc_interop.py', args);
}
