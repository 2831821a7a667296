import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditKeyOf, listAuditEntries } from '../../src/audit/ledger.js';
import { candidateIdFor, versionRefreshWorkflowId } from '../../workflows/definitions.js';
import { startHarness, type Harness } from '../helpers/refresh-harness.js';

// One model fed by two datasets: each dataset's v1 is its own refresh. Before the dataset joined
// the refresh workflow ID, the second v1 collided with the first and was recorded as a duplicate.
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

describe('a model refreshed from two datasets', () => {
  it('refreshes v1 of each under its own workflow ID, candidate and ledger entry', async () => {
    const model = h.newModel();
    const first = await h.refresh(model, 'mnist-east', (await h.publish('mnist-east', 'first', 1500)).version);
    const second = await h.refresh(model, 'mnist-west', (await h.publish('mnist-west', 'first', 1500)).version);

    expect(first).toMatchObject({ dataset: 'mnist-east', version: 1, status: 'promoted', workflowId: versionRefreshWorkflowId(model, 'mnist-east', 1) });
    expect(second.status).not.toBe('duplicate');
    expect(second).toMatchObject({ dataset: 'mnist-west', version: 1, workflowId: versionRefreshWorkflowId(model, 'mnist-west', 1) });
    expect(first.candidateId).toBe(`${candidateIdFor(first.workflowId)}-scratch`);
    expect(second.candidateId).not.toBe(first.candidateId);
    expect(second.candidateId).toContain('mnist-west');

    for (const outcome of [first, second]) {
      expect((await h.client.workflow.getHandle(outcome.workflowId).describe()).status.name).toBe('COMPLETED');
    }
    const entries = await listAuditEntries(h.store, model);
    expect(entries.map((e) => [e.dataset, e.datasetVersion, e.workflowId]).sort()).toEqual([
      ['mnist-east', 1, first.workflowId],
      ['mnist-west', 1, second.workflowId],
    ]);
    expect(new Set(entries.map(auditKeyOf)).size).toBe(2);
  });
});
