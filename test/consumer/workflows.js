// A pipeline team's own workflows file: their ingest workflow beside warmstart's workflows.
import { proxyActivities } from '@temporalio/workflow';
import { announceVersion, refreshVersionAsChild } from 'warmstart/workflow-helpers';

export * from 'warmstart/workflows';

const { landRows } = proxyActivities({ startToCloseTimeout: '5 minutes', retry: { maximumAttempts: 3 } });

/**
 * Lands a batch of rows as the dataset's next version, then hands it to warmstart: as a child
 * workflow (and returns the refresh's outcome), or by announcing it to the model's refresh workflow.
 */
export async function ingestWorkflow({ model, dataset, batch, handOff, settings }) {
  const { version } = await landRows({ dataset, batch });
  if (handOff === 'child') return { version, outcome: await refreshVersionAsChild({ model, dataset, version, settings }) };
  await announceVersion({ model, dataset, version });
  return { version, outcome: null };
}
