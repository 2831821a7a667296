import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands/index.js';
import { findCommand, parseCommandLine } from '../../../src/cli/run.js';
import { UsageError } from '../../../src/cli/usage-error.js';
import { isWarmstartError } from '../../../src/errors.js';

/** The error a command line raises, for asserting its kind and its one line. */
function problem(argv: string[]): Error {
  try {
    parseCommandLine(argv);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${argv.join(' ')} parsed without a problem`);
}

describe('resolving the command', () => {
  it('finds one-word commands, two-word families and the old name of check-history', () => {
    expect(findCommand(['refresh', '--model', 'm'])).toMatchObject({ command: { name: 'refresh' }, rest: ['--model', 'm'] });
    expect(findCommand(['audit', 'verify', '--model', 'm'])).toMatchObject({ command: { name: 'audit verify' }, rest: ['--model', 'm'] });
    expect(findCommand(['audit', '--model', 'm'])).toMatchObject({ command: { name: 'audit' }, rest: ['--model', 'm'] });
    expect(findCommand(['replay-history', 'refresh/m/d/v1'])?.command.name).toBe('check-history');
    expect(findCommand(['frobnicate'])).toBeUndefined();
  });

  it('an unknown command, or a family word alone, is a usage error saying what to run', () => {
    expect(problem(['frobnicate'])).toEqual(new UsageError('unknown command "frobnicate"; run warmstart --help'));
    expect(problem(['--store', 's3://b/p', 'check']).message).toBe('options come after the command (got "--store" first): warmstart <command> [options]; run warmstart --help');
    expect(problem(['import', '--dataset', 'd']).message).toMatch(/^usage: warmstart import mnist --dataset <d> --versions <spec>/);
    expect(problem(['bench']).message).toMatch(/^usage: warmstart bench continual --dataset <d> \(--old <N> --new <M>/);
  });

  it('command names are unique, aliases included', () => {
    const names = COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('each command parses only the options it declares', () => {
  it('an option another command declares is an error naming this command and its help', () => {
    const error = problem(['publish', 'a.csv', '--dataset', 'd', '--label', 'y', '--features', 'x', '--every', '5m']);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe('unknown option --every for `warmstart publish`; see warmstart publish --help');
    expect(parseCommandLine(['watch', '--model', 'm', '--dataset', 'd', '--every', '5m']).values).toEqual({ model: 'm', dataset: 'd', every: '5m' });
    expect(problem(['check', '--model', 'm']).message).toBe('unknown option --model for `warmstart check`; see warmstart check --help');
    expect(problem(['audit', 'verify', '--model', 'm', '--since', '2026-01-01']).message).toBe('unknown option --since for `warmstart audit verify`; see warmstart audit verify --help');
    expect(parseCommandLine(['audit', '--model', 'm', '--since', '2026-01-01']).values.since).toBe('2026-01-01');
  });

  it('--json is a flag everywhere it is declared; bench writes its file with --json-out', () => {
    expect(parseCommandLine(['validate', '--dataset', 'd', '--version', '2', '--json']).values).toEqual({ dataset: 'd', version: 2, json: true });
    const bench = ['bench', 'continual', '--dataset', 'd', '--old', '1', '--new', '2'];
    expect(parseCommandLine([...bench, '--json-out', 'r.json']).values).toMatchObject({ 'json-out': 'r.json' });
    expect(parseCommandLine([...bench, '--json']).values).toMatchObject({ json: true });
    expect(problem([...bench, '--json', 'r.json']).message).toBe(
      'unexpected argument "r.json" for `warmstart bench continual` (--json takes no value); see warmstart bench continual --help',
    );
  });

  it('converts positive integers and insists on required options before anything runs', () => {
    expect(parseCommandLine(['replay', '--model', 'm', '--version', '3', '--warm-steps', '40']).values).toMatchObject({ version: 3, 'warm-steps': 40 });
    expect(problem(['validate', '--dataset', 'x', '--version', 'two'])).toEqual(new UsageError('--version must be a positive integer (got "two")'));
    expect(problem(['validate', '--dataset', 'x', '--version', '0']).message).toBe('--version must be a positive integer (got "0")');
    expect(problem(['promote', '--model', 'm', '--candidate', 'c'])).toEqual(new UsageError('--reason is required'));
    expect(problem(['refresh', '--model', 'm', '--version', '1'])).toEqual(new UsageError('--dataset is required'));
  });

  it('names that become keys and workflow IDs are checked (a configuration error, exit 2), bench --model is a spec', () => {
    const bad = problem(['status', '--model', 'Bad Name']);
    expect(isWarmstartError(bad, 'CONFIG_INVALID')).toBe(true);
    expect(bad.message).toMatch(/^model name "Bad Name" is not valid: .* e\.g\. "bad-name"$/);
    expect(isWarmstartError(problem(['rollback', '--model', 'm', '--candidate', '../x', '--reason', 'r']), 'CONFIG_INVALID')).toBe(true);
    const spec = '{"kind":"mlp","hidden":[8]}';
    expect(parseCommandLine(['bench', 'continual', '--dataset', 'd', '--steps', '3', '--model', spec]).values.model).toBe(spec);
  });

  it('positional arguments only where declared; a missing one shows the usage', () => {
    expect(problem(['refresh', 'extra', '--model', 'm']).message).toBe('unexpected argument "extra" for `warmstart refresh`; see warmstart refresh --help');
    expect(problem(['publish', '--dataset', 'd', '--label', 'y', '--features', 'x'])).toEqual(
      new UsageError('usage: warmstart publish <files...> --dataset <d> --label <col> --features <col>[,<col>...] [--categorical <col>[,<col>...]] [--shape 28,28,1] [--split-column <col>] [--weight-column <col>] [--id-column <col>] [--new-classes]'),
    );
    expect(parseCommandLine(['audit', 'correct', '--model', 'm', 'ledger/k.json', 'note=x', '--reason', 'typo']).args).toEqual(['ledger/k.json', 'note=x']);
  });

  it('a value missing after an option is a usage error for that command', () => {
    const error = problem(['status', '--model']);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/^Option '--model <value>' argument missing for `warmstart status`; see warmstart status --help$/);
  });

  it('--help wins over everything else on the line', () => {
    expect(parseCommandLine(['refresh', '--help'])).toMatchObject({ help: true, command: { name: 'refresh' } });
    expect(parseCommandLine(['status', '--model', 'Bad Name', '-h']).help).toBe(true);
  });
});
