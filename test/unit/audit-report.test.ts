import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/audit/ledger.js';
import { parsePriceTable } from '../../src/audit/pricing.js';
import { renderReport } from '../../src/report/html.js';
import { auditEntry } from './audit-fixtures.js';

const prices = parsePriceTable(JSON.stringify({ version: 'r1', currency: 'EUR', devices: { 'cpu:*': { perDeviceHour: 1, watts: 100 } } }), 'test');

/** v2's training lost a worker: 30 of its 230 steps done were lost; both attempts spent 1.15 device-hours in all. */
function withLostWork(entry: AuditEntry): AuditEntry {
  const attempt = entry.attempts[0]!;
  return {
    ...entry,
    attempts: [{ ...attempt, training: { ...attempt.training, steps: 200, work: { stepsDone: 230, stepsLost: 30, stepsRedone: 30, attempts: 2 } } }],
    usage: {
      activities: [
        { activity: 'trainCandidate', subject: attempt.training.candidateId, usage: { wallSeconds: 1, deviceSeconds: { 'cpu:X': 1380 }, flops: null, bytesRead: 0 } },
        { activity: 'trainCandidate', subject: attempt.training.candidateId, usage: { wallSeconds: 1, deviceSeconds: { 'cpu:X': 2760 }, flops: null, bytesRead: 0 } },
      ],
    },
  };
}

const field = (html: string, version: string, name: string) => Number(new RegExp(`<tr data-cost-version="${version}">[^]*?data-field="${name}" data-value="([^"]*)"`).exec(html)?.[1]);

describe('report cost chart', () => {
  it('draws cost per version with the work lost to retries apart, numbers equal to the ledger', () => {
    const ledger = [
      { ...auditEntry({ version: 1, mode: 'scratch' }), usage: { activities: [{ activity: 'trainCandidate', subject: 'c1', usage: { wallSeconds: 1, deviceSeconds: { 'cpu:X': 3600 }, flops: null, bytesRead: 0 } }] } },
      withLostWork(auditEntry({ version: 2 })),
    ];
    const html = renderReport('m', ledger, '2026-12-01', prices);
    expect(html).toContain('<figure id="cost-chart">');
    expect(html).toMatch(/Cost per version \(EUR; priced with table "r1"/);
    // v2: 1.15 device-hours at 1 EUR; lost = 1.15 x 30/230 = 0.15.
    expect(field(html, 'v2', 'device-hours')).toBeCloseTo(1.15);
    expect(field(html, 'v2', 'lost-device-hours')).toBeCloseTo(0.15);
    expect(field(html, 'v2', 'lost-money')).toBeCloseTo(0.15);
    expect(field(html, 'v2', 'steps-lost')).toBe(30);
    expect(field(html, 'total', 'money')).toBeCloseTo(2.15);
    const bar = (series: string, index: number) => Number(new RegExp(`<rect [^>]*data-series="${series}" data-index="${index}" data-value="([^"]*)"`).exec(html)?.[1]);
    expect(bar('work kept', 1)).toBeCloseTo(1);
    expect(bar('lost to retries', 1)).toBeCloseTo(0.15);
    expect(bar('lost to retries', 0)).toBe(0);
  });

  it('without a price table the chart is in device-hours', () => {
    const html = renderReport('m', [withLostWork(auditEntry({ version: 2 }))], '2026-12-01');
    expect(html).toMatch(/Cost per version \(device-hours; no price table/);
    expect(html).toMatch(/data-field="money" data-value=""/);
  });
});
