import { DEFAULT_MODEL_SPEC, type ModelSpec } from '../training/spec.js';

/**
 * How one model is refreshed. Plain JSON: it travels in workflow inputs.
 * Pure module (no I/O): workflows import it.
 */
export interface RefreshSettings {
  modelSpec: ModelSpec;
  /** Optimizer steps of a scratch run. */
  scratchSteps: number;
  /** Optimizer steps of a warm start: continuing from the production model needs fewer. */
  warmSteps: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  seed: number;
  gate: GateSettings;
}

export interface GateSettings {
  /** The candidate's test accuracy must reach this value. */
  minAccuracy: number;
  /** ...and may fall at most this much below the production model's accuracy on the same test examples. */
  maxAccuracyDrop: number;
}

export const DEFAULT_REFRESH_SETTINGS: RefreshSettings = {
  modelSpec: DEFAULT_MODEL_SPEC,
  scratchSteps: 400,
  warmSteps: 150,
  batchSize: 64,
  learningRate: 1e-3,
  warmupSteps: 20,
  seed: 7,
  gate: { minAccuracy: 0.8, maxAccuracyDrop: 0.01 },
};

export type RefreshSettingsInput = Partial<Omit<RefreshSettings, 'gate'>> & { gate?: Partial<GateSettings> };

export function resolveRefreshSettings(input: RefreshSettingsInput = {}): RefreshSettings {
  return { ...DEFAULT_REFRESH_SETTINGS, ...input, gate: { ...DEFAULT_REFRESH_SETTINGS.gate, ...input.gate } };
}
