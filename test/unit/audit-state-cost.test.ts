import { describe, expect, it } from 'vitest';
import { chainTail } from '../../src/audit/chain.js';
import { writeAuditEntry } from '../../src/audit/ledger.js';
import { foldEntry, readPolicyInputs, summarize, updatePolicySummary } from '../../src/audit/policy-summary.js';
import { verifyChain } from '../../src/audit/verify.js';
import { chainHeadHintKey, summaryKey } from '../../src/storage/keys.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { auditEntry, freshStore } from './audit-fixtures.js';

/** Counts what a refresh's ledger work asks of the store. */
function counting(store: ObjectStore) {
  const counts = { get: 0, put: 0, list: 0 };
  const counted: ObjectStore = {
    uri: store.uri,
    get: (key, options) => (counts.get++, store.get(key, options)),
    put: (key, body, options) => (counts.put++, store.put(key, body, options)),
    list: (prefix, options) => (counts.list++, store.list(prefix, options)),
    delete: (key, options) => store.delete(key, options),
    check: () => store.check(),
  };
  return { counted, counts };
}

describe('the policy summary (audit-summary/<model>.json)', () => {
  const scratch1 = auditEntry({ version: 1, mode: 'scratch', finishedAt: '2026-11-01T00:00:00.000Z' });
  const warm2 = auditEntry({ version: 2, mode: 'warm', status: 'rejected', finishedAt: '2026-11-02T00:00:00.000Z' });
  const warm3 = auditEntry({ version: 3, mode: 'warm', finishedAt: '2026-11-03T00:00:00.000Z' });

  it('keeps the newest final attempt and the newest scratch run, whatever the order entries are folded in', () => {
    const expected = {
      model: 'm',
      lastAttempt: { datasetVersion: 3, mode: 'warm', gatePassed: true, finishedAt: warm3.finishedAt },
      lastScratch: { datasetVersion: 1, steps: 100, flops: 1e9, trainSeconds: 10, finishedAt: scratch1.finishedAt },
    };
    expect(summarize('m', [scratch1, warm2, warm3])).toEqual(expected);
    expect(summarize('m', [warm3, scratch1, warm2])).toEqual(expected);
    // Folding the same entry twice (a retried recordAudit) changes nothing.
    expect(foldEntry(expected as never, warm3)).toEqual(expected);
    expect(summarize('m', [scratch1, warm2]).lastAttempt).toMatchObject({ datasetVersion: 2, gatePassed: false });
  });

  it('is built from the ledger the first time, then updated by one conditional write per entry', async () => {
    const store = freshStore();
    for (const entry of [scratch1, warm2]) await writeAuditEntry(store, entry);
    // A store from before the summary: the inputs come from a scan, and nothing is written by reading.
    expect(await readPolicyInputs(store, 'm')).toEqual({ lastAttempt: { datasetVersion: 2, mode: 'warm', gatePassed: false }, lastScratch: { datasetVersion: 1, steps: 100, flops: 1e9, trainSeconds: 10 } });
    expect(await store.get(summaryKey('m'))).toBeUndefined();
    await writeAuditEntry(store, warm3);
    await updatePolicySummary(store, warm3);
    await updatePolicySummary(store, warm3);
    expect(await readPolicyInputs(store, 'm')).toEqual({ lastAttempt: { datasetVersion: 3, mode: 'warm', gatePassed: true }, lastScratch: { datasetVersion: 1, steps: 100, flops: 1e9, trainSeconds: 10 } });
  });

  it('two writers at once both land (If-Match, then a retry on the newer summary)', async () => {
    const store = freshStore();
    await writeAuditEntry(store, scratch1);
    await updatePolicySummary(store, scratch1);
    const replay = { ...auditEntry({ version: 2, mode: 'scratch', finishedAt: '2026-11-04T00:00:00.000Z' }), workflowId: 'replay/m/d/v2/x', replayOf: 'refresh/m/v2' };
    await Promise.all([writeAuditEntry(store, warm3), writeAuditEntry(store, replay)]);
    await Promise.all([updatePolicySummary(store, warm3), updatePolicySummary(store, replay)]);
    const inputs = await readPolicyInputs(store, 'm');
    expect(inputs.lastAttempt).toMatchObject({ datasetVersion: 2, mode: 'scratch' });
    expect(inputs.lastScratch).toMatchObject({ datasetVersion: 2 });
  });
});

describe('ledger cost per refresh stays flat as the history grows', () => {
  /** Store calls of one refresh's ledger work after `earlier` entries: read the policy inputs, write the entry, fold it in. */
  async function callsAfter(earlier: number) {
    const store = freshStore();
    for (let v = 1; v <= earlier; v++) {
      const entry = auditEntry({ version: v, mode: v === 1 ? 'scratch' : 'warm', finishedAt: new Date(Date.UTC(2026, 0, 1, 0, v)).toISOString() });
      await writeAuditEntry(store, entry);
      await updatePolicySummary(store, entry);
    }
    const { counted, counts } = counting(store);
    await readPolicyInputs(counted, 'm');
    const next = auditEntry({ version: earlier + 1, finishedAt: new Date(Date.UTC(2026, 0, 2)).toISOString() });
    await writeAuditEntry(counted, next);
    await updatePolicySummary(counted, next);
    expect((await verifyChain(store, 'm')).ok).toBe(true);
    return counts;
  }

  it('the same store calls after 5 and after 200 earlier entries, with no listing', async () => {
    const few = await callsAfter(5);
    const many = await callsAfter(200);
    expect(many).toEqual(few);
    expect(few.list).toBe(0);
  }, 60_000);

  it('a stale or missing head hint still finds the tail', async () => {
    const store = freshStore();
    for (let v = 1; v <= 4; v++) await writeAuditEntry(store, auditEntry({ version: v }));
    const tail = await chainTail(store, 'm');
    expect(tail?.seq).toBe(4);
    await store.put(chainHeadHintKey('m'), JSON.stringify({ seq: 2 }));
    expect(await chainTail(store, 'm')).toEqual(tail);
    await store.delete(chainHeadHintKey('m'));
    expect(await chainTail(store, 'm')).toEqual(tail);
    await store.put(chainHeadHintKey('m'), JSON.stringify({ seq: 99 }));
    expect(await chainTail(store, 'm')).toEqual(tail);
  });
});
