import { parseArgs } from 'node:util';
import { checkName, type NameKind } from '../names.js';
import { UsageError } from './usage-error.js';

/** `integer` values are positive integers, converted before the handler sees them. */
export type OptionType = 'string' | 'boolean' | 'integer';

/** One option as a command declares it: what it takes, and the help line that documents it. */
export interface OptionSpec {
  type: OptionType;
  help: string;
  /** The value's placeholder in usage lines, e.g. `<m>`; booleans take none. */
  value?: string;
  required?: boolean;
  /** Names that go into object keys and workflow IDs are checked against src/names.ts before any service is touched. */
  name?: NameKind;
  short?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean' ? boolean : S['type'] extends 'integer' ? number : string;

/** What a handler receives: required options are present, the others may be undefined. */
export type OptionValues<O extends OptionSpecs> = { -readonly [K in keyof O]: O[K]['required'] extends true ? ValueOf<O[K]> : ValueOf<O[K]> | undefined };

export type RawValues = Record<string, string | boolean | number | undefined>;

/** Every command takes --help; it is not part of any declaration. */
export const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'this help' };

export function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer (got "${value}")`);
  return n;
}

/** Turns node:util's parse errors into one line that names the command and where its options are listed. */
function parseProblem(command: string, error: unknown): UsageError {
  const message = (error as Error).message;
  const see = `see warmstart ${command} --help`;
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return new UsageError(`unknown option ${unknown[1]} for \`warmstart ${command}\`; ${see}`);
  // node:util explains this one over three lines: a value that starts with a dash reads as an option.
  const ambiguous = /^Option '([^']+)' argument is ambiguous/.exec(message);
  if (ambiguous) return new UsageError(`${ambiguous[1]} got a value that starts with a dash, which reads as an option; write ${ambiguous[1]}=-<value> to pass it, or give ${ambiguous[1]} its value; ${see}`);
  return new UsageError(`${message.split('\n')[0]!.split('. ')[0]!.replace(/\.$/, '')} for \`warmstart ${command}\`; ${see}`);
}

/** The first positional argument, and whether the token before it was a flag that takes no value. */
function firstPositional(tokens: ReturnType<typeof parseArgs>['tokens']): { value: string; afterFlag?: string } | undefined {
  const list = tokens ?? [];
  const index = list.findIndex((t) => t.kind === 'positional');
  if (index < 0) return undefined;
  const token = list[index]!;
  const before = list[index - 1];
  const afterFlag = before?.kind === 'option' && before.value === undefined ? before.rawName : undefined;
  return { value: token.kind === 'positional' ? token.value : '', afterFlag };
}

export interface ParsedOptions {
  help: boolean;
  values: RawValues;
  positionals: string[];
  /** Set when the command takes no positionals and got one: the usage error to raise unless --help was asked. */
  unexpected?: string;
}

/** Parses one command's arguments against its own declarations only: an option it does not declare is an error. */
export function parseOptions(command: string, specs: OptionSpecs, args: string[], takesArguments: boolean): ParsedOptions {
  const options = Object.fromEntries(
    Object.entries({ ...specs, help: HELP_OPTION }).map(([name, spec]) => [name, { type: spec.type === 'boolean' ? ('boolean' as const) : ('string' as const), ...(spec.short ? { short: spec.short } : {}) }]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw parseProblem(command, error);
  }
  const stray = takesArguments ? undefined : firstPositional(parsed.tokens);
  const unexpected = stray
    ? `unexpected argument "${stray.value}" for \`warmstart ${command}\`${stray.afterFlag ? ` (${stray.afterFlag} takes no value)` : ''}; see warmstart ${command} --help`
    : undefined;
  return { help: parsed.values.help === true, values: parsed.values as RawValues, positionals: parsed.positionals, unexpected };
}

/** Checks names, converts integers and insists on required options, in declaration order. */
export function convertValues(specs: OptionSpecs, raw: RawValues): RawValues {
  const values: RawValues = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = raw[name];
    if (value === undefined || value === '') {
      if (spec.required) throw new UsageError(`--${name} is required`);
      continue;
    }
    if (spec.name) checkName(spec.name, value);
    values[name] = spec.type === 'integer' ? positiveInt(value as string, name) : value;
  }
  return values;
}
