import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { run } from '../../src/cli/run.js';
import { validateVersion } from '../../src/data/summary.js';
import { loadManifest } from '../../src/data/versions.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';

/** Outcomes a case may end in; every other one is a bad outcome the fuzzer counts and reports. */
export const GOOD_OUTCOMES = ['exit 0', 'exit 0, version readable', 'refused (exit 2)', 'usage (exit 64)', 'parsed, not run'] as const;

/** Bad outcomes, worst first. */
export const BAD_OUTCOMES = ['hang', 'threw out of run()', 'leftover object', 'unreadable version', 'stack trace', 'unexpected error (exit 1)', 'not one line', 'other exit code'] as const;

export type Outcome = (typeof GOOD_OUTCOMES)[number] | (typeof BAD_OUTCOMES)[number];

export interface StepResult {
  outcome: Outcome;
  argv: string[];
  code?: number;
  stderr: string;
  detail?: string;
}

/** Every file under the case's folder (the store's temporary files and locks included), with a hash of its bytes. */
export function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string) => {
    let names: string[];
    try {
      names = readdirSync(at);
    } catch {
      return;
    }
    for (const name of names) {
      const full = path.join(at, name);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(path.relative(dir, full), createHash('sha256').update(readFileSync(full)).digest('hex'));
    }
  };
  walk(dir);
  return files;
}

const changes = (before: Map<string, string>, after: Map<string, string>) => [...after].filter(([file, hash]) => before.get(file) !== hash).map(([file]) => file);

const STACK_FRAME = /\n\s+at \S.*(:\d+:\d+|\(native\))/;

/** Runs one command line in process, with a deadline, and judges how it ended (see the brief's rules). */
export async function judgeRun(argv: string[], options: { caseDir: string; storeDir: string; env: Record<string, string | undefined>; timeoutMs: number }): Promise<StepResult> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env: options.env };
  const before = snapshot(options.caseDir);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), options.timeoutMs)));
  let code: number | 'hang';
  try {
    code = await Promise.race([run(argv, io), deadline]);
  } catch (error) {
    return { outcome: 'threw out of run()', argv, stderr, detail: String(error) };
  } finally {
    clearTimeout(timer);
  }
  if (code === 'hang') return { outcome: 'hang', argv, stderr, detail: `no exit within ${options.timeoutMs} ms` };
  const result = { argv, code, stderr: stderr.trim() };
  if (STACK_FRAME.test(stderr) || STACK_FRAME.test(stdout)) return { ...result, outcome: 'stack trace' };
  const changed = changes(before, snapshot(options.caseDir));
  if (code === 0) {
    const storeFolder = path.relative(options.caseDir, options.storeDir);
    const manifests = changed.filter((file) => file.startsWith(`${storeFolder}/`) && /\/datasets\/[^/]+\/v\d+\/manifest\.json$/.test(file));
    for (const file of manifests) {
      const [, dataset, version] = /\/datasets\/([^/]+)\/v(\d+)\//.exec(file)!;
      try {
        const store = new LocalObjectStore(options.storeDir);
        await validateVersion(store, await loadManifest(store, dataset!, Number(version)));
      } catch (error) {
        return { ...result, outcome: 'unreadable version', detail: `${file}: ${(error as Error).message}` };
      }
    }
    return { ...result, outcome: manifests.length > 0 ? 'exit 0, version readable' : 'exit 0' };
  }
  if (code === 2 || code === 64) {
    if (changed.length > 0) return { ...result, outcome: 'leftover object', detail: changed.join(', ') };
    const lines = stderr.split('\n').filter((line) => line.trim() !== '');
    if (lines.length !== 1 || !lines[0]!.startsWith('warmstart: ')) return { ...result, outcome: 'not one line', detail: `${lines.length} lines` };
    return { ...result, outcome: code === 2 ? 'refused (exit 2)' : 'usage (exit 64)' };
  }
  return { ...result, outcome: code === 1 ? 'unexpected error (exit 1)' : 'other exit code' };
}

export const isBad = (outcome: Outcome) => (BAD_OUTCOMES as readonly string[]).includes(outcome);
export const badness = (outcome: Outcome) => (isBad(outcome) ? BAD_OUTCOMES.length - BAD_OUTCOMES.indexOf(outcome as (typeof BAD_OUTCOMES)[number]) : 0);
