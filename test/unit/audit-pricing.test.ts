import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listAuditEntries, writeAuditEntry, type AuditEntry } from '../../src/audit/ledger.js';
import { loadPriceTable, parsePriceTable, priceDeviceSeconds } from '../../src/audit/pricing.js';
import { costTotals } from '../../src/audit/totals.js';
import { verifyChain } from '../../src/audit/verify.js';
import { isWarmstartError } from '../../src/errors.js';
import { auditCommand } from '../../src/cli/commands/audit.js';
import { auditEntry, freshStore } from './audit-fixtures.js';

const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-prices-'));
function tableFile(name: string, table: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(table));
  return file;
}

const withUsage = (entry: AuditEntry, deviceSeconds: Record<string, number>): AuditEntry => ({
  ...entry,
  usage: { activities: [{ activity: 'trainCandidate', subject: entry.attempts[0]!.training.candidateId, usage: { wallSeconds: 100, deviceSeconds, flops: entry.compute.flops, bytesRead: 1000 } }] },
});

describe('price table', () => {
  it('is absent unless WARMSTART_PRICES names one: no made-up prices', () => {
    expect(loadPriceTable({})).toBeNull();
    const priced = priceDeviceSeconds({ 'gpu:H200': 7200 }, null);
    expect(priced).toEqual({ money: null, kWh: null, co2Grams: null, unpricedDeviceHours: 2 });
  });

  it('a bad table or file is one error naming the field and the fix', () => {
    const cases: [string, RegExp][] = [
      ['{', /not valid JSON.*fix the file WARMSTART_PRICES names/],
      [JSON.stringify({ version: 'v1', currency: 'dollars', devices: { 'cpu:*': { perDeviceHour: 1 } } }), /field currency must be an ISO 4217 code/],
      [JSON.stringify({ version: 'v1', currency: 'USD', devices: { 'cpu:*': { perDeviceHour: -1 } } }), /field devices\.cpu:\*\.perDeviceHour/],
      [JSON.stringify({ version: 'v1', currency: 'USD', devices: { h200: { perDeviceHour: 1 } } }), /field devices\.h200 is not a device class/],
      [JSON.stringify({ version: 'v1', currency: 'USD', devices: {} }), /field devices must price at least one device class/],
    ];
    for (const [text, message] of cases) {
      expect(() => parsePriceTable(text, 'prices.json')).toThrow(message);
    }
    expect(() => loadPriceTable({ WARMSTART_PRICES: path.join(dir, 'missing.json') })).toSatisfy((fn: () => unknown) => {
      try {
        fn();
        return false;
      } catch (error) {
        return isWarmstartError(error, 'PRICES_INVALID') && /cannot be read \(ENOENT\)/.test(error.message);
      }
    });
  });

  it('prices device-hours per class, energy with watts, CO2 with the device or table intensity; unnamed classes stay unpriced', () => {
    const table = parsePriceTable(JSON.stringify({ version: 'v1', currency: 'EUR', gramsCO2PerKWh: 500, devices: { 'gpu:H200': { perDeviceHour: 4, watts: 700, gramsCO2PerKWh: 100 }, 'cpu:*': { perDeviceHour: 0.05 } } }), 't');
    const priced = priceDeviceSeconds({ 'gpu:H200': 1800, 'cpu:EPYC': 7200, 'gpu:A100': 3600 }, table);
    expect(priced.money).toBeCloseTo(0.5 * 4 + 2 * 0.05);
    expect(priced.kWh).toBeCloseTo(0.35);
    expect(priced.co2Grams).toBeCloseTo(35);
    expect(priced.unpricedDeviceHours).toBeCloseTo(1);
  });

  it('a new table re-prices history: totals change, stored entries stay byte-identical', async () => {
    const store = freshStore();
    await writeAuditEntry(store, withUsage(auditEntry({ version: 1, mode: 'scratch' }), { 'gpu:H200': 3600, 'cpu:EPYC': 3600 }));
    await writeAuditEntry(store, withUsage(auditEntry({ version: 2 }), { 'gpu:H200': 1800 }));
    const keys = await store.list('audit/m/');
    const bytesBefore = await Promise.all(keys.map(async (key) => Buffer.from((await store.get(key))!.body).toString('base64')));

    const first = tableFile('v1.json', { version: '2026-11', currency: 'USD', devices: { 'gpu:H200': { perDeviceHour: 2, watts: 700 }, 'cpu:*': { perDeviceHour: 0.1 } }, gramsCO2PerKWh: 400 });
    const second = tableFile('v2.json', { version: '2026-12', currency: 'USD', devices: { 'gpu:H200': { perDeviceHour: 3, watts: 700 }, 'cpu:*': { perDeviceHour: 0.2 } }, gramsCO2PerKWh: 200 });
    const before = costTotals(await listAuditEntries(store, 'm'), loadPriceTable({ WARMSTART_PRICES: first }));
    const after = costTotals(await listAuditEntries(store, 'm'), loadPriceTable({ WARMSTART_PRICES: second }));
    // By hand: 1.5 GPU-hours and 1 CPU-hour; 1.05 kWh of GPU.
    expect(before).toMatchObject({ deviceHours: 2.5 });
    expect(before.money).toBeCloseTo(1.5 * 2 + 0.1);
    expect(after.money).toBeCloseTo(1.5 * 3 + 0.2);
    expect(before.kWh).toBeCloseTo(1.05);
    expect(before.co2Grams).toBeCloseTo(420);
    expect(after.co2Grams).toBeCloseTo(210);

    const viewed = JSON.parse(await auditCommand(store, 'm', { json: true, env: { WARMSTART_PRICES: second } }));
    expect(viewed.cost.priceTable).toEqual({ version: '2026-12', currency: 'USD' });
    expect(viewed.cost.overall.money).toBeCloseTo(4.7);

    const bytesAfter = await Promise.all(keys.map(async (key) => Buffer.from((await store.get(key))!.body).toString('base64')));
    expect(bytesAfter).toEqual(bytesBefore);
    expect(await verifyChain(store, 'm')).toMatchObject({ ok: true, records: 2 });
  });
});
