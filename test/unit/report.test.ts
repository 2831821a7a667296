import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/audit/ledger.js';
import { renderReport } from '../../src/report/html.js';
import { ledgerTotals, versionSeries } from '../../src/report/series.js';
import { niceMax, niceMin, niceStep } from '../../src/report/svg.js';

function entry(version: number, mode: 'scratch' | 'warm', status: AuditEntry['status'], accuracy: number, flops: number, scratchFlops: number): AuditEntry {
  const attempt = {
    mode,
    training: { candidateId: `c${version}`, backend: 'wasm', device: 'cpu', steps: 10, examples: 640, flops, wallSeconds: 1, scoringFlops: 0, scoringSeconds: 0, finalLoss: 0.1, initializedFrom: null, levers: null, grownClasses: [], resumedFromStep: null },
    evaluation: { testCount: 100, candidate: { combined: { accuracy, count: 100 } }, production: null, accuracyInterval: { low: accuracy - 0.05, high: accuracy + 0.05 }, wallSeconds: 0.1 },
    gate: { passed: status === 'promoted', reasons: ['pass: <ok> & fine'] },
  };
  return {
    model: 'm', dataset: 'd', datasetVersion: version, workflowId: `refresh/m/v${version}`, replayOf: null, status,
    decision: { mode, reasons: ['because'] }, attempts: [attempt], fallback: null,
    promotion: { outcome: status === 'promoted' ? 'promoted' : 'not-attempted', candidateId: `c${version}`, detail: null, override: null },
    rejection: null, compute: { steps: 10, examples: 640, flops, trainSeconds: 1, evaluationSeconds: 0.1 },
    scratchCost: { flops: scratchFlops, trainSeconds: 2, basis: mode === 'scratch' ? 'measured' : 'estimated', explanation: 'x' },
    saved: { flops: scratchFlops - flops, trainSeconds: 1 }, startedAt: '2026-11-28T00:00:00Z', finishedAt: `2026-11-28T00:0${version}:00Z`,
  };
}

const ledger = [entry(1, 'scratch', 'promoted', 0.9, 4e9, 4e9), entry(2, 'warm', 'promoted', 0.92, 1e9, 4e9), entry(3, 'warm', 'rejected', 0.5, 1e9, 4e9)];

describe('report series and totals', () => {
  it('tracks the production accuracy through promotions and rejections, and cumulative compute', () => {
    const points = versionSeries(ledger);
    expect(points.map((p) => p.productionAccuracy)).toEqual([0.9, 0.92, 0.92]);
    expect(points.map((p) => [p.warmFlops, p.scratchFlops])).toEqual([[0, 4e9], [1e9, 0], [1e9, 0]]);
    expect(points.map((p) => p.cumulativeSpentFlops)).toEqual([4e9, 5e9, 6e9]);
    expect(points.map((p) => p.cumulativeScratchFlops)).toEqual([4e9, 8e9, 12e9]);
    expect(ledgerTotals(ledger)).toMatchObject({ refreshes: 3, promoted: 2, rejected: 1, warm: 2, scratch: 1, spentFlops: 6e9, savedFlops: 6e9 });
  });

  it('counts a failed refresh, keeps production, and shows its failure among the reasons', () => {
    const failed: AuditEntry = { ...entry(4, 'warm', 'failed', 0, 0, 0), attempts: [], compute: { steps: 0, examples: 0, flops: 0, trainSeconds: 0, evaluationSeconds: 0 }, failure: 'trainCandidate failed (BadTrainingConfig): levers.init.lambda: must be a number in [0, 1]' };
    const withFailure = [...ledger, failed];
    expect(versionSeries(withFailure).at(-1)!.productionAccuracy).toBe(0.92);
    expect(ledgerTotals(withFailure)).toMatchObject({ refreshes: 4, promoted: 2, rejected: 1, failed: 1 });
    const html = renderReport('m', withFailure, '2026-11-28');
    expect(html).toContain('1 rejected, 1 failed');
    expect(html).toContain('trainCandidate failed (BadTrainingConfig): levers.init.lambda');
  });

  it('renders a self-contained page: no script, no network, text escaped, numbers as data attributes', () => {
    const html = renderReport('m<1>', ledger, '2026-11-28');
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(html).toContain('warmstart report: m&lt;1&gt;');
    expect(html).toContain('pass: &lt;ok&gt; &amp; fine');
    expect(html).toContain('data-field="total-saved-gflop" data-value="6000000000"');
    expect((html.match(/<svg /g) ?? []).length).toBe(4);
  });
});

describe('axis scales', () => {
  it('uses round steps', () => {
    expect([0.3, 1, 1.2, 2.2, 4, 7].map(niceStep)).toEqual([0.3, 1, 1.25, 2.5, 4, 7.5]);
    expect(niceMax([41.9])).toBe(50);
    expect(niceMin([0.914, 0.93], 1)).toBeCloseTo(0.9);
  });
});
