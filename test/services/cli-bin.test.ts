import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_BIN as bin } from '../helpers/cli.js';
import { repoRoot } from '../helpers/services.js';

// The one test that spawns the executable (no services needed): signals are a process's business, not run()'s.

/** A TCP server that accepts connections and never answers: an S3 endpoint that hangs. */
const sockets: Socket[] = [];
const silent = createServer((socket) => sockets.push(socket));
const listening = new Promise<number>((resolve) => silent.listen(0, '127.0.0.1', () => resolve((silent.address() as AddressInfo).port)));
afterAll(() => {
  for (const socket of sockets) socket.destroy();
  silent.close();
});

function spawnBin(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', bin, ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, exited };
}

describe('the warmstart executable', () => {
  it('is the package bin, with a shebang', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin.warmstart).toBe('dist/src/cli/bin.js');
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('exits with run()\'s code and output', async () => {
    const { code, stdout, stderr } = await spawnBin(['frobnicate'], {}).exited;
    expect({ code, stdout, stderr }).toEqual({ code: 64, stdout: '', stderr: 'warmstart: unknown command "frobnicate"; run warmstart --help\n' });
  });

  it('SIGTERM while a command that writes nothing waits on the store: one line, exit 143', async () => {
    const port = await listening;
    const connected = new Promise<void>((resolve) => silent.once('connection', () => resolve()));
    const run = spawnBin(['check'], { WARMSTART_STORE: 's3://silent-bucket/x', AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' });
    // Signal only once the CLI is inside the store check; a CLI that exits before that fails the test here.
    const early = await Promise.race([connected.then(() => undefined), run.exited]);
    expect(early).toBeUndefined();
    run.child.kill('SIGTERM');
    const { code, stdout, stderr } = await run.exited;
    expect({ code, stdout, stderr }).toEqual({ code: 143, stdout: '', stderr: 'warmstart: cancelled by SIGTERM\n' });
  });
});
