import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { readPolicyInputs } from '../src/audit/policy-summary.js';
import type { ScratchRun } from '../src/audit/savings.js';
import { validateVersion } from '../src/data/summary.js';
import { writeVerified } from '../src/data/verified.js';
import { loadManifest } from '../src/data/versions.js';
import { putJson } from '../src/storage/json.js';
import type { DatasetSummary, LastAttempt, ProductionSummary } from '../src/policy/decide.js';
import { readProduction } from '../src/registry/production.js';
import { ONE_CORE, shardBytes, startMeter } from '../src/audit/measure.js';
import type { ComputeUsage } from '../src/audit/usage.js';
import type { ActivityDeps } from './deps.js';
import { heartbeatProgress } from './keep-alive.js';
import { classifyFailures } from './failures.js';
import { manifestKey, rejectionKey } from '../src/storage/keys.js';

export interface LoadContextInput {
  model: string;
  dataset: string;
  version: number;
}

export interface RefreshContext {
  dataset: DatasetSummary & { manifestKey: string; shards: number; newShards: number; testCount: number };
  production: (ProductionSummary & { candidatePrefix: string; datasetVersion: number }) | null;
  /** The pointer's ETag at decision time; promotion is conditional on it. null = no pointer. */
  productionEtag: string | null;
  lastAttempt: LastAttempt | null;
  /** The model's most recent scratch run: the basis of the scratch-cost estimate. */
  lastScratch: ScratchRun | null;
  /** What validating the version spent (one core decoding and hashing every shard). */
  usage?: ComputeUsage;
}

/**
 * Validates the version end to end (manifest schema, every shard's size and sha256, every row of
 * every split) in one streaming pass before any training, and reads the production pointer. A bad version fails here, non-retryably.
 */
export function loadRefreshContextActivity(deps: ActivityDeps) {
  return async function loadRefreshContext(input: LoadContextInput): Promise<RefreshContext> {
    const meter = startMeter();
    return withSpendOnRejection(meter, () => classifyFailures(async () => {
      const manifest = await loadManifest(deps.store, input.dataset, input.version);
      const context = Context.current();
      const validated = await validateVersion(deps.store, manifest, { signal: context.cancellationSignal, onProgress: (read) => heartbeatProgress(context, { rowsRead: read }) });
      const rows = validated.summary;
      // Training and evaluation read the shards pinned to the identity verified here, without hashing them again.
      await writeVerified(deps.store, validated.verified, context.cancellationSignal);
      const production = await readProduction(deps.store, input.model);
      // One small object, not a scan of the ledger: the cost stays flat as the model's history grows.
      const { lastAttempt, lastScratch } = await readPolicyInputs(deps.store, input.model);
      log.info('refresh context loaded', { dataset: input.dataset, version: input.version, train: rows.train, validation: rows.validation, test: rows.test, production: production?.pointer.candidateId ?? null });
      return {
        dataset: {
          manifestKey: manifestKey(input.dataset, input.version),
          classes: manifest.classes,
          featureShape: manifest.features.shape,
          trainCount: rows.train,
          newTrainCount: rows.newTrain,
          testCount: rows.test,
          shards: manifest.shards.length,
          newShards: manifest.shards.filter((s) => s.addedInVersion === manifest.version).length,
        },
        production: production
          ? {
              candidateId: production.pointer.candidateId,
              candidatePrefix: production.pointer.candidatePrefix,
              datasetVersion: production.pointer.datasetVersion,
              modelSpec: production.pointer.modelSpec,
              classes: production.pointer.classes,
              featureShape: production.pointer.featureShape,
              warmStartsInRow: production.pointer.warmStartsInRow ?? 0,
            }
          : null,
        productionEtag: production?.etag ?? null,
        lastAttempt,
        lastScratch,
        usage: meter.finish(ONE_CORE(), { bytesRead: shardBytes(manifest) }),
      };
    }));
  };
}

/** A rejected version's validation was paid for too: its usage rides in the failure's details (bytes read up to the fault are not counted). */
async function withSpendOnRejection<T>(meter: ReturnType<typeof startMeter>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApplicationFailure && error.nonRetryable) {
      throw ApplicationFailure.create({ message: error.message, type: error.type ?? undefined, nonRetryable: true, details: [...(error.details ?? []), { usage: meter.finish(ONE_CORE()) }] });
    }
    throw error;
  }
}

export interface MarkRejectedInput {
  dataset: string;
  version: number;
  reason: string;
  workflowId: string;
}

/** Marks a version as rejected bad data, so the next publish builds on the last good version instead. */
export function markVersionRejectedActivity(deps: ActivityDeps) {
  return async function markVersionRejected(input: MarkRejectedInput): Promise<{ key: string }> {
    const key = rejectionKey(input.dataset, input.version);
    await putJson(deps.store, key, { reason: input.reason, workflowId: input.workflowId });
    return { key };
  };
}
