// warmstart/plugin: warmstart on your own Temporal workers and clients.
export { WarmstartPlugin, type WarmstartPluginOptions, type PluginRole } from './plugin.js';
export { createWorkers, type WarmstartWorkers, type WarmstartWorkerOptions, type WorkerRole } from './worker.js';
export { workflowsPath, bundleWorkflows } from './workflows-path.js';
export { connectClient, signalVersionLanded, queryRefreshState, waitForOutcome, type SignalVersionRequest } from './client.js';
export { trainingTaskQueue } from '../../workflows/activities.js';
export { createActivities, type RefreshActivities, type ActivityDeps } from '../../activities/index.js';
