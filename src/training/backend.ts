import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './wasm-kernels.js';

/**
 * Training backend selection: tfjs-node-gpu, then tfjs-node (native TensorFlow), then wasm (SIMD),
 * then plain JavaScript. The native packages are optional peers: their install downloads
 * libtensorflow, so a failed import falls through to the next backend and the reason is kept.
 */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  name: BackendName;
  /** The npm package that provides the kernels. */
  package: string;
  device: string;
  /** Why faster backends were skipped, for the log and the audit entry. */
  skipped: string[];
}

const NATIVE_PACKAGES = [
  { pkg: '@tensorflow/tfjs-node-gpu', device: 'GPU (CUDA, libtensorflow)' },
  { pkg: '@tensorflow/tfjs-node', device: 'CPU (libtensorflow)' },
];

let selected: Promise<BackendInfo> | undefined;

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 160);
}

async function trySelect(preferred: string | undefined): Promise<BackendInfo> {
  const skipped: string[] = [];
  const want = (name: BackendName) => preferred === undefined || preferred === name;

  if (want('tensorflow')) {
    for (const { pkg, device } of NATIVE_PACKAGES) {
      try {
        await import(pkg);
        if (tf.findBackendFactory('tensorflow') && (await tf.setBackend('tensorflow'))) {
          return { name: 'tensorflow', package: pkg, device, skipped };
        }
        skipped.push(`${pkg}: loaded but registered no backend on this @tensorflow/tfjs (version mismatch?)`);
      } catch (error) {
        skipped.push(`${pkg}: ${(error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' ? 'not installed' : reason(error)}`);
      }
    }
  }
  if (want('wasm')) {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      registerWasmTrainingKernels();
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', device: 'CPU (WebAssembly SIMD, 1 thread)', skipped };
      }
      skipped.push('@tensorflow/tfjs-backend-wasm: setBackend returned false');
    } catch (error) {
      skipped.push(`@tensorflow/tfjs-backend-wasm: ${reason(error)}`);
    }
  }
  if (want('cpu')) {
    await tf.setBackend('cpu');
    return { name: 'cpu', package: '@tensorflow/tfjs', device: 'CPU (plain JavaScript)', skipped };
  }
  throw new Error(`WARMSTART_BACKEND=${preferred} could not be loaded: ${skipped.join('; ')}`);
}

/** Selects the backend once per process. WARMSTART_BACKEND=tensorflow|wasm|cpu forces one. */
export function selectBackend(preferred = process.env.WARMSTART_BACKEND?.trim() || undefined): Promise<BackendInfo> {
  if (preferred !== undefined && !['tensorflow', 'wasm', 'cpu'].includes(preferred)) {
    return Promise.reject(new Error(`WARMSTART_BACKEND must be tensorflow, wasm or cpu (got "${preferred}")`));
  }
  selected ??= trySelect(preferred);
  return selected;
}
