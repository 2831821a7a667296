import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './services.js';

export type ProcessRole = 'control' | 'training';

interface Slot {
  role: ProcessRole;
  child: ChildProcess;
  /** Set before a kill the test ordered, so the exit is not counted as a crash. */
  expectedExit: boolean;
  stderrTail: string;
}

/**
 * `warmstart worker --role <role>` processes (src/cli/bin.ts under tsx), one per role, supervised the
 * way a deployment would: a worker that exits on its own is restarted and counted, so a test sees
 * crashes instead of hanging on a queue nobody polls.
 */
export class WorkerProcesses {
  private readonly slots = new Map<ProcessRole, Slot>();
  /** Exits the test did not order (a worker that gave up while the server was down, say). */
  readonly crashes: { role: ProcessRole; code: number | null; signal: string | null; stderrTail: string }[] = [];
  private closing = false;

  constructor(private readonly env: Record<string, string | undefined>) {}

  /** Starts the role's worker and resolves once it prints its "on task queue" line (it polls from then on). */
  async start(role: ProcessRole): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/bin.ts'), 'worker', '--role', role], {
      cwd: repoRoot,
      env: { ...this.env, WARMSTART_LOG_LEVEL: 'ERROR' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const slot: Slot = { role, child, expectedExit: false, stderrTail: '' };
    this.slots.set(role, slot);
    child.stderr!.on('data', (chunk: Buffer) => {
      slot.stderrTail = (slot.stderrTail + chunk.toString()).slice(-2000);
    });
    child.on('exit', (code, signal) => {
      if (slot.expectedExit || this.closing) return;
      this.crashes.push({ role, code, signal, stderrTail: slot.stderrTail });
      if (this.slots.get(role) === slot) void this.start(role).catch(() => undefined);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${role} worker printed no ready line within 90 s; stderr: ${slot.stderrTail}`)), 90_000);
      let seen = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (/on task queue/.test(seen)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${role} worker exited (${code}) before it was ready; stderr: ${slot.stderrTail}`));
      });
    });
  }

  /** SIGKILL (no goodbye to the server, like a machine losing power); resolves once the process is gone. */
  async kill(role: ProcessRole): Promise<void> {
    const slot = this.slots.get(role);
    if (!slot) throw new Error(`no ${role} worker to kill`);
    slot.expectedExit = true;
    if (slot.child.exitCode === null && slot.child.signalCode === null) {
      const gone = new Promise((resolve) => slot.child.once('exit', resolve));
      slot.child.kill('SIGKILL');
      await gone;
    }
  }

  async killAndRestart(role: ProcessRole): Promise<void> {
    await this.kill(role);
    await this.start(role);
  }

  async stopAll(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.slots.keys()].map((role) => this.kill(role)));
  }
}
