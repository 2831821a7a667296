/**
 * Architectures the product builds, as plain data. The spec is recorded with every candidate, so a
 * change is visible to the policy. Pure module: workflows import it.
 */
export interface MlpSpec {
  kind: 'mlp';
  hidden: number[];
}
export type ModelSpec = MlpSpec;

export const DEFAULT_MODEL_SPEC: ModelSpec = { kind: 'mlp', hidden: [128] };
