// warmstart/workflow-helpers: the workflows' messages, IDs and payload types (for clients in any
// language, see docs/contract.md), and helpers for your own workflows. Sandbox-safe.
export {
  versionLandedSignal,
  refreshStateQuery,
  queueQuery,
  productionQuery,
  pauseUpdate,
  resumeUpdate,
  promoteUpdate,
  rollbackUpdate,
  modelRefreshWorkflowId,
  versionRefreshWorkflowId,
  type VersionLanded,
  type ModelRefreshInput,
  type ModelRefreshState,
  type RefreshVersionInput,
  type RefreshOverrides,
  type RefreshOutcome,
  type RefreshStatus,
  type OperatorRequest,
  type ProductionView,
} from './definitions.js';
export { announceVersion, refreshVersionAsChild } from './pipeline.js';
export { trainingTaskQueue } from './activities.js';
export type { AnnounceVersionInput } from '../activities/announce.js';
