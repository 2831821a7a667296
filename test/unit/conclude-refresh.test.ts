import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { concludeRefreshActivity, type ConcludeRefreshInput, type ConcludeRefreshResult } from '../../activities/conclude.js';
import { listAuditEntries } from '../../src/audit/ledger.js';
import { readPolicyInputs } from '../../src/audit/policy-summary.js';
import { verifyChain } from '../../src/audit/verify.js';
import { readProduction } from '../../src/registry/production.js';
import { putJson } from '../../src/storage/json.js';
import { blessingKey, productionKey } from '../../src/storage/keys.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { auditEntry, freshStore } from './audit-fixtures.js';

const quiet = () => new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
const decode = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;

/** A refresh of model m on d v2 whose candidate passed its gate, promotion pending in the draft. */
function conclusion(expectedEtag: string | null): ConcludeRefreshInput {
  const entry = auditEntry({ version: 2 });
  const candidatePrefix = 'models/m/candidates/c2';
  return {
    blessing: { candidatePrefix, blessed: true, reasons: ['pass'], workflowId: entry.workflowId },
    promotion: {
      request: {
        expectedEtag,
        pointer: { model: 'm', candidateId: 'c2', candidatePrefix, dataset: 'd', datasetVersion: 2, modelSpec: { kind: 'mlp', hidden: [8] }, classes: ['a', 'b'], featureShape: [2], testAccuracy: 0.9, mode: 'warm', warmStartsInRow: 1, promotedBy: entry.workflowId },
      },
      override: null,
    },
    entry: { ...entry, promotion: { outcome: 'pending', candidateId: 'c2', detail: null, override: null } },
  };
}

/** The store as a worker sees it that dies right after its n-th write lands (the reply never comes back). */
function dyingAfterWrite(store: ObjectStore, n: number): ObjectStore & { writes: string[] } {
  const writes: string[] = [];
  return Object.assign(Object.create(store) as ObjectStore, {
    writes,
    async put(key: string, body: Uint8Array | string, options?: Parameters<ObjectStore['put']>[2]) {
      const result = await store.put(key, body, options);
      writes.push(key);
      if (writes.length === n) throw new Error(`worker lost after writing ${key}`);
      return result;
    },
  });
}

async function productionOf(store: ObjectStore) {
  const object = await store.get(productionKey('m'));
  return object ? decode(object.body) : undefined;
}

