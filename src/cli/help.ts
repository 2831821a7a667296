import type { Command, CommandGroup } from './command.js';
import { UNLISTED_IN_SYNOPSIS } from './common-options.js';
import { HELP_OPTION, type OptionSpec } from './options.js';

const WIDTH = 110;
const SUMMARY_INDENT = ' '.repeat(23);

const GROUPS: Record<CommandGroup, string> = { data: 'data', refreshing: 'refreshing', operating: 'operating', benchmark: 'benchmark' };

const FOOTER = `options every command takes: --help; most take --store <uri> (overrides WARMSTART_STORE), --json (JSON on stdout)
environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, WARMSTART_STORE (s3://bucket/prefix | file:///dir),
  WARMSTART_TASK_QUEUE, AWS_ENDPOINT_URL_S3, AWS_REGION and the standard AWS credential chain,
  WARMSTART_BACKEND (tensorflow | wasm | cpu), WARMSTART_LOG_LEVEL, WARMSTART_PRICES (price table file)
exit codes: 0 ok, 2 configuration/data/service problem (one line on stderr), 3 non-deterministic history,
  4 a refresh that ended without promoting (rejected, failed, superseded), 64 usage, 1 unexpected error,
  130/143 cancelled by SIGINT/SIGTERM`;

function optionUsage(name: string, spec: OptionSpec): string {
  return spec.type === 'boolean' ? `--${name}` : `--${name} ${spec.value ?? '<value>'}`;
}

/** Breaks a long usage line between words, continuing under the command's first argument. */
function wrap(line: string, indent: string): string {
  const lines: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current && `${current} ${word}`.length > WIDTH) {
      lines.push(current);
      current = `${indent}${word}`;
    } else current = current ? `${current} ${word}` : word;
  }
  return [...lines, current].join('\n');
}

/** `refresh --model <m> --dataset <d> --version <N> [--no-wait]`: from the declarations unless written by hand. */
export function synopsis(command: Command): string {
  if (command.synopsis) return `${command.name} ${command.synopsis}`;
  const options = Object.entries(command.options).filter(([name]) => !UNLISTED_IN_SYNOPSIS.has(name));
  const required = options.filter(([, spec]) => spec.required).map(([name, spec]) => optionUsage(name, spec));
  const optional = options.filter(([, spec]) => !spec.required).map(([name, spec]) => `[${optionUsage(name, spec)}]`);
  return [command.name, ...(command.args ? [command.args.usage] : []), ...required, ...optional].join(' ');
}

export function globalHelp(commands: readonly Command[]): string {
  const sections = (Object.keys(GROUPS) as CommandGroup[]).map((group) => {
    const entries = commands
      .filter((c) => c.group === group)
      .map((c) => `  ${wrap(synopsis(c), '      ')}\n${c.summary.split('\n').map((line) => `${SUMMARY_INDENT}${line}`).join('\n')}`);
    return `${GROUPS[group]}\n${entries.join('\n')}`;
  });
  return [
    'warmstart: refresh production models when new data lands (Temporal + S3 + TensorFlow.js)',
    '',
    'usage: warmstart <command> [options]      (warmstart <command> --help lists its options)',
    '',
    sections.join('\n'),
    '',
    FOOTER,
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const options = Object.entries({ ...command.options, help: HELP_OPTION });
  const labels = options.map(([name, spec]) => `${spec.short ? `-${spec.short}, ` : ''}${optionUsage(name, spec)}`);
  const width = Math.max(...labels.map((l) => l.length)) + 2;
  const rows = options.map(([, spec], i) => `  ${labels[i]!.padEnd(width)}${spec.help}${spec.required ? ' (required)' : ''}`);
  return [
    `usage: warmstart ${wrap(synopsis(command), '         ')}`,
    '',
    command.summary,
    ...(command.aliases?.length ? ['', `also runs as: ${command.aliases.map((a) => `warmstart ${a}`).join(', ')}`] : []),
    '',
    'options:',
    ...rows,
  ].join('\n');
}
