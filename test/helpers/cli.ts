import { execFile } from 'node:child_process';
import path from 'node:path';
import { run } from '../../src/cli/run.js';
import { repoRoot } from './services.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The executable from source, for tests that spawn it (signals, a process of its own). */
export const CLI_BIN = path.join(repoRoot, 'src/cli/bin.ts');

/**
 * Runs the CLI from source in a process of its own, as a user would. Asynchronous on purpose: a test
 * that hosts workers in its own process must keep its event loop free while the CLI waits for them.
 */
export function runCli(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI_BIN, ...args], { cwd: repoRoot, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 180_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr: stderr.trim() });
    });
  });
}

/** Runs the CLI in this process through run(argv, io), with the same result shape as runCli. */
export async function runInProcess(args: string[], env: Record<string, string | undefined> = {}, signal?: AbortSignal): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { ...process.env, ...env },
    signal,
  };
  const code = await run(args, io);
  return { code, stdout, stderr: stderr.trim() };
}
