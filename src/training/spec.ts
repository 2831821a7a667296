/**
 * Architectures the product builds, as plain data. The spec is recorded with every candidate, so a
 * change is visible to the policy. Pure module: workflows import it.
 */
export interface MlpSpec {
  kind: 'mlp';
  hidden: number[];
}

/** Conv(kernelSize, same padding) + ReLU + 2x2 max-pool per entry of `filters`, then dense ReLU layers. */
export interface CnnSpec {
  kind: 'cnn';
  filters: number[];
  kernelSize: number;
  dense: number[];
}

/** A user-registered builder (`registerModelBuilder(name, builder)`); options travel as plain JSON. */
export interface CustomSpec {
  kind: 'custom';
  name: string;
  options?: Record<string, unknown>;
}

export type ModelSpec = MlpSpec | CnnSpec | CustomSpec;

export const DEFAULT_MODEL_SPEC: ModelSpec = { kind: 'mlp', hidden: [128] };
export const DEFAULT_CNN_SPEC: CnnSpec = { kind: 'cnn', filters: [16, 32], kernelSize: 3, dense: [64] };

/** One line for logs and error messages. */
export function describeModelSpec(spec: ModelSpec): string {
  switch (spec.kind) {
    case 'mlp':
      return `mlp hidden=[${spec.hidden.join(',')}]`;
    case 'cnn':
      return `cnn filters=[${spec.filters.join(',')}] kernel=${spec.kernelSize} dense=[${spec.dense.join(',')}]`;
    case 'custom':
      return `custom "${spec.name}"${spec.options ? ` ${JSON.stringify(spec.options)}` : ''}`;
  }
}