describe('concludeRefresh: blessing, promotion and ledger entry in one activity', () => {
  it('writes the blessing, promotes with the conditional write and records the outcome in the entry', async () => {
    const store = freshStore();
    const result = await quiet().run(concludeRefreshActivity({ store }, {}), conclusion(null));
    expect(result).toEqual({ key: 'audit/m/d/v2.json', status: 'promoted', promotion: { outcome: 'promoted', candidateId: 'c2', detail: null, override: null } });
    expect(decode((await store.get(blessingKey('models/m/candidates/c2')))!.body)).toEqual({ blessed: true, reasons: ['pass'], workflowId: 'refresh/m/v2' });
    expect(await productionOf(store)).toMatchObject({ candidateId: 'c2', promotedBy: 'refresh/m/v2' });
    const [entry] = await listAuditEntries(store, 'm');
    expect(entry).toMatchObject({ status: 'promoted', promotion: { outcome: 'promoted', candidateId: 'c2' } });
    expect((await readPolicyInputs(store, 'm')).lastAttempt).toEqual({ datasetVersion: 2, mode: 'warm', gatePassed: true });
  });

  it('a worker lost after any one of its writes: the retry finishes the refresh once (one entry, one promotion, chain intact)', async () => {
    const clean = freshStore();
    const counted = dyingAfterWrite(clean, Number.POSITIVE_INFINITY);
    await quiet().run(concludeRefreshActivity({ store: counted }, {}), conclusion(null));
    expect(counted.writes.length).toBeGreaterThanOrEqual(4); // blessing, production, entry, chain link (and summary)
    for (let n = 1; n <= counted.writes.length; n++) {
      const store = freshStore();
      await expect(quiet().run(concludeRefreshActivity({ store: dyingAfterWrite(store, n) }, {}), conclusion(null))).rejects.toThrow(/worker lost/);
      const retried = (await quiet().run(concludeRefreshActivity({ store }, {}), conclusion(null))) as ConcludeRefreshResult;
      const crashedAfter = counted.writes[n - 1];
      expect(retried.status, `lost after ${crashedAfter}`).toBe('promoted');
      // A promotion the first attempt landed reads back as its own; the entry keeps what it first recorded.
      expect(['promoted', 'already-promoted'], `lost after ${crashedAfter}`).toContain(retried.promotion.outcome);
      const entries = await listAuditEntries(store, 'm');
      expect(entries.map((e) => [e.status, e.promotion.outcome]), `lost after ${crashedAfter}`).toEqual([['promoted', retried.promotion.outcome]]);
      expect(await verifyChain(store, 'm'), `lost after ${crashedAfter}`).toMatchObject({ ok: true, records: 1 });
      expect(await productionOf(store)).toMatchObject({ candidateId: 'c2', promotedBy: 'refresh/m/v2' });
    }
  });

  it('a retried workflow task builds the draft again at a later time: the entry written before stands, nothing is promoted twice', async () => {
    const store = freshStore();
    const first = (await quiet().run(concludeRefreshActivity({ store }, {}), conclusion(null))) as ConcludeRefreshResult;
    const later = conclusion(null);
    later.entry = { ...later.entry, finishedAt: '2026-11-02T00:00:09.000Z' };
    const pointer = (await store.get(productionKey('m')))!.etag;
    const again = (await quiet().run(concludeRefreshActivity({ store }, {}), later)) as ConcludeRefreshResult;
    expect(again).toEqual(first);
    expect((await store.get(productionKey('m')))!.etag).toBe(pointer);
    const entries = await listAuditEntries(store, 'm');
    expect(entries.map((e) => [e.finishedAt, e.promotion.outcome])).toEqual([[conclusion(null).entry.finishedAt, 'promoted']]);
  });

  it('two attempts at once (a timed-out workflow task beside its retry): both return the one entry that won', async () => {
    const store = freshStore();
    const later = conclusion(null);
    later.entry = { ...later.entry, finishedAt: '2026-11-02T00:00:09.000Z' };
    const results = (await Promise.all([quiet().run(concludeRefreshActivity({ store }, {}), conclusion(null)), quiet().run(concludeRefreshActivity({ store }, {}), later)])) as ConcludeRefreshResult[];
    const entries = await listAuditEntries(store, 'm');
    expect(entries).toHaveLength(1);
    expect(results.map((r) => [r.key, r.status, r.promotion.outcome])).toEqual(Array(2).fill(['audit/m/d/v2.json', 'promoted', entries[0]!.promotion.outcome]));
    expect(await verifyChain(store, 'm')).toMatchObject({ ok: true, records: 1 });
  });

  it('a retry after the entry was written keeps its outcome (superseded stays superseded, nothing promoted)', async () => {
    const store = freshStore();
    // Another writer moved production after this refresh read it: the conditional write loses.
    await putJson(store, productionKey('m'), { candidateId: 'other', promotedBy: 'refresh/m/v9' });
    const input = conclusion('"the etag this refresh read"');
    const first = (await quiet().run(concludeRefreshActivity({ store }, {}), input)) as ConcludeRefreshResult;
    expect(first.status).toBe('superseded');
    const again = await quiet().run(concludeRefreshActivity({ store }, {}), input);
    expect(again).toEqual(first);
    expect(await productionOf(store)).toMatchObject({ candidateId: 'other' });
    expect(await listAuditEntries(store, 'm')).toHaveLength(1);
  });

  it('without a promotion (gate failed) only the blessing and the entry are written, as the workflow built them', async () => {
    const store = freshStore();
    const entry = auditEntry({ version: 2, status: 'rejected' });
    const input: ConcludeRefreshInput = { blessing: { candidatePrefix: 'models/m/candidates/c2', blessed: false, reasons: ['fail'], workflowId: entry.workflowId }, promotion: null, entry };
    const result = await quiet().run(concludeRefreshActivity({ store }, {}), input);
    expect(result).toEqual({ key: 'audit/m/d/v2.json', status: 'rejected', promotion: entry.promotion });
    expect(await readProduction(store, 'm')).toBeUndefined();
    expect(decode((await store.get(blessingKey('models/m/candidates/c2')))!.body)).toMatchObject({ blessed: false });
  });

  it('an entry of another run at the key (other activity figures) is a ledger conflict, not taken for this one', async () => {
    const store = freshStore();
    await quiet().run(concludeRefreshActivity({ store }, {}), conclusion(null));
    const other = conclusion(null);
    other.entry = { ...other.entry, compute: { ...other.entry.compute, trainSeconds: 11 } };
    await expect(quiet().run(concludeRefreshActivity({ store }, {}), other)).rejects.toMatchObject({ type: 'LedgerConflict' });
  });
});
