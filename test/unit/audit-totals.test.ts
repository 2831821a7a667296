import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { ledgerToParquet } from '../../src/audit/export-parquet.js';
import { writeAuditEntry, type AuditEntry } from '../../src/audit/ledger.js';
import { parsePriceTable } from '../../src/audit/pricing.js';
import { costTotals, groupTotals } from '../../src/audit/totals.js';
import { auditCommand } from '../../src/cli/commands/audit.js';
import { auditEntry, freshStore } from './audit-fixtures.js';

const prices = parsePriceTable(
  JSON.stringify({ version: 'test-1', currency: 'USD', gramsCO2PerKWh: 500, devices: { 'gpu:A': { perDeviceHour: 2, watts: 400, gramsCO2PerKWh: 100 }, 'cpu:*': { perDeviceHour: 0.1, watts: 10 } } }),
  'test',
);

function used(entry: AuditEntry, activities: [string, Record<string, number>][]): AuditEntry {
  return { ...entry, usage: { activities: activities.map(([activity, deviceSeconds]) => ({ activity, subject: activity === 'trainCandidate' ? entry.attempts[0]!.training.candidateId : 'x', usage: { wallSeconds: 1, deviceSeconds, flops: null, bytesRead: 500 } })) } };
}

// Two models, two datasets, two months; one entry from before device accounting (legacy).
const ledger: AuditEntry[] = [
  used(auditEntry({ model: 'a', dataset: 'd1', version: 1, finishedAt: '2026-11-03T10:00:00Z', flops: 2e9 }), [['trainCandidate', { 'gpu:A': 3600, 'cpu:X': 7200 }], ['evaluateCandidate', { 'cpu:X': 1800 }]]),
  used(auditEntry({ model: 'a', dataset: 'd1', version: 2, finishedAt: '2026-12-01T00:00:00Z', flops: 1e9 }), [['trainCandidate', { 'gpu:A': 1800 }]]),
  auditEntry({ model: 'b', dataset: 'd2', version: 1, finishedAt: '2026-11-30T23:59:59Z', flops: 3e9, trainSeconds: 3600, evaluationSeconds: 360 }),
];

describe('cost totals', () => {
  it('by month over several models equal the hand-summed values', () => {
    const months = groupTotals(ledger, 'month', prices);
    expect(months.map((m) => m.group)).toEqual(['2026-11', '2026-12']);
    const [november, december] = months.map((m) => m.totals);
    // November: a v1 = 1 GPU-h + 2.5 CPU-h; b v1 (legacy) = 3960 s of one unrecorded CPU core = 1.1 h.
    expect(november!.refreshes).toBe(2);
    expect(november!.deviceHours).toBeCloseTo(1 + 2.5 + 1.1);
    expect(november!.money).toBeCloseTo(1 * 2 + 2.5 * 0.1 + 1.1 * 0.1);
    expect(november!.kWh).toBeCloseTo(0.4 + 0.025 + 0.011);
    expect(november!.co2Grams).toBeCloseTo(0.4 * 100 + 0.025 * 500 + 0.011 * 500);
    expect(november!.flops).toBe(5e9);
    expect(november!.bytesRead).toBe(1000);
    expect(november!.deviceHoursByClass).toEqual({ 'gpu:A': 1, 'cpu:X': 2.5, 'cpu:unrecorded': 1.1 });
    // December: a v2 = 0.5 GPU-h.
    expect(december!).toMatchObject({ refreshes: 1, deviceHours: 0.5, money: 1, flops: 1e9 });
    expect(december!.kWh).toBeCloseTo(0.2);
    expect(december!.co2Grams).toBeCloseTo(20);
    const all = costTotals(ledger, prices);
    expect(all.money).toBeCloseTo(november!.money! + december!.money!);
  });

  it('by dataset and version', () => {
    expect(groupTotals(ledger, 'dataset', prices).map((g) => [g.group, g.totals.refreshes, Number(g.totals.deviceHours.toFixed(6))])).toEqual([
      ['d1', 2, 4],
      ['d2', 1, 1.1],
    ]);
    expect(groupTotals(ledger, 'version', prices).map((g) => g.group)).toEqual(['d1 v1', 'd1 v2', 'd2 v1']);
  });

  it('prices the scratch-equivalent and the savings the same way', () => {
    // a v2 trained 0.5 GPU-h in 1 wall second; its scratch cost is 40 wall seconds on the same devices: 20 GPU-h.
    const one = costTotals([ledger[1]!], prices);
    expect(one.scratchEquivalent.deviceHours).toBeCloseTo(20);
    expect(one.scratchEquivalent.money).toBeCloseTo(40);
    expect(one.saved.money).toBeCloseTo(39);
  });

  it('the audit command views several models with --since/--until', async () => {
    const store = freshStore();
    for (const entry of ledger) await writeAuditEntry(store, entry);
    const view = JSON.parse(await auditCommand(store, 'a,b', { json: true, since: '2026-11', until: '2026-12', env: { WARMSTART_PRICES: undefined } }));
    expect(view.entries.map((e: AuditEntry) => `${e.model} v${e.datasetVersion}`)).toEqual(['a v1', 'b v1']);
    expect(view.cost.priceTable).toBeNull();
    expect(view.cost.overall.money).toBeNull();
    expect(view.cost.overall.deviceHours).toBeCloseTo(4.6);
    const text = await auditCommand(store, 'a', { env: {} });
    expect(text).toMatch(/no price table \(set WARMSTART_PRICES/);
    expect(text).toMatch(/^2026-12\s+1\s+1\.0\s+0\.5\s/m);
    await expect(auditCommand(store, 'a', { since: 'last week' })).rejects.toThrow(/--since "last week" is not a date: give YYYY-MM/);
  });

  it('exports Parquet with timestamp columns and the priced fields', async () => {
    const bytes = ledgerToParquet(ledger, prices);
    const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
    expect(rows[0]!.finished_at).toEqual(new Date('2026-11-03T10:00:00Z'));
    expect(rows[0]!.started_at).toBeInstanceOf(Date);
    expect(rows.map((r) => Number((r.cost as number).toFixed(6)))).toEqual([2.25, 1, 0.11]);
    expect(rows[0]).toMatchObject({ price_table: 'test-1', currency: 'USD', steps_done: 100, steps_lost: 0 });
  });
});
