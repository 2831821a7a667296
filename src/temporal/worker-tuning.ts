/**
 * Worker options from the WARMSTART_* worker settings (src/config.ts): slots per queue, and Worker
 * Deployment versioning when a deployment name and build ID are set. Pure, so the mapping is tested
 * without a server.
 */
import type { WorkerOptions } from '@temporalio/worker';
import type { WorkerSettings } from '../config.js';

export type TunedOptions = Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'workerDeploymentOptions'>;

export function workerTuning(settings: WorkerSettings, queue: 'control' | 'training'): TunedOptions {
  return {
    maxConcurrentActivityTaskExecutions: queue === 'training' ? settings.trainingSlots : settings.controlActivitySlots,
    ...(queue === 'control' && settings.workflowTaskSlots !== undefined ? { maxConcurrentWorkflowTaskExecutions: settings.workflowTaskSlots } : {}),
    // AUTO_UPGRADE: warmstart's workflows guard every change with patched(), so a running model
    // workflow may move to a new build; PINNED would keep a long-running model workflow on the old
    // build until it continues as new.
    ...(settings.deployment
      ? { workerDeploymentOptions: { version: { deploymentName: settings.deployment.name, buildId: settings.deployment.buildId }, useWorkerVersioning: true, defaultVersioningBehavior: 'AUTO_UPGRADE' as const } }
      : {}),
  };
}
