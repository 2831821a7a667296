// The one workflowsPath: every workflow type the worker registers.
export { modelRefreshWorkflow } from './model-refresh.js';
export { refreshVersionWorkflow } from './refresh-version.js';
export { watchDatasetWorkflow } from './watch-dataset.js';
export { shadowScratchWorkflow } from './shadow-scratch.js';
