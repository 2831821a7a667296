import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { continualChart } from '../../bench/chart.js';
import type { ContinualResult } from '../../bench/continual.js';
import { continualTable, RULE } from '../../bench/format.js';
import { mergeContinual, type MergePart } from '../../bench/merge.js';
import { WarmstartError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { JSON_OUTPUT } from '../common-options.js';
import type { BenchRecord } from './bench.js';

/** Result files are a few hundred kilobytes; anything past this is not one (checked before reading). */
const MAX_RESULT_BYTES = 256 * 1024 * 1024;

const bad = (file: string, problem: string) => new WarmstartError('CONFIG_INVALID', `bench merge: ${file}: ${problem}; give a --json-out file of \`warmstart bench continual\` (plain or .gz)`, file);

/** One --json-out file of a pair run, plain or gzipped, checked for the fields the merge reads. */
export function readResultFile(file: string): MergePart & { machine: string | null } {
  const size = statSync(file).size;
  if (size > MAX_RESULT_BYTES) throw bad(file, `${size} bytes is larger than any result (${MAX_RESULT_BYTES} at most)`);
  const bytes = readFileSync(file);
  let record: Partial<BenchRecord>;
  try {
    // A gzipped file may not unpack past the same bound (a small file can hold a huge stream).
    const text = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes, { maxOutputLength: MAX_RESULT_BYTES }).toString('utf8') : bytes.toString('utf8');
    record = JSON.parse(text) as Partial<BenchRecord>;
  } catch (error) {
    throw bad(file, `not JSON (${(error as Error).message})`);
  }
  if (typeof record !== 'object' || record === null) throw bad(file, 'not a result object');
  if (record.kind === 'multistep') throw bad(file, 'a multi-step result (only pair results merge so far)');
  const result = record as Partial<BenchRecord & { kind: 'continual' }>;
  if (result.kind !== 'continual' || !Array.isArray(result.summaries) || !Array.isArray(result.runs) || !Array.isArray(result.settings?.seeds) || !result.summaries.every((v) => Array.isArray((v as { seeds?: unknown } | null)?.seeds))) throw bad(file, 'not a pair result (kind, settings.seeds, summaries, runs)');
  const { machine } = result;
  const bare: Partial<BenchRecord> = { ...result };
  delete bare.rule;
  delete bare.machine;
  return { name: file, result: bare as ContinualResult, machine: machine ?? null };
}

export const benchMergeCli = defineCommand({
  name: 'bench merge',
  group: 'benchmark',
  summary: 'join pair results of one `bench continual` command run on other seeds (--first-seed) into one table and JSON',
  args: { usage: '<result.json[.gz]> <result.json[.gz]>...', min: 2 },
  options: {
    variants: { type: 'string', value: 'combined,...', help: 'keep only these variants (and scratch): for runs that ran different sets' },
    'json-out': { type: 'string', value: '<file>', help: 'write the merged result JSON to this file' },
    svg: { type: 'string', value: '<file>', help: 'write the merged chart' },
    ...JSON_OUTPUT,
  },
  async run({ values, args, out }) {
    const parts = args.map(readResultFile);
    const merged = mergeContinual(parts, values.variants?.split(',').map((v) => v.trim()));
    const machines = [...new Set(parts.map((p) => p.machine).filter((m): m is string => m !== null))];
    const record: BenchRecord = { ...merged, rule: RULE, machine: machines.join('; ') };
    if (values['json-out']) writeFileSync(values['json-out'], `${JSON.stringify(record)}\n`);
    if (values.svg) writeFileSync(values.svg, continualChart(merged));
    out(values.json ? JSON.stringify(record) : `${continualTable(merged)}\n\nRule: ${RULE}.\nMachine: ${record.machine || 'not recorded'}.`);
  },
});
