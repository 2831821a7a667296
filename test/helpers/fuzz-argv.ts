import { COMMANDS } from '../../src/cli/commands/index.js';
import type { Fuzz } from './fuzz-random.js';

/**
 * Commands the fuzzer runs to the end: they only touch the file:// store and files under the case's
 * folder. The others reach Temporal, train or serve; for them a parsed command line is where the
 * fuzzer stops (parse errors still go through run()).
 */
export const RUNNABLE = new Set(['publish', 'validate', 'audit', 'audit verify', 'check']);

const BOGUS_COMMANDS = ['', 'publsh', 'PUBLISH', 'audit bogus', 'bench', 'import', 'help', '--help', '-h', 'help publish', 'help nothing', '-x', '--store', '💥', 'validate\u0000'];
const BOGUS_OPTIONS = ['--', '-', '--nope', '--Dataset', '---dataset', '-d', '--dataset=', '--version=1', '--json=yes', '--help', '-h', '--no-json', '--store='];

/** Values a hostile or careless user types; `dir` confines every path-like value to the case's folder. */
export function valuePool(dir: string, files: readonly string[]): string[] {
  return [
    'd', 'a', 'x', 'ok-name', 'UPPER', 'a/b', '../evil', '/abs', 'x/..', '.hidden', 'données', 'a b', 'd'.repeat(64), 'd'.repeat(5000), '',
    '1', '2', '0', '-1', '1.5', '1e3', '1e309', 'NaN', 'Infinity', '0x10', '9007199254740993', 'abc', ' 1', '1,2', '28,28,1', '100000,100000',
    'true', 'false', '2026-01-01', 'yesterday', '2026-13-45',
    `file://${dir}/store`, `file://${dir}/missing/store`, `file://${files[0] ?? dir}`, 'file:///proc/x', 'file://', 'file:relative', 's3://', 's3://bucket/prefix', 'http://x', 'gs://bucket',
    `${dir}/out.parquet`, `${dir}`, `${dir}/missing/out.parquet`, `${dir}/${'n'.repeat(300)}.parquet`,
    ...files,
  ];
}

/** A command line: a real or bogus command, then a soup of its own options, bogus options and values. */
export function fuzzArgv(f: Fuzz, dir: string, files: readonly string[]): string[] {
  const values = valuePool(dir, files);
  if (f.chance(0.1)) return [...f.pick(BOGUS_COMMANDS).split(' '), ...f.some(values, 3)];
  const command = f.pick(COMMANDS);
  const argv = command.name.split(' ');
  const specs = Object.entries(command.options);
  // Mostly the required options first, so that many lines get past parsing to the command itself.
  if (f.chance(0.7)) {
    for (const [name, spec] of specs) if (spec.required) argv.push(`--${name}`, ...(spec.type === 'boolean' ? [] : [f.chance(0.7) ? 'd' : f.pick(values)]));
  }
  for (let k = f.int(0, 5); k > 0; k--) {
    const roll = f.random.next();
    if (roll < 0.6 && specs.length > 0) {
      const [name, spec] = f.pick(specs);
      const pathValue = name === 'parquet' || name === 'out' || name === 'json-out' || name === 'html';
      argv.push(`--${name}`);
      if (spec.type !== 'boolean' || f.chance(0.1)) argv.push(pathValue ? f.pick(values.filter((v) => v.startsWith(dir))) : f.pick(values));
    } else if (roll < 0.8) {
      argv.push(f.pick(BOGUS_OPTIONS));
    } else {
      // A positional: a file for publish, a stray word elsewhere (never a relative path that could be written).
      argv.push(f.pick(command.args ? files.length > 0 ? files : values : values));
    }
  }
  return argv;
}
