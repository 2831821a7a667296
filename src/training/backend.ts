import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './wasm-kernels.js';

/**
 * Training backend selection: native TensorFlow (tfjs-node-gpu, then tfjs-node), then wasm (SIMD),
 * then plain JavaScript. The native packages are optional: their own install step downloads
 * libtensorflow from a bucket that does not answer, so `infra/tensorflow.sh install` builds them from
 * the TensorFlow wheel on PyPI into `.tools/tensorflow/<cpu|gpu>/`, where they are looked up when a
 * plain import does not find them. A failed load falls through to the next backend and the reason is
 * kept. Native is chosen whenever it loads (docs/native-backend.md has the measurements behind that).
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
  { pkg: '@tensorflow/tfjs-node-gpu', variant: 'gpu' },
  { pkg: '@tensorflow/tfjs-node', variant: 'cpu' },
] as const;

let selected: Promise<BackendInfo> | undefined;

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 160);
}

/** `.tools/tensorflow` of the checkout this file belongs to (WARMSTART_TENSORFLOW_DIR overrides it). */
export function nativeToolsDir(): string | undefined {
  const configured = process.env.WARMSTART_TENSORFLOW_DIR?.trim();
  if (configured) return configured;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, '.tools', 'tensorflow'))) return join(dir, '.tools', 'tensorflow');
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Loads a native package: the one infra/tensorflow.sh built when there is one, else a regular install. */
async function loadNative(pkg: string, variant: string): Promise<void> {
  const tools = nativeToolsDir();
  const built = tools && join(tools, variant, 'node_modules', pkg);
  if (built && existsSync(join(built, 'package.json'))) {
    // CommonJS outside node_modules' reach: it resolves @tensorflow/tfjs by walking up to ours.
    createRequire(import.meta.url)(built);
    return;
  }
  try {
    await import(pkg);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || /Cannot find (module|package)|Could not resolve/.test(reason(error));
    throw missing ? new Error('not installed (infra/tensorflow.sh install builds it)') : error;
  }
}

interface NativeBackendLike {
  isUsingGpuDevice?: boolean;
  binding?: { TF_Version?: string };
}

/** The first NVIDIA GPU's name, or undefined when nvidia-smi sees none (or is not there). */
function gpuName(): string | undefined {
  const query = spawnSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8', timeout: 10_000 });
  const name = query.status === 0 ? query.stdout.trim().split('\n')[0] : undefined;
  return name || undefined;
}

function nativeDevice(): string {
  const native = tf.backend() as unknown as NativeBackendLike;
  const version = native.binding?.TF_Version ? `libtensorflow ${native.binding.TF_Version}` : 'libtensorflow';
  if (native.isUsingGpuDevice) return `GPU ${gpuName() ?? 'unknown'} (CUDA, ${version})`;
  return `CPU ${cpus()[0]?.model.trim() ?? 'unknown'} (${version}, ${cpus().length} threads)`;
}

/**
 * TensorFlow reads these when its first context is made, so they are set before the import (only
 * where the caller has not set them): deterministic kernels for seeded runs, and no info banners.
 */
function prepareNativeEnvironment(): void {
  process.env.TF_DETERMINISTIC_OPS ??= '1';
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '1';
}

async function trySelect(preferred: string | undefined): Promise<BackendInfo> {
  const skipped: string[] = [];
  const want = (name: BackendName) => preferred === undefined || preferred === name;

  if (want('tensorflow')) {
    prepareNativeEnvironment();
    for (const { pkg, variant } of NATIVE_PACKAGES) {
      // Only one libtensorflow can be loaded per process: the GPU build is not taken without a GPU.
      if (variant === 'gpu' && gpuName() === undefined) {
        skipped.push(`${pkg}: no NVIDIA GPU visible (nvidia-smi)`);
        continue;
      }
      try {
        await loadNative(pkg, variant);
        if (tf.findBackendFactory('tensorflow') && (await tf.setBackend('tensorflow'))) {
          return { name: 'tensorflow', package: pkg, device: nativeDevice(), skipped };
        }
        skipped.push(`${pkg}: loaded but registered no backend on this @tensorflow/tfjs (version mismatch?)`);
      } catch (error) {
        skipped.push(`${pkg}: ${reason(error)}`);
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
