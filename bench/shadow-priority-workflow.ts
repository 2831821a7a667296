// The workflow of bench/shadow-priority.ts (bundled on its own; not one of warmstart's workflows).
import { proxyActivities, sleep } from '@temporalio/workflow';

type Work = { work(input: { name: string; ms: number }): Promise<string> };

/**
 * One training slot, busy with a blocker; three shadow-like tasks are scheduled while it runs, then
 * one refresh-like task at the default priority. Returns the order the tasks finished in.
 */
export async function priorityOrderWorkflow(input: { shadowPriorityKey: number | null }): Promise<string[]> {
  const plain = proxyActivities<Work>({ startToCloseTimeout: '1 minute' });
  const shadowLike = proxyActivities<Work>({ startToCloseTimeout: '1 minute', ...(input.shadowPriorityKey ? { priority: { priorityKey: input.shadowPriorityKey } } : {}) });
  const order: string[] = [];
  const blocker = plain.work({ name: 'blocker', ms: 3000 }).then((name) => order.push(name));
  await sleep(500);
  const shadows = [1, 2, 3].map((i) => shadowLike.work({ name: `shadow${i}`, ms: 200 }).then((name) => order.push(name)));
  await sleep(500);
  const refresh = plain.work({ name: 'refresh', ms: 200 }).then((name) => order.push(name));
  await Promise.all([blocker, ...shadows, refresh]);
  return order;
}
