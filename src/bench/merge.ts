import { WarmstartError } from '../errors.js';
import { summarize, withPairedComparisons, type ContinualResult } from './continual.js';

/**
 * Joins pair results of one benchmark command run on different seeds (`--first-seed`) into one result,
 * as if one run had taken every seed: each seed's base, scratch and variants are the runs of that seed,
 * so the per-seed comparisons hold; summaries, goal and paired intervals are recomputed over all seeds.
 * Refuses parts that differ in anything but their seeds. Pure module.
 */
export interface MergePart {
  /** Where the part came from (a file name), for messages. */
  name: string;
  result: ContinualResult;
}

const refuse = (message: string) => new WarmstartError('CONFIG_INVALID', `bench merge: ${message}`);

/** What must be equal for two parts to be one benchmark: all but the seeds. */
function identity(result: ContinualResult): Record<string, unknown> {
  const settings: Record<string, unknown> = { ...result.settings };
  delete settings.seeds;
  return {
    dataset: result.dataset,
    oldVersion: result.oldVersion,
    newVersion: result.newVersion,
    evaluationSplit: result.evaluationSplit,
    metric: result.metric ?? 'accuracy',
    settings,
  };
}

/** The first variant two parts disagree on, in words; null when they ran the same variants. */
function variantDifference(a: ContinualResult, b: ContinualResult): string | null {
  const names = (r: ContinualResult) => r.summaries.map((s) => s.name).join(',');
  if (names(a) !== names(b)) return `its variants (${names(b)} vs ${names(a)})`;
  const i = a.summaries.findIndex((s, j) => JSON.stringify(s.levers) !== JSON.stringify(b.summaries[j]!.levers));
  return i < 0 ? null : `the levers of ${a.summaries[i]!.name} (${JSON.stringify(b.summaries[i]!.levers)} vs ${JSON.stringify(a.summaries[i]!.levers)})`;
}

/** A part narrowed to some variants (scratch and the base runs always stay); refuses a name the part lacks. */
function narrowed(part: MergePart, only: readonly string[]): MergePart {
  const missing = only.filter((name) => !part.result.summaries.some((s) => s.name === name));
  if (missing.length > 0) throw refuse(`${part.name} has no variant ${missing.join(', ')} (it has ${part.result.summaries.map((s) => s.name).join(', ')})`);
  const keep = (name: string) => name === 'scratch' || name === 'base' || only.includes(name);
  return { name: part.name, result: { ...part.result, summaries: part.result.summaries.filter((s) => keep(s.name)), runs: part.result.runs.filter((r) => keep(r.name)) } };
}

/** `only`: the variants to keep (besides scratch), for parts that ran different sets; absent: all, and they must agree. */
export function mergeContinual(given: readonly MergePart[], only?: readonly string[]): ContinualResult {
  if (given.length < 2) throw refuse(`give two or more result files (got ${given.length})`);
  const parts = only ? given.map((p) => narrowed(p, only)) : given;
  const [first, ...rest] = parts as [MergePart, ...MergePart[]];
  const expected = identity(first.result);
  for (const part of rest) {
    const actual = identity(part.result);
    const key = Object.keys(expected).find((k) => JSON.stringify(expected[k]) !== JSON.stringify(actual[k]));
    const difference = key ? `${key} (${JSON.stringify(actual[key])} vs ${JSON.stringify(expected[key])})` : variantDifference(first.result, part.result);
    if (difference) throw refuse(`${part.name} differs from ${first.name} in ${difference}: merge only runs of one command with other --first-seed values${only ? '' : ' (--variants keeps the variants they share)'}`);
  }
  const seen = new Map<number, string>();
  for (const part of parts) {
    for (const seed of part.result.settings.seeds) {
      if (seen.has(seed)) throw refuse(`seed ${seed} is in both ${seen.get(seed)} and ${part.name}: each seed may come from one file only`);
      seen.set(seed, part.name);
    }
  }
  const metric = first.result.metric ?? 'accuracy';
  const bySeed = <T extends { seed: number }>(list: T[]) => [...list].sort((a, b) => a.seed - b.seed);
  const summaries = first.result.summaries.map((s, i) =>
    summarize(s.name, s.description, s.levers, bySeed(parts.flatMap((p) => p.result.summaries[i]!.seeds)), metric),
  );
  return {
    ...first.result,
    settings: { ...first.result.settings, seeds: [...seen.keys()].sort((a, b) => a - b) },
    summaries: withPairedComparisons(summaries, metric),
    runs: bySeed(parts.flatMap((p) => p.result.runs)),
  };
}
