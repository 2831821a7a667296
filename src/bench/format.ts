import type { ContinualResult, SeedOutcome, VariantSummary } from './continual.js';
import type { MultiStepResult } from './multistep.js';
import type { Spread } from './target.js';
import { WINDOW } from './target.js';
import { METRIC_DIRECTION, type MetricName } from '../evaluation/metrics.js';
import { describeGoal, tolerancePhrase } from './goal.js';
import { describePaired } from './paired.js';

/** Markdown tables of the benchmark's results. Pure module. */

/** The `|---|---|` row under a markdown header row. */
const separatorRow = (head: string) => `|${head.split('|').slice(1, -1).map(() => '---').join('|')}|`;
const range = (s: Spread | null, digits: number, scale = 1) =>
  s === null ? '-' : s.n > 1 ? `${(s.mean * scale).toFixed(digits)} (${(s.min * scale).toFixed(digits)}-${(s.max * scale).toFixed(digits)})` : (s.mean * scale).toFixed(digits);

export const RULE = `A* = scratch's final value of the target metric (accuracy unless --metric; mean of its last ${WINDOW} evaluations); a run reaches a target at the last step of the first window of ${WINDOW} consecutive evaluations whose mean is at or better than the target (>= for accuracy and AUC, <= for log-loss; 0 steps when the old model is already there before training); L_99 = 99% of A* (log-loss: A* / 0.99); same rule for scratch and every variant; speed-ups are per seed against the same seed's scratch run, mean (min-max) over seeds; a model no better than the majority class on the target metric gets no speed-up`;

/** A variant (or its scratch reference) whose final model is no better than the majority class: no speed-up to report. */
function majorityNote(summary: VariantSummary, scratch: VariantSummary | undefined): string | null {
  const seeds = summary.seeds.length;
  if (scratch && scratch.majorityClass === scratch.seeds.length && scratch.seeds.length > 0) return `n/a: scratch (A*) no better than the majority class in ${scratch.majorityClass}/${scratch.seeds.length}`;
  if ((summary.majorityClass ?? 0) === seeds && seeds > 0) return `n/a: no better than the majority class in ${seeds}/${seeds}`;
  return null;
}

function speedCell(summary: VariantSummary, which: '100' | '99'): string {
  const seeds = summary.seeds.length;
  const spreadOf = which === '100' ? summary.speedUp100 : summary.speedUp99;
  const kinds = summary.seeds.map((s) => (which === '100' ? s.speedUp100 : s.speedUp99).kind);
  const zero = kinds.filter((k) => k === 'zero').length;
  const missed = kinds.filter((k) => k === 'missed').length;
  const trivial = kinds.filter((k) => k === 'trivial').length;
  const parts: string[] = [];
  if (trivial > 0) parts.push(`scratch's init already at A* in ${trivial}/${seeds}`);
  if (spreadOf) parts.push(`${range(spreadOf, 2)}x`);
  if (zero > 0) parts.push(`0 steps in ${zero}/${seeds}`);
  if (missed > 0) parts.push(`missed in ${missed}/${seeds}`);
  return parts.join('; ');
}

const stepsCell = (summary: VariantSummary, pick: (s: VariantSummary['seeds'][number]) => number | null) => {
  const values = summary.seeds.map(pick);
  const got = values.filter((v): v is number => v !== null);
  return got.length === 0 ? 'missed' : `${Math.round(got.reduce((a, b) => a + b, 0) / got.length)}${got.length < values.length ? ` (${got.length}/${values.length})` : ''}`;
};

