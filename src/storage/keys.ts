/**
 * Every key warmstart writes in the store, in one place:
 *
 *   datasets/<dataset>/v<N>/manifest.json           the commit point of a version
 *   datasets/<dataset>/v<N>/part-<i>-<token>.<ext>  its shards
 *   datasets/<dataset>/v<N>/rejected.json           a refresh found the version's data bad
 *   datasets/<dataset>/v<N>/verified.json           each shard's verified identity (ETag, row groups)
 *   models/<model>/production.json                  the production pointer (conditional writes)
 *   models/<model>/candidates/<id>/                 weights, lineage.json, metrics.json, blessing.json
 *   models/<model>/checkpoints/<id>/step-<n>/       training checkpoints of a candidate
 *   audit/<model>/<dataset>/v<N>[.<run>].json       a refresh's ledger entry
 *   audit-operations/<model>/<request>.json         an operator action
 *   audit-corrections/<model>/<request>.json        a correction of a ledger record
 *   audit-shadow/<model>/<refresh>.json             a shadow scratch run measured beside a refresh
 *   audit-chain/<model>/<seq>.json                  the hash chain over the four above
 *   audit-chain-head/<model>.json                   where the chain's newest link was (a hint)
 *   audit-summary/<model>.json                      the policy's inputs from the ledger
 *
 * Pure (workflows import it). Names are checked by src/names.ts where they enter; the model and
 * candidate segments are checked again here, so no key reaches outside its own prefix.
 */
import { checkName } from '../names.js';

/** A free-form string (a workflow or request ID) made safe as one key segment. */
export function keySegment(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_');
}

// Datasets

export function datasetPrefix(dataset: string): string {
  return `datasets/${dataset}/`;
}

export function versionPrefix(dataset: string, version: number): string {
  return `${datasetPrefix(dataset)}v${version}/`;
}

export function manifestKey(dataset: string, version: number): string {
  return `${versionPrefix(dataset, version)}manifest.json`;
}

/** Written when a refresh rejects a version as bad data; publish does not build on such a version. */
export function rejectionKey(dataset: string, version: number): string {
  return `${versionPrefix(dataset, version)}rejected.json`;
}

/** Written by context validation: the ETag each shard had when its sha256 matched, and its row groups. */
export function verifiedShardsKey(dataset: string, version: number): string {
  return `${versionPrefix(dataset, version)}verified.json`;
}

/** `token` is unique per publish attempt, so two racing publishes never share a shard key. */
export function shardKey(dataset: string, version: number, index: number, token: string, extension: string): string {
  return `${versionPrefix(dataset, version)}part-${String(index).padStart(5, '0')}-${token}.${extension}`;
}

// Models

export function productionKey(model: string): string {
  return `models/${checkName('model', model)}/production.json`;
}

export function candidatePrefix(model: string, candidateId: string): string {
  return `models/${checkName('model', model)}/candidates/${checkName('candidate', candidateId)}`;
}

/** What a candidate was trained from (written by training beside its weights). */
export function lineageKey(candidatePrefix: string): string {
  return `${candidatePrefix}/lineage.json`;
}

/** The evaluation of a candidate against production. */
export function metricsKey(candidatePrefix: string): string {
  return `${candidatePrefix}/metrics.json`;
}

/** The gate's verdict, written once the candidate passed (the TFX "blessing"). */
export function blessingKey(candidatePrefix: string): string {
  return `${candidatePrefix}/blessing.json`;
}

export function checkpointsPrefix(model: string, candidateId: string): string {
  return `models/${model}/checkpoints/${candidateId}`;
}

export function checkpointKey(checkpointsPrefix: string, step: number): string {
  return `${checkpointsPrefix}/step-${String(step).padStart(8, '0')}`;
}

// The ledger

export function auditPrefix(model: string): string {
  return `audit/${model}/`;
}

/** A refresh's entry; a replay's (or any run under a workflow ID other than the refresh's business key) sits beside the original's, named after its workflow ID. */
export function auditKey(model: string, dataset: string, version: number, replayWorkflowId?: string): string {
  const suffix = replayWorkflowId ? `.${keySegment(replayWorkflowId.split('/').pop()!)}` : '';
  return `${auditPrefix(model)}${dataset}/v${version}${suffix}.json`;
}

export function operatorActionKey(model: string, requestId: string): string {
  return `audit-operations/${model}/${keySegment(requestId)}.json`;
}

export function correctionsPrefix(model: string): string {
  return `audit-corrections/${model}/`;
}

export function correctionKey(model: string, requestId: string): string {
  return `${correctionsPrefix(model)}${keySegment(requestId)}.json`;
}

export function shadowScratchPrefix(model: string): string {
  return `audit-shadow/${model}/`;
}

/** The measured scratch run of one refresh, keyed by that refresh's workflow ID (the join key). */
export function shadowScratchKey(model: string, refreshWorkflowId: string): string {
  return `${shadowScratchPrefix(model)}${keySegment(refreshWorkflowId)}.json`;
}

/** The prefixes whose records the model's hash chain covers. */
export function chainedPrefixes(model: string): string[] {
  return [auditPrefix(model), `audit-operations/${model}/`, correctionsPrefix(model), shadowScratchPrefix(model)];
}

export function chainPrefix(model: string): string {
  return `audit-chain/${model}/`;
}

export function chainLinkKey(model: string, seq: number): string {
  return `${chainPrefix(model)}${String(seq).padStart(10, '0')}.json`;
}

/** Where the chain's newest link was last seen: a hint for finding the tail without listing. */
export function chainHeadHintKey(model: string): string {
  return `audit-chain-head/${model}.json`;
}

/** The policy's inputs folded from the ledger (src/audit/policy-summary.ts). */
export function summaryKey(model: string): string {
  return `audit-summary/${model}.json`;
}
