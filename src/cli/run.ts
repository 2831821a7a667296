import { commandInput, type Command } from './command.js';
import { COMMANDS } from './commands/index.js';
import { reportFailure } from './failure.js';
import { commandHelp, globalHelp, synopsis } from './help.js';
import type { CliIo } from './io.js';
import { convertValues, parseOptions, type RawValues } from './options.js';
import { UsageError } from './usage-error.js';

export type { CliIo, Writer } from './io.js';

const matches = (command: Command, name: string) => command.name === name || (command.aliases ?? []).includes(name);

/** The command argv names (two words for a family such as `audit verify`), and the arguments after its name. */
export function findCommand(argv: readonly string[], commands: readonly Command[] = COMMANDS): { command: Command; rest: string[] } | undefined {
  const [first = '', second = ''] = argv;
  const pair = commands.find((c) => matches(c, `${first} ${second}`));
  if (pair) return { command: pair, rest: argv.slice(2) };
  const single = commands.find((c) => matches(c, first));
  return single ? { command: single, rest: argv.slice(1) } : undefined;
}

export interface CommandLine {
  command: Command;
  help: boolean;
  values: RawValues;
  args: string[];
}

/** Resolves and parses a command line without running anything; every problem is a UsageError (or a name error). */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const found = findCommand(argv);
  if (!found) {
    const [first = ''] = argv;
    if (first.startsWith('-')) throw new UsageError(`options come after the command (got "${first}" first): warmstart <command> [options]; run warmstart --help`);
    // `import` or `bench` alone: the family has no command of its own, so show its member's usage.
    const member = COMMANDS.find((c) => c.name.startsWith(`${first} `));
    if (member) throw new UsageError(`usage: warmstart ${synopsis(member)}`);
    throw new UsageError(`unknown command "${first}"; run warmstart --help`);
  }
  const { command, rest } = found;
  const parsed = parseOptions(command.name, command.options, rest, command.args !== undefined);
  if (parsed.help) return { command, help: true, values: parsed.values, args: parsed.positionals };
  if (parsed.unexpected) throw new UsageError(parsed.unexpected);
  if (parsed.positionals.length < (command.args?.min ?? 0)) throw new UsageError(`usage: warmstart ${synopsis(command)}`);
  return { command, help: false, values: convertValues(command.options, parsed.values), args: parsed.positionals };
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const [first] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' && argv[1] ? findCommand(argv.slice(1)) : undefined;
    io.stdout.write(`${topic ? commandHelp(topic.command) : globalHelp(COMMANDS)}\n`);
    return first === undefined ? 64 : 0;
  }
  const line = parseCommandLine(argv);
  if (line.help) {
    io.stdout.write(`${commandHelp(line.command)}\n`);
    return 0;
  }
  return (await line.command.run(commandInput(line.values, line.args, io))) ?? 0;
}

/**
 * The whole CLI, without touching the process: parses argv, runs one command, and returns its exit
 * code. Every failure goes through one path: a line on stderr and the code that names its kind.
 */
export async function run(argv: string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    return reportFailure(error, io);
  }
}
