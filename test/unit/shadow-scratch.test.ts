import { describe, expect, it } from 'vitest';
import { appendToChain } from '../../src/audit/chain.js';
import { writeAuditEntry } from '../../src/audit/ledger.js';
import { compareWithShadow, joinShadowRecords, shadowScratchRecord, shadowTotals, type ShadowScratchRecord } from '../../src/audit/shadow.js';
import { listShadowScratchRecords, writeShadowScratchRecord } from '../../src/audit/shadow-ledger.js';
import { verifyChain } from '../../src/audit/verify.js';
import { renderReport } from '../../src/report/html.js';
import { auditCommand } from '../../src/cli/commands/audit.js';
import { shadowScratchKey } from '../../src/storage/keys.js';
import { candidateIdFor, shadowCandidateIdFor, shadowScratchDue, shadowScratchWorkflowId } from '../../workflows/definitions.js';
import { auditEntry, freshStore } from './audit-fixtures.js';

/** A shadow of the entry's refresh: scratch at `scratchAccuracy` for `flops`, the refresh's candidate at `refreshAccuracy`. */
function shadowOf(entry: ReturnType<typeof auditEntry>, measured: { flops: number; seconds: number; steps: number; scratchAccuracy: number; refreshAccuracy: number; scratchOnly: number; refreshOnly: number }): ShadowScratchRecord {
  const slices = (accuracy: number) => ({ combined: { accuracy, count: 1000, correct: Math.round(accuracy * 1000) } }) as never;
  return shadowScratchRecord(
    { model: entry.model, dataset: entry.dataset, datasetVersion: entry.datasetVersion, refreshWorkflowId: entry.workflowId, refreshAuditKey: null, refreshCandidateId: `c${entry.datasetVersion}`, workflowId: shadowScratchWorkflowId(entry.workflowId), startedAt: '2026-11-10T00:00:00.000Z' },
    { candidateId: 's', backend: 'wasm', device: 'cpu', steps: measured.steps, examples: measured.steps * 64, flops: measured.flops, wallSeconds: measured.seconds, finalLoss: 0.2 },
    { testCount: 1000, candidate: slices(measured.scratchAccuracy), production: slices(measured.refreshAccuracy), wallSeconds: 1, paired: { candidateOnly: measured.scratchOnly, baselineOnly: measured.refreshOnly, count: 1000 } },
    { finishedAt: '2026-11-10T00:01:00.000Z', usage: [] },
  );
}

