/**
 * Messages, IDs and payload types shared by clients and workflows. Plain JSON only.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { RefreshSettingsInput } from '../src/refresh/settings.js';
import { keySegment } from '../src/storage/keys.js';

export interface VersionLanded {
  dataset: string;
  version: number;
}

export interface ModelRefreshInput {
  model: string;
  settings?: RefreshSettingsInput;
  /** Carried across continue-as-new. */
  state?: ModelRefreshState;
  /** Refreshes per run before continuing as new (default 20). */
  refreshesPerRun?: number;
}

export interface RefreshVersionInput {
  model: string;
  dataset: string;
  version: number;
  settings?: RefreshSettingsInput;
  overrides?: RefreshOverrides;
  /** Set on a manual replay: the workflow ID of the refresh it re-runs. */
  replayOf?: string;
}

export type RefreshStatus = 'promoted' | 'rejected' | 'superseded' | 'skipped' | 'duplicate' | 'failed';

/** A small summary of one version's refresh, kept in the model workflow's state. */
export interface RefreshOutcome {
  dataset: string;
  version: number;
  workflowId: string;
  status: RefreshStatus;
  mode: 'scratch' | 'warm' | 'none';
  candidateId: string | null;
  accuracy: number | null;
  reasons: string[];
  auditKey: string | null;
}

export interface ModelRefreshState {
  model: string;
  pending: VersionLanded[];
  current: VersionLanded | null;
  /** While paused, versions queue up and nothing is refreshed. */
  paused: { by: string; reason: string } | null;
  production: ProductionView | null;
  /** Candidates this model promoted, oldest first (bounded): rollback targets. */
  promotedCandidates: string[];
  /** Most recent outcomes, newest last (bounded). */
  outcomes: RefreshOutcome[];
  /** Highest version handled per dataset: older arrivals are stale. */
  lastVersion: Record<string, number>;
}

export const versionLandedSignal = defineSignal<[VersionLanded]>('versionLanded');
export const refreshStateQuery = defineQuery<ModelRefreshState>('state');

export function modelRefreshWorkflowId(model: string): string {
  return `model-refresh/${model}`;
}

/**
 * The idempotency key of a version's refresh: the server refuses a second run with this ID. The
 * dataset is part of it, so a model refreshed from two datasets gets one key per dataset version.
 */
export function versionRefreshWorkflowId(model: string, dataset: string, version: number): string {
  return `refresh/${model}/${dataset}/v${version}`;
}

/** The key before the dataset joined it (patch `dataset-in-refresh-id`); recorded histories use it. */
export function legacyVersionRefreshWorkflowId(model: string, version: number): string {
  return `refresh/${model}/v${version}`;
}

/** A manual replay of a version's refresh: a new workflow ID per request, stamped to the second. */
export function replayWorkflowId(model: string, dataset: string, version: number, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  return `replay/${model}/${dataset}/v${version}/${stamp}`;
}

/** The patch that put the dataset into refresh workflow IDs (and so into candidate IDs). */
export const DATASET_IN_REFRESH_ID_PATCH = 'dataset-in-refresh-id';

/** Candidate IDs derive from the workflow ID so retried activities overwrite their own output. */
export function candidateIdFor(workflowId: string): string {
  return keySegment(workflowId.replace(/^refresh\//, ''));
}

export const MAX_OUTCOMES_KEPT = 50;

/** Operator requests for one refresh (CLI `replay`, or a workflow input). */
export interface RefreshOverrides {
  /** Force a warm start or a scratch run regardless of the policy. */
  force?: 'scratch' | 'warm';
  /** Promote even if the gate fails; audited. */
  overrideGate?: { by: string; reason: string };
  /** Who asked (recorded with `force`). */
  requestedBy?: string;
  /** false: evaluate and audit, but never touch production (a dry-run replay). */
  promote?: boolean;
}

export interface OperatorRequest {
  candidateId: string;
  by: string;
  reason: string;
}

export interface ProductionView {
  candidateId: string;
  datasetVersion: number;
  testAccuracy: number;
  promotedBy: string;
}

export const pauseUpdate = defineUpdate<ModelRefreshState, [{ by: string; reason: string }]>('pause');
export const resumeUpdate = defineUpdate<ModelRefreshState, [{ by: string }]>('resume');
export const promoteUpdate = defineUpdate<ProductionView | null, [OperatorRequest]>('promote');
export const rollbackUpdate = defineUpdate<ProductionView | null, [OperatorRequest]>('rollback');
export const queueQuery = defineQuery<VersionLanded[]>('queue');
export const productionQuery = defineQuery<ProductionView | null>('production');

/** The background scratch run of one refresh that warm-started (settings.shadowScratch): never promoted. */
export interface ShadowScratchInput {
  model: string;
  dataset: string;
  version: number;
  settings?: RefreshSettingsInput;
  /** The refresh it measures: the ledger joins the shadow record with this refresh's entry. */
  refresh: { workflowId: string; candidateId: string; auditKey: string | null };
}

/** The patch under which the model workflow starts shadow scratch runs. */
export const SHADOW_SCRATCH_PATCH = 'shadow-scratch';

/** One shadow per refresh: the ID derives from the refresh's, so a retried start finds it already started. */
export function shadowScratchWorkflowId(refreshWorkflowId: string): string {
  return `shadow-scratch/${refreshWorkflowId}`;
}

/**
 * The shadow's candidate: refresh candidates end in -warm or -scratch after a v<N> segment, so
 * `<refresh>-shadow-scratch` is never one of theirs (nor overwrites its checkpoints).
 */
export function shadowCandidateIdFor(refreshWorkflowId: string): string {
  return `${candidateIdFor(refreshWorkflowId)}-shadow-scratch`;
}

/** Whether this version's warm start gets a shadow scratch run: every K-th version, K a positive integer. */
export function shadowScratchDue(setting: { everyVersions: number } | null | undefined, version: number): boolean {
  const every = setting?.everyVersions;
  return typeof every === 'number' && Number.isSafeInteger(every) && every > 0 && version % every === 0;
}
