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
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

function run(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap, backend: unknown): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, attrs, backend: backend as tf.KernelBackend }) as tf.TensorInfo;
}

/**
 * For a first layer (few input channels) the transposes dominate: moving dy's batch axis costs more
 * than the product. There the gradient is patches^T . dy, with the [kh*kw*ci, b*oh*ow] patch matrix
 * written from the heap in JavaScript and dy used as it lies ([b*oh*ow, co]).
 */
const IM2COL_MAX_ROWS = 32;

function filterGradientByPatches(x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo, backend: unknown): tf.TensorInfo {
  const wasm = backend as unknown as WasmBackendLike;
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const rows = filterHeight * filterWidth * inChannels;
  const columns = batchSize * outHeight * outWidth;
  const patches = wasm.makeOutput([1, rows, columns], 'float32');
  const p = wasm.typedArrayFromHeap(patches);
  const xs = wasm.typedArrayFromHeap(x);
  for (let fh = 0; fh < filterHeight; fh++) {
    for (let fw = 0; fw < filterWidth; fw++) {
      for (let c = 0; c < inChannels; c++) {
        let at = ((fh * filterWidth + fw) * inChannels + c) * columns;
        for (let b = 0; b < batchSize; b++) {
          for (let oh = 0; oh < outHeight; oh++) {
            const h = oh * strideHeight + fh - top;
            const inside = h >= 0 && h < inHeight;
            const rowBase = (b * inHeight + h) * inWidth;
            for (let ow = 0; ow < outWidth; ow++) {
              const w = ow * strideWidth + fw - left;
              p[at++] = inside && w >= 0 && w < inWidth ? xs[(rowBase + w) * inChannels + c]! : 0;
            }
          }
        }
      }
    }
  }
  const product = run('BatchMatMul', { a: patches, b: { dataId: dy.dataId, shape: [1, columns, outChannels], dtype: 'float32' } }, { transposeA: false, transposeB: false }, backend);
  wasm.disposeData(patches.dataId);
  return { dataId: product.dataId, shape: [filterHeight, filterWidth, inChannels, outChannels], dtype: 'float32' };
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
  if (info.filterHeight * info.filterWidth * info.inChannels <= IM2COL_MAX_ROWS) return filterGradientByPatches(x, dy, info, backend);
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

/**
 * The stock wasm Conv2DBackpropInput is a plain loop (no XNNPACK): ~90 ms per step for the second conv
 * of the small CNN. For stride 1 the input gradient is a convolution of dy with the filter rotated by
 * 180 degrees and its channel axes swapped, padded by (kernel - 1 - pad): XNNPACK does it. Other
 * strides keep the stock kernel.
 */
function conv2dBackpropInput(stock: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const { inputs, attrs, backend } = args;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const info = tf.backend_util.computeConv2DInfo(inputShape as [number, number, number, number], filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
    const { top, bottom, left, right } = info.padInfo;
    const [kh, kw] = [info.filterHeight, info.filterWidth];
    const unsupported = (dataFormat !== undefined && dataFormat !== 'NHWC') || info.strideHeight !== 1 || info.strideWidth !== 1 || top > kh - 1 || bottom > kh - 1 || left > kw - 1 || right > kw - 1;
    if (unsupported) return stock(args) as tf.TensorInfo;
    const wasm = backend as unknown as WasmBackendLike;
    const flipped = run('Reverse', { x: filter }, { dims: [0, 1] }, backend);
    const swapped = run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }, backend);
    wasm.disposeData(flipped.dataId);
    const dx = run(
      'Conv2D',
      { x: dy, filter: swapped },
      { strides: [1, 1], pad: [[0, 0], [kh - 1 - top, kh - 1 - bottom], [kw - 1 - left, kw - 1 - right], [0, 0]], dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined as unknown as string },
      backend,
    );
    wasm.disposeData(swapped.dataId);
    return dx;
  };
}

/**
 * MaxPoolGrad in JavaScript over the wasm heap: the stock kernel is a plain loop that re-scans every
 * window per channel with strided reads (~20 ms per call here); this one walks channels innermost.
 * The gradient goes to the first maximum of each window, as on the cpu backend.
 */
