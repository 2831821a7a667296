import type { Client } from '@temporalio/client';
import { connectClient } from '../temporal/client.js';
import { cliContext, type CliContext } from './context.js';
import type { CliIo } from './io.js';
import type { OptionSpecs, OptionValues, RawValues } from './options.js';

export type CommandGroup = 'data' | 'refreshing' | 'operating' | 'benchmark';

/** What a command's handler gets: its own parsed options, its positional arguments and the run's io. */
export interface CommandInput<V> {
  values: V;
  args: string[];
  io: CliIo;
  /** One line (or block) to stdout. */
  out(text: string): void;
  /** Validated configuration and a checked store (--store overrides WARMSTART_STORE). */
  context(): Promise<CliContext>;
  /** A Temporal client that is always closed, with the context beside it. */
  withClient<T>(fn: (client: Client, context: CliContext) => Promise<T>): Promise<T>;
}

export interface CommandSpec<O extends OptionSpecs> {
  /** One word, or a family and a word (`audit verify`). */
  name: string;
  /** Older names that still work; help names only the current one. */
  aliases?: string[];
  group: CommandGroup;
  /** What the command does; the first line is its summary in `warmstart --help`. */
  summary: string;
  options: O;
  /** Positional arguments: their usage text, and how many at least. Without this, any positional is an error. */
  args?: { usage: string; min?: number };
  /** A usage line written by hand where the generated one would mislead (alternatives). */
  synopsis?: string;
  /** Expected failures (a rejected demo version, a divergent history) are reported by the command, not logged. */
  quiet?: boolean;
  /** Commands that write wind down on the first signal (abort uploads, drain workers); others exit at once. */
  windsDown?: { notice?: string };
  run(input: CommandInput<OptionValues<O>>): Promise<number | void>;
}

/** A command with its option types erased, as the registry holds it. */
export type Command = CommandSpec<OptionSpecs> & { run(input: CommandInput<RawValues>): Promise<number | void> };

/** Declares a command; `const O` keeps the literal option types so the handler's values are typed. */
export function defineCommand<const O extends OptionSpecs>(spec: CommandSpec<O>): Command {
  return spec as unknown as Command;
}

export function commandInput(values: RawValues, args: string[], io: CliIo): CommandInput<RawValues> {
  const store = typeof values.store === 'string' ? values.store : undefined;
  // Configuration is read and the store checked once per run, however many steps ask for them.
  let ready: Promise<CliContext> | undefined;
  const context = () => (ready ??= cliContext(store, io.env));
  return {
    values,
    args,
    io,
    out: (text) => io.stdout.write(`${text}\n`),
    context,
    async withClient(fn) {
      const ctx = await context();
      const client = await connectClient(ctx.config);
      try {
        return await fn(client, ctx);
      } finally {
        await client.connection.close();
      }
    },
  };
}
