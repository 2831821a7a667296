import * as tf from '@tensorflow/tfjs';

/**
 * Kernels that training needs and the wasm backend (4.22) lacks. Without Conv2DBackpropFilter a CNN
 * cannot train on wasm at all; the cpu backend's version takes ~23 s per step for a small CNN.
 *
 * The filter gradient is itself a convolution: dW[kh,kw,ci,co] = sum over b,oh,ow of
 * x[b, oh*s+kh-pad, ow*s+kw-pad, ci] * dy[b,oh,ow,co]. With the batch moved into the channel axis
 * (x as [ci,H,W,b], dy as a [oh,ow,b,co] filter dilated by the stride) XNNPACK computes it as an
 * ordinary Conv2D whose output is [ci,kh,kw,co]; only transposes are added around it.
 */
type KernelArgs = Parameters<tf.KernelFunc>[0];
interface WasmBackendLike {
  disposeData(dataId: object): boolean;
}

function run(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap, backend: unknown): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, attrs, backend: backend as tf.KernelBackend }) as tf.TensorInfo;
}

function conv2dBackpropFilter({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') throw new Error(`wasm Conv2DBackpropFilter supports NHWC only (got ${dataFormat})`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const wasm = backend as unknown as WasmBackendLike;
  const { top, bottom, left, right } = info.padInfo;
  const xT = run('Transpose', { x }, { perm: [3, 1, 2, 0] }, backend);
  const dyT = run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }, backend);
  const grad = run(
    'Conv2D',
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
      dilations: [info.strideHeight, info.strideWidth],
      dimRoundingMode: undefined as unknown as string,
    },
    backend,
  );
  wasm.disposeData(xT.dataId);
  wasm.disposeData(dyT.dataId);
  // With a stride that does not divide the padded input, the convolution yields extra trailing rows.
  let cropped = grad;
  const [, gh, gw] = grad.shape as [number, number, number, number];
  if (gh !== info.filterHeight || gw !== info.filterWidth) {
    cropped = run('Slice', { x: grad }, { begin: [0, 0, 0, 0], size: [info.inChannels, info.filterHeight, info.filterWidth, info.outChannels] }, backend);
    wasm.disposeData(grad.dataId);
  }
  const out = run('Transpose', { x: cropped }, { perm: [1, 2, 0, 3] }, backend);
  wasm.disposeData(cropped.dataId);
  return out;
}

let registered = false;

/** Registers the missing kernels once; a no-op when the wasm backend is not loaded. */
export function registerWasmTrainingKernels(): void {
  if (registered || !tf.findBackendFactory('wasm')) return;
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilter });
  }
  registered = true;
}
