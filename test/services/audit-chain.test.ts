import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAuditEntry } from '../../src/audit/ledger.js';
import { verifyChain } from '../../src/audit/verify.js';
import { rollbackByOperator, startReplay } from '../../src/temporal/operations.js';
import { runCli } from '../helpers/cli.js';
import { startHarness, type Harness } from '../helpers/refresh-harness.js';
import { servicesEnv } from '../helpers/services.js';
import { chainLinkKey } from '../../src/storage/keys.js';

// The ledger's hash chain on the real S3 server, extended by real refreshes, a replay and an operator rollback.
let h: Harness;
let model: string;
let env: Record<string, string>;
const dataset = 'mnist-chain';
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const verify = () => runCli(['audit', 'verify', '--model', model], env);

beforeAll(async () => {
  h = await startHarness();
  env = { ...servicesEnv(), WARMSTART_STORE: h.store.uri, WARMSTART_TASK_QUEUE: h.taskQueue };
  model = h.newModel();
  const v1 = await h.refresh(model, dataset, (await h.publish(dataset, 'first', 1200)).version);
  await h.refresh(model, dataset, (await h.publish(dataset, 'second', 400)).version);
  const replay = await startReplay(h.client, { model, version: 2, dataset, taskQueue: h.taskQueue, overrides: { promote: false, requestedBy: 'ana' } });
  await replay.result();
  await rollbackByOperator(h.client, model, { candidateId: v1.candidateId!, by: 'ana', reason: 'v2 misbehaves in canary' });
});
afterAll(() => h?.stop());

describe('the ledger hash chain on S3', () => {
  it('refreshes, a replay and an operator rollback extend one chain, in order', async () => {
    const links = await h.store.list(`audit-chain/${model}/`);
    expect(links).toEqual([1, 2, 3, 4].map((seq) => chainLinkKey(model, seq)));
    const keys = await Promise.all(links.map(async (key) => JSON.parse(decode((await h.store.get(key))!.body)).key as string));
    expect(keys.slice(0, 2)).toEqual([`audit/${model}/${dataset}/v1.json`, `audit/${model}/${dataset}/v2.json`]);
    expect(keys[2]).toMatch(new RegExp(`^audit/${model}/${dataset}/v2\\.\\d{8}T\\d{6}\\.json$`));
    expect(keys[3]).toMatch(new RegExp(`^audit-operations/${model}/`));
    const rollback = JSON.parse(decode((await h.store.get(keys[3]!))!.body));
    expect(rollback).toMatchObject({ action: 'rollback', by: 'ana', chain: { seq: 4, previousKey: keys[2] } });
    const { code, stdout } = await verify();
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`ledger of ${model}: 4 records, hash chain intact; head sha256 [0-9a-f]{64}`));
  });

  it('a rewritten entry makes verify fail naming it; restored, it verifies again; deleted, it fails naming it', async () => {
    const key = `audit/${model}/${dataset}/v2.json`;
    const original = (await h.store.get(key))!.body;
    const entry = JSON.parse(decode(original));
    await h.store.put(key, `${JSON.stringify({ ...entry, compute: { ...entry.compute, flops: 1 } }, null, 2)}\n`);
    const rewritten = await verify();
    expect(rewritten.code).toBe(2);
    expect(rewritten.stderr.split('\n')).toHaveLength(1);
    expect(rewritten.stderr).toMatch(new RegExp(`^warmstart: error \\[LEDGER_BROKEN\\]: ledger of ${model} broken at ${key}: .*was rewritten`));

    await h.store.put(key, original);
    expect((await verify()).code).toBe(0);

    await h.store.delete(key);
    const deleted = await verify();
    expect(deleted.code).toBe(2);
    expect(deleted.stderr).toMatch(new RegExp(`broken at ${key}: record ${key} \\(link 2\\) is missing: deleted`));
    await h.store.put(key, original);
  });

  it('concurrent writers on S3 (conditional writes) each get their own link, and retries add nothing', async () => {
    const other = h.newModel('race');
    const template = JSON.parse(decode((await h.store.get(`audit/${model}/${dataset}/v1.json`))!.body));
    delete template.chain;
    const entries = [1, 2, 3, 4, 5, 6].map((version) => ({ ...template, model: other, datasetVersion: version, workflowId: `refresh/${other}/v${version}` }));
    // Six writers at once, three of them twice (a retry racing its first attempt).
    await Promise.all([...entries, ...entries.slice(0, 3)].map((e) => writeAuditEntry(h.store, e)));
    expect(await h.store.list(`audit-chain/${other}/`)).toHaveLength(6);
    expect(await verifyChain(h.store, other)).toMatchObject({ ok: true, records: 6 });
  });

  it('bad --since or a bad price table: one line naming the problem and the fix, exit 2', async () => {
    const since = await runCli(['audit', '--model', model, '--since', 'yesterday'], env);
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/^warmstart: error \[CONFIG_INVALID\]: --since "yesterday" is not a date: give YYYY-MM, YYYY-MM-DD or an ISO time/);
    const prices = await runCli(['audit', '--model', model], { ...env, WARMSTART_PRICES: '/nonexistent/prices.json' });
    expect(prices.code).toBe(2);
    expect(prices.stderr.split('\n')).toHaveLength(1);
    expect(prices.stderr).toMatch(/\[PRICES_INVALID\]: WARMSTART_PRICES names \/nonexistent\/prices.json, which cannot be read \(ENOENT\)/);
  });
});
