import { availableParallelism, cpus } from 'node:os';
import type { ComputeUsage } from './usage.js';

/**
 * Measuring what an activity spends. A device class names the hardware as a price table prices it:
 * `cpu:<model>` with one device per core used, `gpu:<name>` with one device per GPU. The GPU's name
 * comes from WARMSTART_GPU_NAME (and WARMSTART_GPU_COUNT, default 1), since tfjs does not report it.
 */
export interface DeviceUse {
  deviceClass: string;
  count: number;
}

export function cpuClass(): string {
  const model = cpus()[0]?.model.replace(/\s+/g, ' ').trim();
  return `cpu:${model || 'unknown'}`;
}

/** The devices a tfjs backend computes on: native GPU, native CPU (all cores), wasm and plain JS (one core). */
export function backendDevices(backend: { name: string; device: string }, env: Record<string, string | undefined> = process.env): DeviceUse[] {
  if (backend.name === 'tensorflow' && /gpu|cuda/i.test(backend.device)) {
    const count = Number(env.WARMSTART_GPU_COUNT ?? 1);
    // The host's core that drives the GPU is part of the bill as well.
    return [{ deviceClass: `gpu:${env.WARMSTART_GPU_NAME?.trim() || 'unnamed'}`, count: Number.isFinite(count) && count > 0 ? count : 1 }, { deviceClass: cpuClass(), count: 1 }];
  }
  if (backend.name === 'tensorflow') return [{ deviceClass: cpuClass(), count: availableParallelism() }];
  return [{ deviceClass: cpuClass(), count: 1 }];
}

/** One core of this machine: decoding, hashing and validating data in JavaScript. */
export const ONE_CORE = (): DeviceUse[] => [{ deviceClass: cpuClass(), count: 1 }];

export function usageOf(wallSeconds: number, devices: DeviceUse[], extra: { flops?: number | null; bytesRead?: number } = {}): ComputeUsage {
  const deviceSeconds: Record<string, number> = {};
  for (const { deviceClass, count } of devices) deviceSeconds[deviceClass] = (deviceSeconds[deviceClass] ?? 0) + wallSeconds * count;
  return { wallSeconds, deviceSeconds, flops: extra.flops ?? null, bytesRead: extra.bytesRead ?? 0 };
}

/** Starts a wall clock; `finish` turns the elapsed time on the given devices into a usage record. */
export function startMeter(): { seconds(): number; finish(devices: DeviceUse[], extra?: { flops?: number | null; bytesRead?: number }): ComputeUsage } {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  return { seconds, finish: (devices, extra) => usageOf(seconds(), devices, extra) };
}

/** Bytes a full pass over a version's shards reads from the store. */
export function shardBytes(manifest: { shards: { bytes: number }[] }): number {
  return manifest.shards.reduce((total, shard) => total + shard.bytes, 0);
}
