import { describe, expect, it } from 'vitest';
import { backendDevices, usageOf } from '../../src/audit/measure.js';
import { trainingWork, type AttemptSpend } from '../../src/audit/training-work.js';
import { NO_USAGE } from '../../src/audit/usage.js';

const spend = (attempt: number, resumedFrom: number, reachedStep: number): AttemptSpend => ({ attempt, resumedFrom, reachedStep, usage: NO_USAGE });

describe('training work over attempts', () => {
  it('an uninterrupted run: done = steps, nothing lost', () => {
    expect(trainingWork([], { resumedFrom: 0, steps: 200 })).toEqual({ stepsDone: 200, stepsLost: 0, stepsRedone: 0, attempts: 1 });
  });

  it('a worker lost at step 130 after the checkpoint of 100: 30 lost and redone', () => {
    expect(trainingWork([spend(1, 0, 130)], { resumedFrom: 100, steps: 200 })).toEqual({ stepsDone: 230, stepsLost: 30, stepsRedone: 30, attempts: 2 });
  });

  it('a checkpoint newer than the last heartbeat (a stalled attempt kept saving) counts as reached', () => {
    expect(trainingWork([spend(1, 0, 110)], { resumedFrom: 120, steps: 200 })).toEqual({ stepsDone: 200, stepsLost: 0, stepsRedone: 0, attempts: 2 });
  });

  it('two lost attempts, one lost while loading data: done = completed run + lost', () => {
    const work = trainingWork([spend(1, 0, 130), spend(2, 130, 130)], { resumedFrom: 100, steps: 200 });
    expect(work).toEqual({ stepsDone: 230, stepsLost: 30, stepsRedone: 30, attempts: 3 });
    const longer = trainingWork([spend(1, 0, 130), spend(2, 100, 190)], { resumedFrom: 180, steps: 300 });
    expect(longer.stepsDone).toBe(300 + longer.stepsLost);
    expect(longer.stepsLost).toBe(30 + 10);
  });
});

describe('device classes', () => {
  it('counts a GPU run on its GPUs and the core that drives them; wasm on one core', () => {
    const gpu = backendDevices({ name: 'tensorflow', device: 'GPU (CUDA, libtensorflow)' }, { WARMSTART_GPU_NAME: 'NVIDIA H200', WARMSTART_GPU_COUNT: '2' });
    expect(gpu[0]).toEqual({ deviceClass: 'gpu:NVIDIA H200', count: 2 });
    expect(gpu[1]!.deviceClass).toMatch(/^cpu:/);
    expect(backendDevices({ name: 'wasm', device: 'CPU (WebAssembly SIMD, 1 thread)' })).toEqual([{ deviceClass: expect.stringMatching(/^cpu:/), count: 1 }]);
    expect(usageOf(10, gpu, { bytesRead: 5 })).toMatchObject({ wallSeconds: 10, deviceSeconds: { 'gpu:NVIDIA H200': 20 }, bytesRead: 5, flops: null });
  });
});
