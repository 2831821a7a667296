import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuditEntry } from '../../src/audit/ledger.js';
import { LocalObjectStore } from '../../src/storage/local-store.js';

export const freshStore = () => new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'warmstart-audit-')));

export interface EntryShape {
  model?: string;
  dataset?: string;
  version: number;
  mode?: 'scratch' | 'warm';
  status?: AuditEntry['status'];
  flops?: number;
  trainSeconds?: number;
  evaluationSeconds?: number;
  device?: string;
  finishedAt?: string;
  scratchFlops?: number;
  scratchSeconds?: number;
}

/** A small, complete ledger entry: one attempt, numbers as given. */
export function auditEntry(shape: EntryShape): AuditEntry {
  const { model = 'm', dataset = 'd', version, mode = 'warm', status = 'promoted', flops = 1e9, trainSeconds = 10, evaluationSeconds = 1, device = 'cpu', finishedAt = `2026-11-0${version}T00:00:00.000Z` } = shape;
  return {
    model, dataset, datasetVersion: version, workflowId: `refresh/${model}/v${version}`, replayOf: null, status,
    decision: { mode, reasons: ['because'] },
    attempts: [{
      mode,
      training: { candidateId: `c${version}`, backend: 'wasm', device, steps: 100, examples: 6400, flops, wallSeconds: trainSeconds, scoringFlops: 0, scoringSeconds: 0, finalLoss: 0.1, initializedFrom: null, levers: null, grownClasses: [], resumedFromStep: null },
      evaluation: { testCount: 100, candidate: { combined: { accuracy: 0.9, count: 100 } }, production: null, accuracyInterval: { low: 0.85, high: 0.95 }, wallSeconds: evaluationSeconds },
      gate: { passed: status === 'promoted', reasons: ['pass'] },
    }],
    fallback: null,
    promotion: { outcome: status === 'promoted' ? 'promoted' : 'not-attempted', candidateId: `c${version}`, detail: null, override: null },
    rejection: null,
    compute: { steps: 100, examples: 6400, flops, trainSeconds, evaluationSeconds },
    scratchCost: { flops: shape.scratchFlops ?? 4e9, trainSeconds: shape.scratchSeconds ?? 40, basis: mode === 'scratch' ? 'measured' : 'estimated', explanation: 'x' },
    saved: { flops: (shape.scratchFlops ?? 4e9) - flops, trainSeconds: (shape.scratchSeconds ?? 40) - trainSeconds },
    startedAt: finishedAt, finishedAt,
  };
}
