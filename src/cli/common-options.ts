import type { OptionSpec } from './options.js';

/** Options several commands declare alike; each command still lists the ones it takes. */
export const STORE = { store: { type: 'string', value: '<uri>', help: 'the store, s3://bucket/prefix or file:///dir (overrides WARMSTART_STORE)' } } as const satisfies Record<string, OptionSpec>;
export const JSON_OUTPUT = { json: { type: 'boolean', help: 'print JSON to stdout instead of text' } } as const satisfies Record<string, OptionSpec>;
export const BY = { by: { type: 'string', value: '<name>', help: 'who asks, for the audit record (default $USER)' } } as const satisfies Record<string, OptionSpec>;
export const TASK_QUEUE = { 'task-queue': { type: 'string', value: '<q>', help: 'the Temporal task queue (default WARMSTART_TASK_QUEUE or warmstart)' } } as const satisfies Record<string, OptionSpec>;

export const MODEL = { type: 'string', value: '<m>', required: true, name: 'model', help: 'the model' } as const satisfies OptionSpec;
export const DATASET = { type: 'string', value: '<d>', required: true, name: 'dataset', help: 'the dataset' } as const satisfies OptionSpec;
export const VERSION = { type: 'integer', value: '<N>', required: true, help: 'the dataset version' } as const satisfies OptionSpec;
export const REASON = { type: 'string', value: '<why>', required: true, help: 'why, for the audit record' } as const satisfies OptionSpec;

/** Options left out of generated usage lines: every command's help lists them in full. */
export const UNLISTED_IN_SYNOPSIS = new Set(['store', 'json', 'by']);

/** --by, else the user running the command. */
export function operator(by: string | undefined, env: Record<string, string | undefined>): string {
  return by ?? env.USER ?? 'operator';
}
