import * as tf from '@tensorflow/tfjs';
import { OOV_INDEX, type TabularColumn } from '../data/vocabulary.js';

/**
 * The input layer of a tabular model: takes the flat feature vector (numeric columns standardised,
 * categorical columns as vocabulary indices, see src/data/vocabulary.ts) and outputs the numeric
 * columns followed by one embedding per categorical column. An embedding has one row per vocabulary
 * index (row 0: out of vocabulary); an index beyond the layer's vocabulary (a value added to the
 * dataset after this model was trained) reads row 0. The lookup is a one-hot product, which every
 * backend can differentiate. The vocabularies travel in the layer's config, so a saved model says which
 * value each row belongs to, and warm start can grow it (init.ts).
 */
export interface TabularInputArgs {
  /** As built (TabularColumn) or as saved (SavedColumn, from a model.json). */
  columns: (TabularColumn | SavedColumn)[];
  embeddingDim: number;
  seed: number;
  inputShape?: number[];
  name?: string;
  trainable?: boolean;
  batchInputShape?: (number | null)[];
  dtype?: tf.DataType;
}

export const DEFAULT_EMBEDDING_DIM = 8;

/**
 * tfjs rewrites every string in a layer config (snake_case on save, camelCase on load), so "JFK" would
 * come back "jfk": vocabulary values are saved as the lowercase hex of their UTF-8 bytes, which both
 * rewrites leave alone. Column names sit under `name`, which tfjs keeps as it is.
 */
type SavedColumn = { name: string; kind: 'numeric' } | { name: string; kind: 'categorical'; vocabularyHex: string[] };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const toHex = (value: string) => Array.from(encoder.encode(value), (b) => b.toString(16).padStart(2, '0')).join('');
const fromHex = (hex: string) => decoder.decode(Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16)));

function loadedColumn(column: TabularColumn | SavedColumn): TabularColumn {
  if (column.kind === 'numeric') return { name: column.name, kind: 'numeric' };
  return { name: column.name, kind: 'categorical', vocabulary: 'vocabularyHex' in column ? column.vocabularyHex.map(fromHex) : [...column.vocabulary] };
}

export class TabularInput extends tf.layers.Layer {
  static readonly className = 'TabularInput';
  readonly columns: TabularColumn[];
  readonly embeddingDim: number;
  readonly seed: number;
  private embeddings: tf.LayerVariable[] = [];

  constructor(args: TabularInputArgs) {
    super(args);
    this.columns = args.columns.map(loadedColumn);
    this.embeddingDim = args.embeddingDim;
    this.seed = args.seed;
  }

  /** The categorical columns with their positions in the feature vector, in embedding-weight order. */
  categorical(): { position: number; vocabulary: string[] }[] {
    return this.columns.flatMap((c, position) => (c.kind === 'categorical' ? [{ position, vocabulary: c.vocabulary }] : []));
  }

  override build(): void {
    this.embeddings = this.categorical().map((c, k) =>
      this.addWeight(`embedding_${k}`, [c.vocabulary.length + 1, this.embeddingDim], 'float32', tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: this.seed + k })),
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const numeric = this.columns.filter((c) => c.kind === 'numeric').length;
    return [shape[0] ?? null, numeric + this.categorical().length * this.embeddingDim];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor2D;
      const parts: tf.Tensor[] = [];
      const numeric = this.columns.flatMap((c, j) => (c.kind === 'numeric' ? [j] : []));
      if (numeric.length > 0) parts.push(tf.gather(x, tf.tensor1d(numeric, 'int32'), 1));
      this.categorical().forEach((c, k) => {
        const rows = c.vocabulary.length + 1;
        const raw = x.slice([0, c.position], [-1, 1]).reshape([-1]).round().cast('int32');
        const index = tf.where(raw.greaterEqual(0).logicalAnd(raw.less(rows)), raw, tf.fill(raw.shape, OOV_INDEX, 'int32'));
        parts.push(tf.oneHot(index as tf.Tensor1D, rows).cast('float32').matMul(this.embeddings[k]!.read()));
      });
      return parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const columns: SavedColumn[] = this.columns.map((c) => (c.kind === 'numeric' ? c : { name: c.name, kind: 'categorical', vocabularyHex: c.vocabulary.map(toHex) }));
    return { ...super.getConfig(), columns: columns as unknown as tf.serialization.ConfigDictValue, embeddingDim: this.embeddingDim, seed: this.seed };
  }
}

tf.serialization.registerClass(TabularInput);

/** The tabular input layer of a model, if it has one (its first layer). */
export function tabularInputOf(model: tf.LayersModel): TabularInput | undefined {
  const first = model.layers[0];
  return first instanceof TabularInput ? first : undefined;
}
