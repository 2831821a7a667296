import { describe, expect, it } from 'vitest';
import { appendToChain, chainTail, encodeRecord } from '../../src/audit/chain.js';
import { listAuditEntries, writeAuditEntry, writeCorrection, writeOperatorAction } from '../../src/audit/ledger.js';
import { verifyChain } from '../../src/audit/verify.js';
import { isWarmstartError } from '../../src/errors.js';
import { auditEntry, freshStore } from './audit-fixtures.js';
import { chainLinkKey } from '../../src/storage/keys.js';

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const rollback = { model: 'm', action: 'rollback' as const, candidateId: 'c1', by: 'ana', reason: 'canary', outcome: 'promoted', at: '2026-11-05T00:00:00Z' };

async function ledgerOfThree() {
  const store = freshStore();
  const keys = [await writeAuditEntry(store, auditEntry({ version: 1, mode: 'scratch' })), await writeAuditEntry(store, auditEntry({ version: 2 }))];
  keys.push(await writeOperatorAction(store, rollback, 'model-refresh/m-7'));
  return { store, keys };
}

describe('hash-chained ledger', () => {
  it('chains entries and operator actions in order, each carrying the previous record sha256', async () => {
    const { store, keys } = await ledgerOfThree();
    expect(keys).toEqual(['audit/m/d/v1.json', 'audit/m/d/v2.json', 'audit-operations/m/model-refresh_m-7.json']);
    const stamps = await Promise.all(keys.map(async (key) => JSON.parse(decode((await store.get(key))!.body)).chain));
    expect(stamps.map((s) => [s.seq, s.previousKey])).toEqual([[1, null], [2, keys[0]], [3, keys[1]]]);
    const verdict = await verifyChain(store, 'm');
    expect(verdict).toMatchObject({ ok: true, records: 3 });
    expect((await chainTail(store, 'm'))!.key).toBe(keys[2]);
  });

  it('a retried write of the same entry succeeds without a second record; other content at the key is refused', async () => {
    const store = freshStore();
    const entry = auditEntry({ version: 1 });
    await writeAuditEntry(store, entry);
    const before = (await store.get('audit/m/d/v1.json'))!.etag;
    await writeAuditEntry(store, { ...entry, priceTable: 'a retry on a worker with another table' });
    expect((await store.get('audit/m/d/v1.json'))!.etag).toBe(before);
    expect(await store.list('audit-chain/m/')).toHaveLength(1);
    await expect(writeAuditEntry(store, { ...entry, status: 'rejected' })).rejects.toSatisfy((e) => isWarmstartError(e, 'LEDGER_CONFLICT'));
    // A retried operator action (its time and outcome come from the retry) keeps the first record.
    await writeOperatorAction(store, rollback, 'r1');
    await writeOperatorAction(store, { ...rollback, at: '2026-11-05T00:00:09Z', outcome: 'superseded' }, 'r1');
    expect(await store.list('audit-chain/m/')).toHaveLength(2);
    expect(await verifyChain(store, 'm')).toMatchObject({ ok: true, records: 2 });
  });

  it('finishes an append an earlier attempt left between writing the record and linking it', async () => {
    const store = freshStore();
    await writeAuditEntry(store, auditEntry({ version: 1 }));
    const entry = auditEntry({ version: 2 });
    const tail = (await chainTail(store, 'm'))!;
    await store.put('audit/m/d/v2.json', encodeRecord({ ...entry, chain: { seq: 2, previous: tail.sha256, previousKey: tail.key } }), { ifNoneMatch: '*' });
    expect(await verifyChain(store, 'm')).toMatchObject({ ok: false, key: 'audit/m/d/v2.json' });
    await writeAuditEntry(store, entry);
    expect(await verifyChain(store, 'm')).toMatchObject({ ok: true, records: 2 });
  });

  it('a record whose sequence number another writer took is restamped at the new tail', async () => {
    const store = freshStore();
    const entry = auditEntry({ version: 1 });
    // Our earlier attempt wrote the record at seq 1, then an operator action won seq 1.
    await store.put('audit/m/d/v1.json', encodeRecord({ ...entry, chain: { seq: 1, previous: null, previousKey: null } }), { ifNoneMatch: '*' });
    await appendToChain(store, 'm', 'audit-operations/m/op.json', rollback);
    await writeAuditEntry(store, entry);
    expect(JSON.parse(decode((await store.get('audit/m/d/v1.json'))!.body)).chain).toMatchObject({ seq: 2, previousKey: 'audit-operations/m/op.json' });
    expect(await verifyChain(store, 'm')).toMatchObject({ ok: true, records: 2 });
  });

  it('concurrent writers each get their own link, none lost', async () => {
    const store = freshStore();
    const entries = Array.from({ length: 8 }, (_, i) => auditEntry({ version: i + 1 }));
    await Promise.all(entries.map((entry) => writeAuditEntry(store, entry)));
    expect(await store.list('audit-chain/m/')).toHaveLength(8);
    expect(await verifyChain(store, 'm')).toMatchObject({ ok: true, records: 8 });
    expect((await listAuditEntries(store, 'm')).map((e) => e.datasetVersion)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a rewritten entry fails verification, naming it', async () => {
    const { store, keys } = await ledgerOfThree();
    const stored = JSON.parse(decode((await store.get(keys[1]!))!.body));
    await store.put(keys[1]!, encodeRecord({ ...stored, status: 'rejected' }));
    expect(await verifyChain(store, 'm')).toMatchObject({ ok: false, key: keys[1], problem: expect.stringMatching(/audit\/m\/d\/v2.json \(link 2\) was rewritten/) });
  });

  it('a rewritten entry whose link was rewritten too breaks at the next record', async () => {
    const { store, keys } = await ledgerOfThree();
    const stored = JSON.parse(decode((await store.get(keys[0]!))!.body));
    const forged = encodeRecord({ ...stored, status: 'rejected' });
    await store.put(keys[0]!, forged);
    const { createHash } = await import('node:crypto');
    await store.put(chainLinkKey('m', 1), encodeRecord({ seq: 1, key: keys[0], sha256: createHash('sha256').update(forged).digest('hex') }));
    expect(await verifyChain(store, 'm')).toMatchObject({ ok: false, key: keys[0], problem: expect.stringMatching(/does not match what audit\/m\/d\/v2.json/) });
  });

  it('a deleted entry, a deleted link, or a record outside the chain fails verification, naming it', async () => {
    const deleted = await ledgerOfThree();
    await deleted.store.delete(deleted.keys[1]!);
    expect(await verifyChain(deleted.store, 'm')).toMatchObject({ ok: false, key: deleted.keys[1], problem: expect.stringMatching(/missing: deleted/) });

    const unlinked = await ledgerOfThree();
    await unlinked.store.delete(chainLinkKey('m', 2));
    expect(await verifyChain(unlinked.store, 'm')).toMatchObject({ ok: false, key: chainLinkKey('m', 2) });

    const outside = await ledgerOfThree();
    await outside.store.put('audit/m/d/v9.json', encodeRecord(auditEntry({ version: 9 })));
    expect(await verifyChain(outside.store, 'm')).toMatchObject({ ok: false, key: 'audit/m/d/v9.json', problem: expect.stringMatching(/in no link/) });
  });

  it('a correction is a new chained record pointing at the corrected one, which stays byte-identical', async () => {
    const { store, keys } = await ledgerOfThree();
    const before = decode((await store.get(keys[1]!))!.body);
    const key = await writeCorrection(store, { model: 'm', corrects: keys[1]!, by: 'ana', reason: 'wrong dataset name', changes: { dataset: 'd2' }, at: '2026-11-06T00:00:00Z' }, 'fix-1');
    expect(decode((await store.get(keys[1]!))!.body)).toBe(before);
    const correction = JSON.parse(decode((await store.get(key))!.body));
    expect(correction).toMatchObject({ corrects: keys[1], correctsSha256: expect.stringMatching(/^[0-9a-f]{64}$/), chain: { seq: 4, previousKey: keys[2] } });
    expect(await verifyChain(store, 'm')).toMatchObject({ ok: true, records: 4 });
  });
});