function maxPoolGrad({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const wasm = backend as unknown as WasmBackendLike;
  // Allocate first: growing the heap detaches earlier views.
  const out = wasm.makeOutput(input.shape, 'float32');
  const dx = wasm.typedArrayFromHeap(out);
  const x = wasm.typedArrayFromHeap(input);
  const g = wasm.typedArrayFromHeap(dy);
  dx.fill(0);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const where = new Int32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const hStart = Math.max(0, oh * strideHeight - top);
      const hEnd = Math.min(inHeight, oh * strideHeight - top + filterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const wStart = Math.max(0, ow * strideWidth - left);
        const wEnd = Math.min(inWidth, ow * strideWidth - left + filterWidth);
        if (hStart >= hEnd || wStart >= wEnd) continue;
        // The window's first element is the running maximum; later ones replace it only when larger.
        const first = ((b * inHeight + hStart) * inWidth + wStart) * channels;
        for (let c = 0; c < channels; c++) where[c] = first + c;
        for (let h = hStart; h < hEnd; h++) {
          for (let w = h === hStart ? wStart + 1 : wStart; w < wEnd; w++) {
            const base = ((b * inHeight + h) * inWidth + w) * channels;
            for (let c = 0; c < channels; c++) {
              if (x[base + c]! > x[where[c]!]!) where[c] = base + c;
            }
          }
        }
        const gBase = ((b * outHeight + oh) * outWidth + ow) * channels;
        for (let c = 0; c < channels; c++) {
          const at = where[c]!;
          dx[at] = dx[at]! + g[gBase + c]!;
        }
      }
    }
  }
  return out;
}

/**
 * The stock wasm BatchMatMul is fast only untransposed: with transposeA or transposeB (every dense
 * layer's backward pass) it takes ~12 ms for a 64x1568x64 product that costs ~3 ms as an explicit
 * Transpose and a plain product. So transpose first.
 */
function batchMatMul(stock: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const { inputs, attrs, backend } = args;
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    if (!transposeA && !transposeB) return stock(args) as tf.TensorInfo;
    const wasm = backend as unknown as WasmBackendLike;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const swapLast = (t: tf.TensorInfo) => run('Transpose', { x: t }, { perm: [...t.shape.keys()].map((i, _, all) => (i < all.length - 2 ? i : i === all.length - 2 ? all.length - 1 : all.length - 2)) }, backend);
    const a2 = transposeA ? swapLast(a) : a;
    const b2 = transposeB ? swapLast(b) : b;
    const out = stock({ inputs: { a: a2, b: b2 }, attrs: { ...attrs, transposeA: false, transposeB: false }, backend }) as tf.TensorInfo;
    if (transposeA) wasm.disposeData(a2.dataId);
    if (transposeB) wasm.disposeData(b2.dataId);
    return out;
  };
}

/**
 * Sum over leading axes (the bias gradient of a conv layer: dy [b,h,w,c] summed to [c]) makes the
 * stock kernel transpose the whole tensor first (~5 ms per conv layer here); a running sum over rows
 * of the heap needs no copy. Other reductions keep the stock kernel.
 */
function sum(stock: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const { inputs, attrs, backend } = args;
    const { x } = inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return stock(args) as tf.TensorInfo;
    const wasm = backend as unknown as WasmBackendLike;
    const kept = x.shape.slice(axes.length);
    const inner = kept.reduce((n, d) => n * d, 1);
    const outer = x.shape.slice(0, axes.length).reduce((n, d) => n * d, 1);
    const out = wasm.makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32');
    const values = wasm.typedArrayFromHeap(x);
    const acc = new Float64Array(inner);
    for (let i = 0; i < outer; i++) {
      const row = i * inner;
      for (let j = 0; j < inner; j++) acc[j] = acc[j]! + values[row + j]!;
    }
    wasm.typedArrayFromHeap(out).set(acc);
    return out;
  };
}

let registered = false;

/** Replaces a stock kernel, keeping its setup (the fallback may still call it). */
function replaceKernel(kernelName: string, make: (stock: tf.KernelFunc) => tf.KernelFunc): void {
  const stock = tf.getKernel(kernelName, 'wasm');
  if (!stock) return;
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: make(stock.kernelFunc), ...(stock.setupFunc ? { setupFunc: stock.setupFunc } : {}), ...(stock.disposeFunc ? { disposeFunc: stock.disposeFunc } : {}) });
}

/**
 * Registers the training kernels once, before the wasm backend is initialized (setup functions run
 * then); a no-op when the wasm backend is not loaded. WARMSTART_STOCK_WASM_KERNELS=1 keeps the stock
 * Conv2DBackpropInput, MaxPoolGrad, BatchMatMul and Sum (for profiling the difference).
 */
export function registerWasmTrainingKernels(): void {
  if (registered || !tf.findBackendFactory('wasm')) return;
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilter });
  }
  if (process.env.WARMSTART_STOCK_WASM_KERNELS !== '1') {
    replaceKernel('Conv2DBackpropInput', (stock) => conv2dBackpropInput(stock) as tf.KernelFunc);
    replaceKernel('MaxPoolGrad', () => maxPoolGrad as tf.KernelFunc);
    replaceKernel('BatchMatMul', (stock) => batchMatMul(stock) as tf.KernelFunc);
    replaceKernel('Sum', (stock) => sum(stock) as tf.KernelFunc);
  }
  registered = true;
}
