/**
 * Architectures the product builds, as plain data. The spec is recorded with every candidate, so a
 * change is visible to the policy. Pure module: workflows import it.
 */
export interface MlpSpec {
  kind: 'mlp';
  hidden: number[];
  /**
   * Width of each categorical column's embedding (default 8), fixed whatever the vocabulary's size so
   * that a growing vocabulary adds rows, never columns: warm start keeps every other weight's shape.
   */
  embeddingDim?: number;
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
      return `mlp hidden=[${spec.hidden.join(',')}]${spec.embeddingDim !== undefined ? ` embeddingDim=${spec.embeddingDim}` : ''}`;
    case 'cnn':
      return `cnn filters=[${spec.filters.join(',')}] kernel=${spec.kernelSize} dense=[${spec.dense.join(',')}]`;
    case 'custom':
      return `custom "${spec.name}"${spec.options ? ` ${JSON.stringify(spec.options)}` : ''}`;
  }
}

/**
 * A spec from the command line: `mlp`, `cnn` (the built-in defaults given), or a JSON spec such as
 * `{"kind":"cnn","filters":[8,16],"kernelSize":3,"dense":[32]}`. Throws an error naming what is wrong.
 */
export function parseModelSpec(text: string, defaults: { mlp: MlpSpec; cnn: CnnSpec }): ModelSpec {
  const trimmed = text.trim();
  if (trimmed === 'mlp' || trimmed === 'cnn') return defaults[trimmed];
  const usage = `use mlp, cnn, or a JSON spec such as {"kind":"mlp","hidden":[256]}`;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    throw new Error(`model "${trimmed}" is neither mlp, cnn nor JSON: ${usage}`);
  }
  const spec = value as { kind?: unknown; hidden?: unknown; embeddingDim?: unknown; filters?: unknown; dense?: unknown; kernelSize?: unknown; name?: unknown; options?: Record<string, unknown> } | null;
  const sizes = (field: 'hidden' | 'filters' | 'dense') => {
    const list = spec?.[field];
    if (!Array.isArray(list) || !list.every((n) => Number.isInteger(n) && (n as number) > 0)) throw new Error(`model.${field} must be a list of positive integers (got ${JSON.stringify(list)}): ${usage}`);
    return list as number[];
  };
  switch (spec?.kind) {
    case 'mlp': {
      const dim = spec.embeddingDim;
      if (dim !== undefined && (typeof dim !== 'number' || !Number.isInteger(dim) || dim <= 0 || dim > 256)) throw new Error(`model.embeddingDim must be an integer from 1 to 256 (got ${JSON.stringify(dim)})`);
      return { kind: 'mlp', hidden: sizes('hidden'), ...(dim !== undefined ? { embeddingDim: dim } : {}) };
    }
    case 'cnn': {
      const kernelSize = spec.kernelSize;
      if (typeof kernelSize !== 'number' || !Number.isInteger(kernelSize) || kernelSize <= 0) throw new Error(`model.kernelSize must be a positive integer (got ${JSON.stringify(kernelSize)})`);
      return { kind: 'cnn', filters: sizes('filters'), kernelSize, dense: sizes('dense') };
    }
    case 'custom':
      if (typeof spec.name !== 'string' || spec.name === '') throw new Error('model.name must name a builder registered with registerModelBuilder');
      return { kind: 'custom', name: spec.name, ...(spec.options ? { options: spec.options } : {}) };
    default:
      throw new Error(`model.kind must be mlp, cnn or custom (got ${JSON.stringify(spec?.kind)}): ${usage}`);
  }
}
