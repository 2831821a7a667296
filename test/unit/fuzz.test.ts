import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goodTable, publishArgv, runCase, type CaseContext, type CaseResult } from '../helpers/fuzz-cases.js';
import { encodeTable } from '../helpers/fuzz-input.js';
import { badness, BAD_OUTCOMES, GOOD_OUTCOMES, isBad, judgeRun, type StepResult } from '../helpers/fuzz-judge.js';
import { caseSeed, Fuzz } from '../helpers/fuzz-random.js';

// A seeded fuzzer over manifests, input files (Parquet, Arrow, CSV) and CLI arguments, on file:// stores
// in process through run(argv, io). Every case must end in exit 0 with a readable version, or exit
// 2 / 64 with one line and nothing new in the store; never a stack trace, a hang or an unexpected error.
// WARMSTART_FUZZ_CASES runs more cases, WARMSTART_FUZZ_SEED another sequence (a bad case prints its seed).
// Fixed, kept as seeds worth replaying: WARMSTART_FUZZ_SEED=15 WARMSTART_FUZZ_CASE=1553 ran out of memory
// (a damaged Arrow footer whose field claims 134 million children; sizes are now checked, arrow-bounds.ts).
const CASES = Number(process.env.WARMSTART_FUZZ_CASES ?? 1000);
const SEED = Number(process.env.WARMSTART_FUZZ_SEED ?? 11);
const TIMEOUT_MS = 15_000;
/** WARMSTART_FUZZ_CASE=<index> replays one case and keeps its folder (printed) to look at. */
const ONLY = process.env.WARMSTART_FUZZ_CASE === undefined ? undefined : Number(process.env.WARMSTART_FUZZ_CASE);
/** WARMSTART_FUZZ_TRACE=<file>: each case's index is appended before it runs, to find one that never returns. */
const TRACE = process.env.WARMSTART_FUZZ_TRACE;

const root = mkdtempSync(path.join(tmpdir(), 'warmstart-fuzz-'));
const env = {
  WARMSTART_STORE: `file://${path.join(root, 'unused-store')}`,
  // Nothing listens on port 1: a command that reaches for Temporal or S3 fails at once.
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1',
  AWS_ACCESS_KEY_ID: 'fuzz',
  AWS_SECRET_ACCESS_KEY: 'fuzz',
  AWS_REGION: 'us-east-1',
  HOME: root,
  PATH: process.env.PATH,
};
const context: CaseContext = { templateStore: path.join(root, 'template', 'store'), timeoutMs: TIMEOUT_MS, env };
const cwd = process.cwd();

beforeAll(async () => {
  // A relative path in an argument soup must never land in the repository.
  mkdirSync(path.join(root, 'cwd'));
  process.chdir(path.join(root, 'cwd'));
  const dir = path.join(root, 'template');
  mkdirSync(path.join(dir, 'store'), { recursive: true });
  const file = path.join(dir, 'v1.csv');
  const table = goodTable(40);
  writeFileSync(file, encodeTable(table, 'csv', new Fuzz(1)));
  const published = await judgeRun([...publishArgv([file], 'd', table), '--store', `file://${context.templateStore}`], { caseDir: dir, storeDir: context.templateStore, env, timeoutMs: TIMEOUT_MS });
  expect(published.outcome, published.stderr).toBe('exit 0, version readable');
});

afterAll(() => {
  process.chdir(cwd);
  if (ONLY === undefined) rmSync(root, { recursive: true, force: true });
});

const worst = (result: CaseResult): StepResult => result.steps.reduce((a, b) => (badness(b.outcome) > badness(a.outcome) ? b : a));

describe('fuzzer', () => {
  it(`${CASES} seeded cases end in exit 0 with a readable version or one refusing line`, { timeout: 60 * 60_000 }, async () => {
    const counts = new Map<string, number>();
    const bad: { index: number; seed: number; result: CaseResult; step: StepResult }[] = [];
    const started = Date.now();
    // An out-of-memory kills this process; the peak says how close the cases came.
    let peakRss = process.memoryUsage().rss;
    for (let index = ONLY ?? 0; index < (ONLY === undefined ? CASES : ONLY + 1); index++) {
      const seed = caseSeed(SEED, index);
      if (TRACE) appendFileSync(TRACE, `${index}\n`);
      const dir = path.join(root, `case-${index}`);
      const result = await runCase(index, seed, dir, { ...context, env: { ...env, WARMSTART_STORE: `file://${path.join(dir, 'store')}` } });
      for (const step of result.steps) counts.set(`${result.kind}: ${step.outcome}`, (counts.get(`${result.kind}: ${step.outcome}`) ?? 0) + 1);
      const step = worst(result);
      if (isBad(step.outcome)) bad.push({ index, seed, result, step });
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (ONLY === undefined) rmSync(dir, { recursive: true, force: true });
      else console.log(`case ${index} kept in ${dir}: ${JSON.stringify(result)}`);
    }
    bad.sort((a, b) => badness(b.step.outcome) - badness(a.step.outcome));
    const byOutcome = [...GOOD_OUTCOMES, ...BAD_OUTCOMES].map((o) => [o, [...counts].filter(([k]) => k.endsWith(`: ${o}`)).reduce((n, [, c]) => n + c, 0)] as const).filter(([, n]) => n > 0);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const top = bad[0];
    const worstLine = top ? `case ${top.index} (seed ${top.seed}, ${top.result.kind}: ${top.result.applied.join(' + ') || 'argv'}) ${top.step.outcome}: warmstart ${top.step.argv.map((a) => JSON.stringify(a)).join(' ')} -> ${top.step.detail ?? top.step.stderr.slice(0, 300)}` : 'none';
    console.log(`fuzz: ${CASES} cases (seed ${SEED}) in ${seconds} s, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB; steps by outcome: ${byOutcome.map(([o, n]) => `${o} ${n}`).join(', ')}; bad outcomes ${bad.length}; worst remaining: ${worstLine}`);
    console.log(`fuzz by kind: ${[...counts].sort().map(([k, n]) => `${k} ${n}`).join('; ')}`);
    for (const b of bad.slice(0, 60)) console.log(`  bad case ${b.index} seed ${b.seed} [${b.result.kind}: ${b.result.applied.join(' + ')}] ${b.step.outcome} code ${b.step.code}: ${b.step.argv.join(' ').slice(0, 200)} -> ${JSON.stringify(b.step.stderr).slice(0, 300)} ${b.step.detail ?? ''}`);
    expect(bad.map((b) => `${b.step.outcome}: ${b.step.argv.join(' ').slice(0, 120)} -> ${(b.step.detail ?? b.step.stderr).slice(0, 200)}`)).toEqual([]);
  });
});
