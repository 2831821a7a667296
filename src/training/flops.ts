import type * as tf from '@tensorflow/tfjs';

/**
 * Estimated floating-point operations per example for dense layers: a multiply-add counts 2.
 * Backward costs about twice the forward pass (gradients for inputs and for weights).
 */
export interface FlopEstimate {
  forwardPerExample: number;
  trainPerExample: number;
}

export function denseLayerForwardFlops(inputs: number, units: number): number {
  return 2 * inputs * units + units;
}

export function estimateFlops(model: tf.LayersModel): FlopEstimate {
  let forward = 0;
  for (const layer of model.layers) {
    const kernel = layer.getWeights()[0];
    if (layer.getClassName() === 'Dense' && kernel) {
      const [inputs, units] = kernel.shape as [number, number];
      forward += denseLayerForwardFlops(inputs, units);
    }
  }
  return { forwardPerExample: forward, trainPerExample: 3 * forward };
}