export function continualTable(result: ContinualResult): string {
  const metric = result.metric ?? 'accuracy';
  const other = metric !== 'accuracy';
  const head = `| variant | L_100 speed-up | L_99 speed-up | steps to A* | FLOPs speed-up (L_100) | final acc % |${other ? ` final ${metric} |` : ''} final - A* (${other ? metric : 'pts'}) | old % | new % | ended below A* | wall s (run) |`;
  const scratch = result.summaries.find((s) => s.name === 'scratch');
  const rows = result.summaries.map((s) => {
    const note = majorityNote(s, scratch);
    const reference = s.name === 'scratch';
    return [
      s.name,
      note ?? (reference ? '1 (reference)' : speedCell(s, '100')),
      note ?? (reference ? '1 (reference)' : speedCell(s, '99')),
      stepsCell(s, (o) => o.steps100),
      note || (!reference && s.flopsSpeedUp100 === null) ? '-' : reference ? '1' : `${range(s.flopsSpeedUp100, 2)}x`,
      range(s.finalAccuracy, 2, 100),
      ...(other ? [range(s.finalValue, 4)] : []),
      range(s.finalMinusTarget, other ? 4 : 2),
      range(s.finalOld, 2, 100),
      range(s.finalNew, 2, 100),
      reference ? '-' : `${s.endedBelow}/${s.seeds.length}`,
      range(s.wallSeconds, 1),
    ].join(' | ');
  });
  const settings = result.settings;
  const majority = result.majority ? `; target ${metric} (${METRIC_DIRECTION[metric]}), a majority-class model scores accuracy ${(100 * result.majority.accuracy).toFixed(2)}%, AUC 0.5, log-loss ${result.majority.logLoss.toFixed(4)}` : '';
  return [
    `**${result.dataset} v${result.oldVersion} -> v${result.newVersion}** (${settings.trainRows.old} -> ${settings.trainRows.new} train rows, classes ${settings.classes.old.length} -> ${settings.classes.new.length}; ${result.evaluationSplit} split ${settings.evaluationRows} rows; ${describeSpec(settings)}${settings.scratch ? ` (the product's plan: ${settings.scratch.description})` : ''}; seeds ${settings.seeds.join(',')}${majority})`,
    '',
    head,
    separatorRow(head),
    ...rows.map((r) => `| ${r} |`),
    '',
    perSeedTable(result.summaries, metric),
  ].join('\n');
}

/** Per seed, what the goal looks at: scratch's A*, and each variant's steps to it and final - A*. */
function perSeedTable(summaries: readonly VariantSummary[], metric: MetricName): string {
  const seeds = summaries[0]?.seeds.map((s) => s.seed) ?? [];
  const accuracy = metric === 'accuracy';
  const value = (v: number) => (accuracy ? `${(100 * v).toFixed(2)}%` : v.toFixed(4));
  const signed = (v: number) => `${v >= 0 ? '+' : ''}${accuracy ? (100 * v).toFixed(2) : v.toFixed(4)}`;
  const cell = (o: SeedOutcome) => {
    const reach = o.steps100 === null ? 'missed' : o.speedUp100.kind === 'ratio' ? `${o.steps100} (${o.speedUp100.value.toFixed(2)}x)` : `${o.steps100} steps`;
    return `${reach}, ${signed(o.finalValue - o.target)}`;
  };
  // Paired columns where the result has them (results written before 2026-12-02 do not).
  const columns = [
    ...(summaries.some((s) => s.versusScratch) ? [{ title: 'final vs scratch, paired', of: (s: VariantSummary) => s.versusScratch }] : []),
    ...(summaries.some((s) => s.versusCombined) ? [{ title: 'final vs combined, paired', of: (s: VariantSummary) => s.versusCombined }] : []),
  ];
  const pairedCells = (s: VariantSummary) =>
    columns
      .map((c) => c.of(s))
      .map((d) => ` ${d ? describePaired(d, metric) : '-'} |`)
      .join('');
  const head = `| variant | ${seeds.map((s) => `seed ${s}`).join(' | ')} | goal |${columns.map((c) => ` ${c.title} |`).join('')}`;
  const rows = summaries.map((s) =>
    s.name === 'scratch' ? `| scratch: A* | ${s.seeds.map((o) => value(o.target)).join(' | ')} | - |${pairedCells(s)}` : `| ${s.name} | ${s.seeds.map(cell).join(' | ')} | ${describeGoal(s.goal)} |${pairedCells(s)}`,
  );
  return [
    `Per seed: steps to A* (speed-up), final - A*${accuracy ? ' (pts)' : ''}. Goal: every seed reaches A* and ends at or better than A* - ${tolerancePhrase(metric)}.`,
    ...(columns.length > 0 ? [`Paired: the mean difference of final values over the seeds${accuracy ? ' (pts)' : ''}, its 95% t-interval, and whether the seeds can tell the two apart (the interval excludes 0).`] : []),
    '',
    head,
    separatorRow(head),
    ...rows,
  ].join('\n');
}

function describeSpec(settings: { spec: { kind: string }; batchSize: number; epochs: number; evaluationsPerEpoch: number }): string {
  return `${JSON.stringify(settings.spec)}, batch ${settings.batchSize}, scratch ${settings.epochs} epochs, ${settings.evaluationsPerEpoch} evaluations/epoch`;
}

export function multiStepTable(result: MultiStepResult): string {
  // Accuracy targets keep the table as it was; another metric adds its A*, the chain's value and a majority-class flag.
  const metric = result.metric ?? 'accuracy';
  const onMetric = metric !== 'accuracy';
  const head = onMetric
    ? `| version | scratch steps | chain steps | scratch A* ${metric} | chain final ${metric} | chain - A* | chain reached A* | scratch acc % | chain acc % | chain old % | chain new % |`
    : '| version | scratch steps | chain steps | scratch A* % | chain final % | chain - A* (pts) | chain reached A* | chain old % | chain new % |';
  const rows = result.steps.map((s) => {
    const reached = `${s.chainReached}/${s.seeds.length}${s.chainMajorityClass ? `; no better than the majority class in ${s.chainMajorityClass}/${s.seeds.length}` : ''}`;
    const target = onMetric ? [range(s.scratchTarget, 4), range(s.chainValue, 4), range(s.chainMinusScratch, 4), reached, range(s.scratchAccuracy, 2, 100), range(s.chainAccuracy, 2, 100)] : [range(s.scratchAccuracy, 2, 100), range(s.chainAccuracy, 2, 100), range(s.chainMinusScratch, 2), reached];
    return [`v${s.version}`, s.scratchSteps, s.chainSteps, ...target, range(s.chainOld, 2, 100), range(s.chainNew, 2, 100)].join(' | ');
  });
  const reach = result.cumulativeReachSpeedUp;
  return [
    `**${result.dataset} versions ${result.versions.join(',')}** (${result.settings.trainRows.join(' -> ')} train rows; ${result.evaluationSplit} split; ${describeSpec(result.settings)}; seeds ${result.settings.seeds.join(',')}; the first version's model is shared and not charged)`,
    '',
    head,
    separatorRow(head),
    ...rows.map((r) => `| ${r} |`),
    '',
    multiStepGoal(result),
    '',
    `cumulative steps over v${result.versions[1]}..v${result.versions.at(-1)}: scratch ${result.cumulative.scratchSteps}, chain ${result.cumulative.chainSteps}: budget speed-up ${range(result.cumulativeBudgetSpeedUp, 2)}x; ` +
      `cumulative L_100 (sum of steps to reach each version's A*) ${reach ? `${range(reach, 2)}x` : 'n/a'}${result.cumulativeReachMissed > 0 ? ` (chain missed an A* in ${result.cumulativeReachMissed}/${result.settings.seeds.length} seeds)` : ''}; ` +
      `cumulative GFLOPs scratch ${range(result.cumulative.scratchFlops, 1, 1e-9)}, chain ${range(result.cumulative.chainFlops, 1, 1e-9)}`,
  ].join('\n');
}

/** The goal over every version: met only when every seed's chain meets it at every step. */
function multiStepGoal(result: MultiStepResult): string {
  const metric = result.metric ?? 'accuracy';
  const failing = result.steps.flatMap((s) => s.goal.failing.map((f) => `v${s.version} ${f}`));
  return `Goal (every seed's chain reaches each version's A* and ends at or better than A* - ${tolerancePhrase(metric)}): ${describeGoal({ met: failing.length === 0, failing })}.`;
}