describe('shadow scratch: the join with the refresh entry and its arithmetic', () => {
  // A warm start that spent 2 GFLOP; the ledger estimated scratch at 10 GFLOP (saved 8); the shadow measured 12.
  const entry = auditEntry({ version: 2, mode: 'warm', flops: 2e9, trainSeconds: 3, scratchFlops: 10e9, scratchSeconds: 15 });
  const shadow = shadowOf(entry, { flops: 12e9, seconds: 20, steps: 480, scratchAccuracy: 0.91, refreshAccuracy: 0.925, scratchOnly: 10, refreshOnly: 25 });

  it('measures the saving, the gap and how far the estimate was off', () => {
    const c = compareWithShadow(entry, shadow);
    expect(c.measured).toEqual({ flops: 12e9, trainSeconds: 20, steps: 480, accuracy: 0.91 });
    expect(c.saved.flops).toBeCloseTo(10e9);
    expect(c.saved.trainSeconds).toBeCloseTo(17);
    expect(c.estimated).toMatchObject({ basis: 'estimated', flops: 10e9, saved: { flops: 8e9, trainSeconds: 12 } });
    expect(c.accuracyGap).toBeCloseTo(0.015);
    // The estimate was 2 GFLOP low: -1/6 of what scratch really cost.
    expect(c.estimateError.flops).toBeCloseTo(-2e9);
    expect(c.estimateError.share).toBeCloseTo(-1 / 6);
    // 25 examples only the warm start got right against 10 only scratch got: not worse, by far.
    expect(c.pWorseThanScratch).toBeGreaterThan(0.99);
  });

  it('a warm start below scratch has a negative gap and a small p-value', () => {
    const behind = compareWithShadow(entry, shadowOf(entry, { flops: 12e9, seconds: 20, steps: 480, scratchAccuracy: 0.93, refreshAccuracy: 0.9, scratchOnly: 40, refreshOnly: 10 }));
    expect(behind.accuracyGap).toBeCloseTo(-0.03);
    expect(behind.pWorseThanScratch).toBeLessThan(0.001);
  });

  it('joins by workflow ID only, and totals the joined refreshes', () => {
    const other = auditEntry({ version: 3, mode: 'warm', flops: 2e9, scratchFlops: 10e9 });
    const orphan = { ...shadow, refreshWorkflowId: 'refresh/m/v9' };
    const joined = joinShadowRecords([other, entry], [orphan, shadow]);
    expect(joined.map((c) => c.datasetVersion)).toEqual([2]);
    expect(shadowTotals(joined)).toMatchObject({ refreshes: 1, measuredScratchFlops: 12e9, estimatedScratchFlops: 10e9, estimatedSavedFlops: 8e9 });
    expect(shadowTotals(joined).measuredSavedFlops).toBeCloseTo(10e9);
    expect(() => compareWithShadow(other, shadow)).toThrow(/joined with the entry of refresh\/m\/v3/);
  });

  it('IDs: one shadow per refresh, a candidate no refresh has, every K-th version only', () => {
    const refresh = 'refresh/digits/mnist/v4';
    expect(shadowScratchWorkflowId(refresh)).toBe('shadow-scratch/refresh/digits/mnist/v4');
    expect(shadowCandidateIdFor(refresh)).toBe('digits_mnist_v4-shadow-scratch');
    expect(shadowCandidateIdFor(refresh)).not.toBe(`${candidateIdFor(refresh)}-scratch`);
    expect([1, 2, 3, 4, 5, 6].filter((v) => shadowScratchDue({ everyVersions: 3 }, v))).toEqual([3, 6]);
    expect([1, 2].filter((v) => shadowScratchDue({ everyVersions: 1 }, v))).toEqual([1, 2]);
    for (const off of [null, undefined, { everyVersions: 0 }, { everyVersions: -2 }, { everyVersions: 1.5 }]) expect(shadowScratchDue(off, 6)).toBe(false);
  });
});

describe('shadow scratch records in the ledger', () => {
  it('join the hash chain once (a retried write finds its own), a different one is refused, and verify passes', async () => {
    const store = freshStore();
    const entry = auditEntry({ version: 2 });
    await writeAuditEntry(store, entry);
    const shadow = shadowOf(entry, { flops: 12e9, seconds: 20, steps: 480, scratchAccuracy: 0.91, refreshAccuracy: 0.92, scratchOnly: 1, refreshOnly: 2 });
    const key = await writeShadowScratchRecord(store, shadow);
    expect(key).toBe(shadowScratchKey('m', 'refresh/m/v2'));
    expect(await writeShadowScratchRecord(store, shadow)).toBe(key);
    await expect(writeShadowScratchRecord(store, { ...shadow, finishedAt: 'later' })).rejects.toThrow(/already exists with other content/);
    expect(await listShadowScratchRecords(store, 'm')).toEqual([expect.objectContaining({ refreshWorkflowId: 'refresh/m/v2', chain: expect.objectContaining({ seq: 2 }) })]);
    expect(await verifyChain(store, 'm')).toMatchObject({ ok: true, records: 2 });
  });

  it('a shadow record written outside the chain is named by verify', async () => {
    const store = freshStore();
    await writeAuditEntry(store, auditEntry({ version: 2 }));
    await store.put(shadowScratchKey('m', 'refresh/m/v2'), '{}');
    expect(await verifyChain(store, 'm')).toMatchObject({ ok: false, key: shadowScratchKey('m', 'refresh/m/v2') });
    // and one appended properly to another model's chain stays out of this one's
    await appendToChain(store, 'other', shadowScratchKey('other', 'refresh/other/v1'), { kind: 'shadow-scratch' });
    expect((await verifyChain(store, 'other')).ok).toBe(true);
  });
});

