import { execFile } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './services.js';

/**
 * Runs the CLI from source as a user would. Asynchronous on purpose: a test that hosts workers in
 * its own process must keep its event loop free while the CLI waits for them.
 */
export function runCli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), ...args],
      { cwd: repoRoot, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 180_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr: stderr.trim() });
      },
    );
  });
}
