import type * as tf from '@tensorflow/tfjs';

/**
 * Estimated floating-point operations per example, layer by layer. Conventions (stated so the numbers
 * can be checked by hand): a multiply-add counts 2; a bias add, a ReLU and a pooling comparison count 1
 * per element. Backward: weight gradient and input gradient each cost what the forward product cost,
 * the bias gradient one add per output, ReLU one per element, pooling one per input element; the first
 * weighted layer computes no input gradient (its input is data). A categorical embedding (TabularInput)
 * is a table lookup: no forward arithmetic counted, and its backward adds one gradient row
 * (embeddingDim adds) per categorical column.
 */
export interface LayerFlops {
  name: string;
  className: string;
  forward: number;
  backward: number;
}

export interface FlopEstimate {
  forwardPerExample: number;
  backwardPerExample: number;
  /** forward + backward */
  trainPerExample: number;
  layers: LayerFlops[];
}

export function denseLayerForwardFlops(inputs: number, units: number): number {
  return 2 * inputs * units + units;
}

const product = (shape: readonly (number | null)[]) => shape.reduce<number>((n, d) => n * (d ?? 1), 1);

function outputShape(layer: tf.layers.Layer): (number | null)[] {
  const shape = layer.outputShape;
  return (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[];
}

function inputShape(layer: tf.layers.Layer): (number | null)[] {
  const input = layer.input;
  return (Array.isArray(input) ? input[0]! : input).shape;
}

function layerFlops(layer: tf.layers.Layer, needsInputGradient: boolean): { forward: number; backward: number; weighted: boolean } {
  const config = layer.getConfig() as { activation?: string; useBias?: boolean; poolSize?: number | number[] };
  const relu = config.activation === 'relu';
  const outputs = product(outputShape(layer).slice(1));
  const bias = config.useBias === false ? 0 : outputs;
  switch (layer.getClassName()) {
    case 'Dense': {
      const [inputs, units] = layer.getWeights()[0]!.shape as [number, number];
      const products = 2 * inputs * units;
      return {
        forward: products + bias + (relu ? units : 0),
        backward: products + (needsInputGradient ? products : 0) + bias + (relu ? units : 0),
        weighted: true,
      };
    }
    case 'Conv2D': {
      const [kh, kw, ci] = layer.getWeights()[0]!.shape as [number, number, number, number];
      const products = 2 * kh * kw * ci * outputs;
      return {
        forward: products + bias + (relu ? outputs : 0),
        backward: products + (needsInputGradient ? products : 0) + bias + (relu ? outputs : 0),
        weighted: true,
      };
    }
    case 'TabularInput': {
      const weights = layer.getWeights();
      return { forward: 0, backward: weights.reduce((n, w) => n + w.shape[1]!, 0), weighted: weights.length > 0 };
    }
    case 'MaxPooling2D': {
      const pool = Array.isArray(config.poolSize) ? config.poolSize : [config.poolSize ?? 2, config.poolSize ?? 2];
      return { forward: outputs * (pool[0]! * pool[1]!), backward: product(inputShape(layer).slice(1)), weighted: false };
    }
    default:
      // Reshape, Flatten and other data movement: no arithmetic counted.
      return { forward: 0, backward: 0, weighted: layer.getWeights().length > 0 };
  }
}

export function estimateFlops(model: tf.LayersModel): FlopEstimate {
  const layers: LayerFlops[] = [];
  let seenWeighted = false;
  for (const layer of model.layers) {
    const { forward, backward, weighted } = layerFlops(layer, seenWeighted);
    seenWeighted ||= weighted;
    layers.push({ name: layer.name, className: layer.getClassName(), forward, backward });
  }
  const forwardPerExample = layers.reduce((n, l) => n + l.forward, 0);
  const backwardPerExample = layers.reduce((n, l) => n + l.backward, 0);
  return { forwardPerExample, backwardPerExample, trainPerExample: forwardPerExample + backwardPerExample, layers };
}
