import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowsPath } from '../../src/temporal/worker.js';

// Histories recorded from real runs of the loop (npm run record-histories), replayed against
// today's workflow code: a non-deterministic change fails here before it reaches a running workflow.
const directory = path.join(import.meta.dirname, 'histories');
const files = readdirSync(directory).filter((f) => f.endsWith('.json')).sort();
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

describe('replay of recorded histories', () => {
  it('has histories of both workflows to replay', () => {
    expect(files).toEqual(expect.arrayContaining(['model-refresh.json', 'refresh-version-scratch.json', 'refresh-version-warm.json', 'refresh-version-rejected.json']));
  });

  it('replays every recorded history deterministically', async () => {
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: workflowsPath(), logger: quiet });
    for (const file of files) {
      const history = historyFromJSON(JSON.parse(readFileSync(path.join(directory, file), 'utf8')));
      await expect(Worker.runReplayHistory({ workflowBundle }, history, file), file).resolves.toBeUndefined();
    }
  });
});
