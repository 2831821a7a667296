/**
 * The one grammar for the names that become object keys, workflow IDs and search attributes.
 *
 * - model and dataset names: 1 to 63 characters of lowercase ASCII letters, digits, ".", "_" and
 *   "-", starting with a letter or digit. So a name is always exactly one key segment: no "/", no
 *   "." or ".." segment, no hidden file, no upper case (S3 keys are case-sensitive but many local
 *   file systems are not, so "Digits" and "digits" would collide), no spaces or non-ASCII letters.
 * - candidate IDs (derived from workflow IDs, e.g. `digits_mnist_v2-warm`, or a replay's with its
 *   UTC stamp `...T094735`): 1 to 200 characters of ASCII letters of either case, digits, ".", "_"
 *   and "-", starting with a letter or digit.
 *
 * Pure: the CLI, the library API and the workflows (inside the sandbox) share it.
 */
import { WarmstartError } from './errors.js';

export type NameKind = 'model' | 'dataset' | 'candidate';

export const NAME_RULES: Record<NameKind, { pattern: RegExp; maxLength: number; description: string }> = {
  model: { pattern: /^[a-z0-9][a-z0-9._-]*$/, maxLength: 63, description: '1-63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit' },
  dataset: { pattern: /^[a-z0-9][a-z0-9._-]*$/, maxLength: 63, description: '1-63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit' },
  candidate: { pattern: /^[A-Za-z0-9][A-Za-z0-9._-]*$/, maxLength: 200, description: '1-200 letters, digits, ".", "_" or "-", starting with a letter or digit' },
};

/** Why `name` breaks the grammar, or undefined when it is valid. */
export function nameProblem(kind: NameKind, name: unknown): string | undefined {
  const rule = NAME_RULES[kind];
  if (typeof name !== 'string' || name.length === 0) return `${kind} name is missing; ${kind} names are ${rule.description}`;
  const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}...` : name);
  if (name.length > rule.maxLength) return `${kind} name ${shown} is ${name.length} characters long, over the limit of ${rule.maxLength}; ${kind} names are ${rule.description}`;
  if (!rule.pattern.test(name)) {
    const suggestion = kind === 'candidate' ? '' : suggest(name);
    return `${kind} name ${shown} is not valid: ${kind} names are ${rule.description}${suggestion ? `, e.g. "${suggestion}"` : ''}`;
  }
  return undefined;
}

/** A valid name close to a bad one, for the error message; empty when nothing sensible is left. */
function suggest(name: string): string {
  const ascii = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  return ascii
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, 63);
}

export function isValidName(kind: NameKind, name: unknown): name is string {
  return nameProblem(kind, name) === undefined;
}

/** Returns the name, or throws a one-line CONFIG_INVALID error naming the rule (the CLI exits 2). */
export function checkName(kind: NameKind, name: unknown): string {
  const problem = nameProblem(kind, name);
  if (problem) throw new WarmstartError('CONFIG_INVALID', problem, kind);
  return name as string;
}
