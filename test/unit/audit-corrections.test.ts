import { describe, expect, it } from 'vitest';
import { correctRecord, parseChanges } from '../../src/audit/corrections.js';
import { writeAuditEntry } from '../../src/audit/ledger.js';
import { verifyChain } from '../../src/audit/verify.js';
import { auditCommand, correctCommand } from '../../src/cli/commands/audit.js';
import { auditEntry, freshStore } from './audit-fixtures.js';

describe('corrections', () => {
  it('views show the entry as corrected, with who and why; the record stays byte-identical and the chain verifies', async () => {
    const store = freshStore();
    const key = await writeAuditEntry(store, auditEntry({ version: 1, dataset: 'wrong-name' }));
    const before = Buffer.from((await store.get(key))!.body).toString('hex');
    const text = await correctCommand(store, 'm', [key, 'dataset=d2', 'compute.steps=120'], { by: 'ana', reason: 'published under the wrong name' });
    expect(text).toMatch(/^recorded correction audit-corrections\/m\/[0-9a-f]{24}\.json of audit\/m\/wrong-name\/v1\.json$/);
    // Asked for twice (a retried command), recorded once.
    await correctCommand(store, 'm', [key, 'dataset=d2', 'compute.steps=120'], { by: 'ana', reason: 'published under the wrong name' });
    expect(await store.list('audit-corrections/m/')).toHaveLength(1);

    const view = JSON.parse(await auditCommand(store, 'm', { json: true, env: {} }));
    expect(view.entries[0]).toMatchObject({ dataset: 'd2', compute: { steps: 120 }, correctedBy: [{ by: 'ana', reason: 'published under the wrong name' }] });
    expect(view.cost.byDataset.map((g: { group: string }) => g.group)).toEqual(['d2']);
    expect(Buffer.from((await store.get(key))!.body).toString('hex')).toBe(before);
    expect(await verifyChain(store, 'm')).toMatchObject({ ok: true, records: 2 });
  });

  it('refuses unknown fields, identity fields and records of other models, each with one line naming the fix', async () => {
    const store = freshStore();
    const key = await writeAuditEntry(store, auditEntry({ version: 1 }));
    const who = { by: 'ana', reason: 'r' };
    await expect(correctRecord(store, 'm', key, { stauts: 'rejected' }, who)).rejects.toThrow(/has no field stauts; name an existing field/);
    await expect(correctRecord(store, 'm', key, { 'chain.seq': 9 }, who)).rejects.toThrow(/cannot change chain.seq/);
    await expect(correctRecord(store, 'other', key, { status: 'rejected' }, who)).rejects.toThrow(/not a refresh entry of other/);
    await expect(correctRecord(store, 'm', 'audit/m/d/v7.json', { status: 'rejected' }, who)).rejects.toThrow(/no such ledger record/);
    expect(() => parseChanges(['status'])).toThrow(/"status" is not field=value/);
    expect(parseChanges(['a=1', 'b=text', 'c=null'])).toEqual({ a: 1, b: 'text', c: null });
  });
});
