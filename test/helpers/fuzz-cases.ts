import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCommandLine } from '../../src/cli/run.js';
import { fuzzArgv, RUNNABLE } from './fuzz-argv.js';
import { BYTE_MUTATIONS, encodeTable, fuzzTable, type FuzzTable, type InputFormat } from './fuzz-input.js';
import { judgeRun, type StepResult } from './fuzz-judge.js';
import { mutateManifest } from './fuzz-manifest.js';
import { Fuzz } from './fuzz-random.js';

export type CaseKind = 'manifest' | 'input' | 'cli';

export interface CaseResult {
  kind: CaseKind;
  /** What the generator did (mutations applied), for the report of a bad case. */
  applied: string[];
  steps: StepResult[];
}

export interface CaseContext {
  /** A store holding dataset `d` v1, published from GOOD_TABLE; copied into each case that wants a parent. */
  templateStore: string;
  timeoutMs: number;
  env: Record<string, string | undefined>;
}

/** The template version's table: two numeric features, integer labels 0/1. */
export function goodTable(rows: number, offset = 0): FuzzTable {
  return {
    columns: [
      { name: 'f0', kind: 'float', values: Array.from({ length: rows }, (_, i) => i + offset) },
      { name: 'f1', kind: 'float', values: Array.from({ length: rows }, (_, i) => (i * 7 + offset) % 11) },
      { name: 'label', kind: 'int', values: Array.from({ length: rows }, (_, i) => i % 2) },
    ],
    label: 'label',
    features: ['f0', 'f1'],
  };
}

export const publishArgv = (files: string[], dataset: string, table: FuzzTable) => ['publish', ...files, '--dataset', dataset, '--label', table.label, '--features', table.features.join(',')];

const DATASET_NAMES = ['UPPER', 'a/b', '../x', '/abs', 'x/..', '.hidden', 'données', 'a b', 'd'.repeat(64), '', '-d', 'con', 'd.', 'd-'];
const EXTENSIONS: Record<InputFormat, string> = { parquet: 'parquet', arrow: 'arrow', csv: 'csv' };

function caseFolders(root: string, template: string | undefined): { dir: string; storeDir: string } {
  const storeDir = path.join(root, 'store');
  mkdirSync(root, { recursive: true });
  if (template) cpSync(template, storeDir, { recursive: true });
  else mkdirSync(storeDir);
  return { dir: root, storeDir };
}

async function inputCase(f: Fuzz, root: string, context: CaseContext): Promise<CaseResult> {
  const { dir, storeDir } = caseFolders(root, f.chance(0.3) ? context.templateStore : undefined);
  const applied: string[] = [];
  const table = fuzzTable(f, applied);
  const files: string[] = [];
  for (let k = f.chance(0.2) ? 2 : 1; k > 0; k--) {
    const format = f.pick(['parquet', 'arrow', 'csv'] as const);
    let bytes = encodeTable(table, format, f);
    applied.push(format);
    if (f.chance(0.25)) {
      const damage = f.pick(Object.keys(BYTE_MUTATIONS));
      bytes = BYTE_MUTATIONS[damage]!(bytes, f);
      applied.push(damage);
    }
    // Sometimes a file whose name lies about its format.
    const extension = f.chance(0.08) ? f.pick(['parquet', 'arrow', 'csv', 'txt', 'feather', '']) : EXTENSIONS[format];
    const file = path.join(dir, `input-${k}${extension ? `.${extension}` : ''}`);
    writeFileSync(file, bytes);
    files.push(file);
  }
  const fileTrick = f.chance(0.1) ? f.pick(['missing file', 'a directory', 'same file twice']) : undefined;
  if (fileTrick === 'missing file') files.push(path.join(dir, 'missing.parquet'));
  if (fileTrick === 'a directory') files.push(dir);
  if (fileTrick === 'same file twice') files.push(files[0]!);
  if (fileTrick) applied.push(fileTrick);
  const dataset = f.chance(0.85) ? 'd' : f.pick(DATASET_NAMES);
  const argv = publishArgv(files, dataset, table);
  if (table.shape !== undefined) argv.push('--shape', table.shape);
  if (table.id && f.chance(0.8)) argv.push('--id-column', table.id);
  if (table.weight && f.chance(0.8)) argv.push('--weight-column', table.weight);
  if (table.split && f.chance(0.8)) argv.push('--split-column', table.split);
  if (f.chance(0.2)) argv.push('--new-classes');
  if (f.chance(0.05)) argv.push('--label', 'nope');
  if (f.chance(0.05)) argv.push('--id-column', table.label);
  return { kind: 'input', applied, steps: [await judgeRun(argv, { caseDir: dir, storeDir, env: context.env, timeoutMs: context.timeoutMs })] };
}

async function manifestCase(f: Fuzz, root: string, context: CaseContext): Promise<CaseResult> {
  const { dir, storeDir } = caseFolders(root, context.templateStore);
  const original = readFileSync(path.join(storeDir, 'datasets/d/v1/manifest.json'), 'utf8');
  const asV2 = f.chance(0.3);
  const { text, applied } = mutateManifest(asV2 ? original.replace('"version": 1', '"version": 2').replace('"parentVersion": null', '"parentVersion": 1') : original, f);
  const version = asV2 ? 2 : 1;
  mkdirSync(path.join(storeDir, `datasets/d/v${version}`), { recursive: true });
  writeFileSync(path.join(storeDir, `datasets/d/v${version}/manifest.json`), text);
  if (asV2) applied.unshift('as v2');
  const options = { caseDir: dir, storeDir, env: context.env, timeoutMs: context.timeoutMs };
  const steps = [await judgeRun(['validate', '--dataset', 'd', '--version', String(version)], options)];
  // Publishing on top: it must never build a readable-looking version on a broken one.
  const good = path.join(dir, 'next.csv');
  const table = goodTable(30, 100);
  writeFileSync(good, encodeTable(table, 'csv', f));
  steps.push(await judgeRun(publishArgv([good], 'd', table), options));
  return { kind: 'manifest', applied, steps };
}

async function cliCase(f: Fuzz, root: string, context: CaseContext): Promise<CaseResult> {
  const { dir, storeDir } = caseFolders(root, f.chance(0.5) ? context.templateStore : undefined);
  const good = path.join(dir, 'good.csv');
  writeFileSync(good, encodeTable(goodTable(24), 'csv', f));
  const argv = fuzzArgv(f, dir, [good]);
  let runnable = true;
  try {
    const line = parseCommandLine(argv);
    runnable = line.help || RUNNABLE.has(line.command.name);
  } catch {
    // A line refused while parsing is refused by run() at the same point, before any command runs.
  }
  if (!runnable) return { kind: 'cli', applied: [], steps: [{ outcome: 'parsed, not run', argv, stderr: '' }] };
  return { kind: 'cli', applied: [], steps: [await judgeRun(argv, { caseDir: dir, storeDir, env: context.env, timeoutMs: context.timeoutMs })] };
}

const KINDS: CaseKind[] = ['manifest', 'input', 'input', 'cli'];

/** Case `index`: its kind is fixed by the index (so every kind gets its share), its content by the seed. */
export function runCase(index: number, seed: number, root: string, context: CaseContext): Promise<CaseResult> {
  const f = new Fuzz(seed);
  const kind = KINDS[index % KINDS.length]!;
  if (kind === 'manifest') return manifestCase(f, root, context);
  if (kind === 'input') return inputCase(f, root, context);
  return cliCase(f, root, context);
}
