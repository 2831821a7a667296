import type { PolicySettings } from '../refresh/settings.js';
import type { ModelSpec } from '../training/spec.js';

/** What the policy needs to know about the production model. */
export interface ProductionSummary {
  candidateId: string;
  modelSpec: ModelSpec;
  classes: string[];
  featureShape: number[];
  /** Warm starts since the production lineage last started from scratch. */
  warmStartsInRow: number;
}

export interface DatasetSummary {
  classes: string[];
  featureShape: number[];
  trainCount: number;
  newTrainCount: number;
}

/** The model's most recent refresh attempt, whatever its outcome. */
export interface LastAttempt {
  datasetVersion: number;
  mode: 'scratch' | 'warm';
  gatePassed: boolean;
}

export type RefreshMode = 'scratch' | 'warm';

export interface RefreshDecision {
  mode: RefreshMode;
  reasons: string[];
}

export interface DecisionInput {
  production: ProductionSummary | null;
  dataset: DatasetSummary;
  modelSpec: ModelSpec;
  policy: PolicySettings;
  lastAttempt: LastAttempt | null;
  /** An operator's explicit request, which wins. */
  force?: { mode: RefreshMode; by: string } | null;
}

const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((v, i) => v === b[i]);
/** New classes appended to the old list can be learned by growing the output layer. */
const extendsClasses = (old: readonly string[], next: readonly string[]) => next.length >= old.length && old.every((c, i) => next[i] === c);

/**
 * Warm start unless continuing the production model is impossible or unwise (docs/continual.md: no
 * production model; schema or architecture changed; too many warm starts in a row, which costs
 * plasticity; new data dominating old; the last warm start failed its gate; an operator asked).
 * Pure and deterministic: called inside the workflow, so the decision is in its history.
 */
export function decideRefresh(input: DecisionInput): RefreshDecision {
  const { production, dataset, modelSpec, policy, lastAttempt, force } = input;
  if (force) {
    if (force.mode === 'warm' && !production) return { mode: 'scratch', reasons: [`operator ${force.by} asked for a warm start, but there is no production model`] };
    return { mode: force.mode, reasons: [`operator ${force.by} asked for ${force.mode}`] };
  }
  if (!production) return { mode: 'scratch', reasons: ['no production model yet'] };

  const reasons: string[] = [];
  if (JSON.stringify(production.modelSpec) !== JSON.stringify(modelSpec)) {
    reasons.push(`architecture changed (${JSON.stringify(production.modelSpec)} -> ${JSON.stringify(modelSpec)})`);
  }
  if (!same(production.featureShape, dataset.featureShape)) {
    reasons.push(`feature shape changed (${production.featureShape.join('x')} -> ${dataset.featureShape.join('x')})`);
  }
  if (!extendsClasses(production.classes, dataset.classes)) {
    reasons.push(`classes changed beyond appending new ones ([${production.classes.join(',')}] -> [${dataset.classes.join(',')}])`);
  }
  if (production.warmStartsInRow >= policy.maxWarmStartsInRow) {
    reasons.push(`${production.warmStartsInRow} warm starts in a row (limit ${policy.maxWarmStartsInRow}): retrain to restore plasticity`);
  }
  const oldCount = dataset.trainCount - dataset.newTrainCount;
  const ratio = oldCount > 0 ? dataset.newTrainCount / oldCount : Infinity;
  if (ratio > policy.maxNewToOldRatio) {
    reasons.push(`new data dominates: ${dataset.newTrainCount} new vs ${oldCount} old training examples (ratio ${ratio === Infinity ? 'inf' : ratio.toFixed(2)} > ${policy.maxNewToOldRatio})`);
  }
  if (policy.scratchAfterFailedWarmStart && lastAttempt && lastAttempt.mode === 'warm' && !lastAttempt.gatePassed) {
    reasons.push(`the last warm start (v${lastAttempt.datasetVersion}) failed its gate`);
  }
  if (reasons.length > 0) return { mode: 'scratch', reasons };

  const grown = dataset.classes.length - production.classes.length;
  return {
    mode: 'warm',
    reasons: [
      `continuing production model ${production.candidateId}: same architecture and schema${grown > 0 ? `, output layer grows by ${grown} new class(es)` : ''}; ` +
        `${dataset.newTrainCount} new of ${dataset.trainCount} training examples; warm start ${production.warmStartsInRow + 1} in a row`,
    ],
  };
}