describe('the audit shows measured against estimated', () => {
  it('a table and totals of the shadowed refreshes in text and JSON, nothing without shadows', async () => {
    const store = freshStore();
    const scratch = auditEntry({ version: 1, mode: 'scratch', flops: 10e9, scratchFlops: 10e9, finishedAt: '2026-11-01T00:00:00Z' });
    const warm = auditEntry({ version: 2, mode: 'warm', flops: 2e9, scratchFlops: 10e9, finishedAt: '2026-11-20T00:00:00Z' });
    for (const entry of [scratch, warm]) await writeAuditEntry(store, entry);
    const noShadow = await auditCommand(store, 'm', { env: {} });
    expect(noShadow).not.toContain('shadow');
    await writeShadowScratchRecord(store, shadowOf(warm, { flops: 12e9, seconds: 20, steps: 480, scratchAccuracy: 0.91, refreshAccuracy: 0.925, scratchOnly: 10, refreshOnly: 25 }));
    const text = await auditCommand(store, 'm', { env: {} });
    expect(text).toMatch(/^d\s+v2\s+92\.50%\s+91\.00%\s+\+1\.50\s+0\.99\d\s+10\.0 \(estimated\)\s+12\.0\s+8\.0\s+10\.0$/m);
    expect(text).toContain('1 warm start measured against a shadow scratch run: scratch cost estimated 10.0 GFLOP, measured 12.0 GFLOP (-16.67% off)');
    const json = JSON.parse(await auditCommand(store, 'm', { json: true, env: {} }));
    expect(json.shadow.comparisons).toHaveLength(1);
    expect(json.shadow.totals).toMatchObject({ refreshes: 1, measuredScratchFlops: 12e9, estimatedScratchFlops: 10e9 });
    // A period that leaves the warm start out leaves its shadow out too.
    const before = JSON.parse(await auditCommand(store, 'm', { json: true, until: '2026-11-10', env: {} }));
    expect(before.shadow.comparisons).toEqual([]);
  });
});

describe('the report shows measured against estimated', () => {
  it('a chart and a table of the shadowed refreshes, nothing without shadows', () => {
    const scratch = auditEntry({ version: 1, mode: 'scratch', flops: 10e9, scratchFlops: 10e9 });
    const warm = auditEntry({ version: 2, mode: 'warm', flops: 2e9, scratchFlops: 10e9 });
    const shadow = shadowOf(warm, { flops: 12e9, seconds: 20, steps: 480, scratchAccuracy: 0.91, refreshAccuracy: 0.925, scratchOnly: 10, refreshOnly: 25 });
    expect(renderReport('m', [scratch, warm], '2026-12-01')).not.toContain('id="shadow');
    const html = renderReport('m', [scratch, warm], '2026-12-01', null, [shadow]);
    expect(html).toContain('<figure id="shadow-chart">');
    const row = /<tr data-shadow-version="2"[^]*?<\/tr>/.exec(html)![0];
    const value = (field: string) => Number(new RegExp(`data-field="${field}" data-value="([^"]*)"`).exec(row)![1]);
    expect(value('measured-scratch-gflop')).toBe(12e9);
    expect(value('estimated-scratch-gflop')).toBe(10e9);
    expect(value('measured-saved-gflop')).toBe(10e9);
    expect(value('estimated-saved-gflop')).toBe(8e9);
    expect(value('accuracy-gap')).toBeCloseTo(0.015);
    expect(value('estimated-scratch-seconds')).toBe(40);
    expect(value('measured-scratch-seconds')).toBe(20);
    expect(value('measured-saved-seconds')).toBe(10);
    expect(value('estimated-saved-seconds')).toBe(30);
    // Charts over the shadowed versions only: the two accuracies, and scratch seconds estimated against measured.
    const dots = (series: string) => [...html.matchAll(new RegExp(`data-series="${series}" data-index="(\\d)" data-value="([^"]+)"`, 'g'))].map((m) => [m[1], Number(m[2])]);
    expect(dots('shadow scratch run')).toEqual([['0', 0.91]]);
    expect(dots("refresh's candidate")).toEqual([['0', 0.925]]);
    expect(dots('measured by the shadow run')).toEqual([['0', 20]]);
    expect(dots('estimated in the ledger')).toEqual([['0', 40]]);
  });
});
