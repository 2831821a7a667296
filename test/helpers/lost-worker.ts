import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { LocalObjectStore } from '../../src/storage/local-store.js';
import { saveCheckpoint, type CheckpointRef } from '../../src/training/checkpoint.js';
import { runTraining, type RunTrainingOptions } from '../../src/training/run-training.js';

/**
 * Runs training as an attempt whose worker is lost at step `lostAt`: it checkpoints every
 * `checkpointEvery` steps into a fresh file store (selection weights too) and is stopped by a throw
 * from its progress callback. Returns the store, the checkpoints' prefix and the last checkpoint written.
 */
export async function trainUntilWorkerLost(
  options: RunTrainingOptions,
  { checkpointEvery, progressEvery, lostAt }: { checkpointEvery: number; progressEvery: number; lostAt: number },
): Promise<{ store: LocalObjectStore; prefix: string; latest: CheckpointRef }> {
  const store = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-lost-worker-')));
  const prefix = 'models/m/checkpoints/c1';
  let latest: CheckpointRef | null = null;
  const interrupted = runTraining({
    ...options,
    checkpointEvery,
    progressEvery,
    onCheckpoint: async (model, snapshot, state, weights) => {
      latest = await saveCheckpoint(store, prefix, model, snapshot, state, weights ? { selectionWeights: weights } : {});
    },
    onProgress: ({ step }) => {
      if (step === lostAt) throw new Error('worker lost');
    },
  });
  await expect(interrupted).rejects.toThrow('worker lost');
  if (!latest) throw new Error(`no checkpoint was written before step ${lostAt}`);
  return { store, prefix, latest };
}
