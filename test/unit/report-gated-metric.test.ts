import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/audit/ledger.js';
import { renderReport } from '../../src/report/html.js';
import { gatedMetricOf, gatedMetricSeries } from '../../src/report/gated-metric.js';

/** A ledger entry whose slice records carry AUC (as an evaluation with the metrics records them). */
function entry(version: number, status: AuditEntry['status'], auc: number, productionAuc: number | null, reasons: string[]): AuditEntry {
  const slice = (value: number) => ({ accuracy: 0.85, count: 1000, auc: value, logLoss: 0.3 });
  return {
    model: 'm', dataset: 'fraud', datasetVersion: version, workflowId: `refresh/m/fraud/v${version}`, replayOf: null, status,
    decision: { mode: version === 1 ? 'scratch' : 'warm', reasons: [] },
    attempts: [{
      mode: version === 1 ? 'scratch' : 'warm',
      training: { candidateId: `c${version}`, backend: 'wasm', device: 'cpu', steps: 10, examples: 640, flops: 1e9, wallSeconds: 1, scoringFlops: 0, scoringSeconds: 0, finalLoss: 0.3, initializedFrom: null, levers: null, grownClasses: [], resumedFromStep: null },
      evaluation: { testCount: 1000, candidate: { combined: slice(auc) }, production: productionAuc === null ? null : { combined: slice(productionAuc) }, accuracyInterval: { low: 0.83, high: 0.87 }, wallSeconds: 0.1 },
      gate: { passed: status === 'promoted', reasons },
    }],
    fallback: null, promotion: { outcome: status === 'promoted' ? 'promoted' : 'not-attempted', candidateId: `c${version}`, detail: null, override: null },
    rejection: null, compute: { steps: 10, examples: 640, flops: 1e9, trainSeconds: 1, evaluationSeconds: 0.1 },
    scratchCost: { flops: 1e9, trainSeconds: 1, basis: 'measured', explanation: 'x' }, saved: { flops: 0, trainSeconds: 0 },
    startedAt: '2026-12-01T00:00:00Z', finishedAt: `2026-12-01T00:0${version}:00Z`,
  };
}

const gatedOnAuc = ['pass: binary task (2 classes, majority class 85.00% of the test split): also gated on auc, logLossSkill, logLoss', 'pass: accuracy[combined] 85.00% >= lower bound 80.00%', 'pass: auc[combined] 0.8100 >= lower bound 0.5500'];
const rejectedOnAuc = ['pass: accuracy[combined] 85.00% >= lower bound 80.00%', 'FAIL: auc[combined] 0.5000 < lower bound 0.5500'];
const ledger = [entry(1, 'promoted', 0.81, null, gatedOnAuc), entry(2, 'promoted', 0.83, 0.8, gatedOnAuc), entry(3, 'rejected', 0.5, 0.82, rejectedOnAuc)];

describe('report: the gated metric per version', () => {
  it('finds the metric the gate used beyond accuracy, and tracks production through a rejection', () => {
    expect(gatedMetricOf(ledger)).toBe('auc');
    const series = gatedMetricSeries(ledger)!;
    expect(series.direction).toBe('higher-is-better');
    expect(series.points).toEqual([
      { label: 'v1', candidate: 0.81, production: 0.81 },
      { label: 'v2', candidate: 0.83, production: 0.83 },
      { label: 'v3', candidate: 0.5, production: 0.82 },
    ]);
  });

  it('charts it, its values as data attributes', () => {
    const html = renderReport('m', ledger, '2026-12-01');
    const figure = /<figure id="gated-metric-chart" data-metric="auc">[\s\S]*?<\/figure>/.exec(html)?.[0] ?? '';
    expect(figure).toContain('Gated metric: auc per version (combined test split, higher-is-better)');
    expect(figure).toContain('data-series="candidate" data-index="2" data-value="0.5"');
    expect(figure).toContain('data-series="production model" data-index="2" data-value="0.82"');
    expect((html.match(/<svg /g) ?? []).length).toBe(5);
  });

  it('a model gated on accuracy alone gets no extra chart', () => {
    const accuracyOnly = ledger.map((e) => ({ ...e, attempts: e.attempts.map((a) => ({ ...a, gate: { ...a.gate, reasons: ['pass: accuracy[combined] 85.00% >= lower bound 80.00%'] } })) }));
    expect(gatedMetricOf(accuracyOnly)).toBeNull();
    expect(renderReport('m', accuracyOnly, '2026-12-01')).not.toContain('gated-metric-chart');
  });
});
