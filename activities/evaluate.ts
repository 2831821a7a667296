import { Context, log } from '@temporalio/activity';
import { rowBatches } from '../src/data/passes.js';
import { openVersionSource } from '../src/data/source.js';
import { readVerified } from '../src/data/verified.js';
import { loadManifest } from '../src/data/versions.js';
import { pairedBootstrap, type PairedComparison } from '../src/evaluation/bootstrap.js';
import { evaluatePair } from '../src/evaluation/evaluate.js';
import type { SliceMetrics } from '../src/evaluation/slices.js';
import { putJson } from '../src/storage/json.js';
import { selectBackend } from '../src/training/backend.js';
import { estimateFlops } from '../src/training/flops.js';
import { loadModel } from '../src/training/model-io.js';
import { backendDevices, shardBytes, startMeter } from '../src/audit/measure.js';
import type { ComputeUsage } from '../src/audit/usage.js';
import type { ActivityDeps } from './deps.js';
import { classifyFailures } from './failures.js';
import { metricsKey } from '../src/storage/keys.js';

export interface EvaluateInput {
  dataset: string;
  version: number;
  candidatePrefix: string;
  productionPrefix: string | null;
}

export interface EvaluateResult {
  testCount: number;
  candidate: SliceMetrics;
  production: SliceMetrics | null;
  /** Discordant pairs on the combined test split (McNemar) and the paired bootstrap of AUC and log-loss; null without production. */
  paired: PairedComparison | null;
  wallSeconds: number;
  /** Wall seconds, device-seconds by class and bytes read, for the ledger. */
  usage?: ComputeUsage;
}

/**
 * Evaluates candidate and production model on the same test examples and slices (combined, old,
 * new, per class), counts their discordant pairs, and writes the candidate's metrics.json.
 */
export function evaluateCandidateActivity(deps: ActivityDeps) {
  return async function evaluateCandidate(input: EvaluateInput): Promise<EvaluateResult> {
    return classifyFailures(async () => {
      const started = performance.now();
      const meter = startMeter();
      const backend = await selectBackend();
      const manifest = await loadManifest(deps.store, input.dataset, input.version);
      const context = Context.current();
      const signal = context.cancellationSignal;
      // The test rows stream from the shards pinned to their verified identity: one decode, never the split in memory.
      const verified = await readVerified(deps.store, manifest);
      const test = await openVersionSource(deps.store, manifest, { splits: ['test'], verified, signal, cacheBytes: 0 });
      const candidateModel = await loadModel(deps.store, input.candidatePrefix);
      const productionModel = input.productionPrefix ? await loadModel(deps.store, input.productionPrefix) : null;
      const models = [candidateModel, ...(productionModel ? [productionModel] : [])];
      // Read the layer shapes before the models are disposed below.
      const forwardFlops = models.reduce((total, model) => total + estimateFlops(model).forwardPerExample, 0);
      let evaluation;
      try {
        evaluation = await evaluatePair(rowBatches(test), candidateModel, productionModel, manifest.classes, { onBatch: () => context.heartbeat() });
      } finally {
        for (const model of models) model.dispose();
      }
      const { candidate, production, paired } = evaluation;
      const flops = forwardFlops * evaluation.count;
      const result: EvaluateResult = {
        testCount: evaluation.count,
        candidate: candidate.slices,
        production: production?.slices ?? null,
        paired: production && paired ? { ...paired, comparisons: pairedBootstrap(candidate.rows, production.rows) } : null,
        wallSeconds: (performance.now() - started) / 1000,
        usage: meter.finish(backendDevices(backend), { flops, bytesRead: shardBytes(manifest) }),
      };
      await putJson(deps.store, metricsKey(input.candidatePrefix), { dataset: input.dataset, datasetVersion: input.version, ...result });
      log.info('evaluated candidate', { candidate: candidate.slices.combined?.accuracy ?? null, production: production?.slices.combined?.accuracy ?? null, testCount: evaluation.count });
      return result;
    });
  };
}
