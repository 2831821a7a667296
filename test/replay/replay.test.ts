import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { describe, expect, it } from 'vitest';
import { bundleWorkflows } from '../../src/temporal/worker.js';

// Histories recorded from real runs (npm run record-histories), replayed against today's workflow
// code: a non-deterministic change fails here before it reaches a running workflow.
const directory = path.join(import.meta.dirname, 'histories');
const files = readdirSync(directory).filter((f) => f.endsWith('.json')).sort();
const load = (file: string) => historyFromJSON(JSON.parse(readFileSync(path.join(directory, file), 'utf8')));

describe('replay of recorded histories', () => {
  it('has histories of both workflows, including fallback, rejection, failure and operator updates', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'model-refresh.json',
        'model-refresh-operator.json',
        'refresh-version-scratch.json',
        'refresh-version-warm.json',
        'refresh-version-rejected.json',
        'refresh-version-fallback.json',
        'refresh-version-failed.json',
      ]),
    );
  });

  it('replays every recorded history deterministically against today’s code', async () => {
    const workflowBundle = await bundleWorkflows();
    for (const file of files) {
      await expect(Worker.runReplayHistory({ workflowBundle }, load(file), file), file).resolves.toBeUndefined();
    }
  });

  it('catches a deliberate non-deterministic change', async () => {
    const workflowBundle = await bundleWorkflows(path.join(import.meta.dirname, 'fixtures/changed-workflows.ts'));
    await expect(Worker.runReplayHistory({ workflowBundle }, load('refresh-version-warm.json'))).rejects.toThrow(DeterminismViolationError);
  });
});
