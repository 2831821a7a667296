import type { ModelSpec } from '../training/spec.js';

/** What the policy needs to know about the production model. */
export interface ProductionSummary {
  candidateId: string;
  modelSpec: ModelSpec;
  classes: string[];
  featureShape: number[];
}

export interface DatasetSummary {
  classes: string[];
  featureShape: number[];
  trainCount: number;
  newTrainCount: number;
}

export type RefreshMode = 'scratch' | 'warm';

export interface RefreshDecision {
  mode: RefreshMode;
  reasons: string[];
}

const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * Warm start unless continuing the production model is impossible or unwise.
 * Pure and deterministic: called inside the workflow, so the decision is in its history.
 */
export function decideRefresh(production: ProductionSummary | null, dataset: DatasetSummary, modelSpec: ModelSpec): RefreshDecision {
  if (!production) return { mode: 'scratch', reasons: ['no production model yet'] };
  const reasons: string[] = [];
  if (JSON.stringify(production.modelSpec) !== JSON.stringify(modelSpec)) {
    reasons.push(`architecture changed (${JSON.stringify(production.modelSpec)} -> ${JSON.stringify(modelSpec)})`);
  }
  if (!same(production.featureShape, dataset.featureShape)) {
    reasons.push(`feature shape changed (${production.featureShape.join('x')} -> ${dataset.featureShape.join('x')})`);
  }
  if (!same(production.classes, dataset.classes)) {
    reasons.push(`classes changed ([${production.classes.join(',')}] -> [${dataset.classes.join(',')}])`);
  }
  if (reasons.length > 0) return { mode: 'scratch', reasons };
  return {
    mode: 'warm',
    reasons: [`continuing production model ${production.candidateId}: same architecture, schema and classes; ${dataset.newTrainCount} new of ${dataset.trainCount} training examples`],
  };
}
