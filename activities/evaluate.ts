import { log } from '@temporalio/activity';
import { loadExamples } from '../src/data/examples.js';
import { loadManifest } from '../src/data/versions.js';
import { evaluateSlices } from '../src/evaluation/evaluate.js';
import { pairedCounts, type PairedCounts, type SliceMetrics } from '../src/evaluation/slices.js';
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
  /** Discordant pairs on the combined test split, for the paired test; null without production. */
  paired: PairedCounts | null;
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
      const test = await loadExamples(deps.store, manifest, ['test']);
      let flops = 0;
      const evaluate = async (prefix: string) => {
        const model = await loadModel(deps.store, prefix);
        try {
          flops += estimateFlops(model).forwardPerExample * test.count;
          return evaluateSlices(model, test, manifest.classes);
        } finally {
          model.dispose();
        }
      };
      const candidate = await evaluate(input.candidatePrefix);
      const production = input.productionPrefix ? await evaluate(input.productionPrefix) : null;
      const result: EvaluateResult = {
        testCount: test.count,
        candidate: candidate.slices,
        production: production?.slices ?? null,
        paired: production ? pairedCounts(candidate.predictions, production.predictions, test.y) : null,
        wallSeconds: (performance.now() - started) / 1000,
        usage: meter.finish(backendDevices(backend), { flops, bytesRead: shardBytes(manifest) }),
      };
      await putJson(deps.store, metricsKey(input.candidatePrefix), { dataset: input.dataset, datasetVersion: input.version, ...result });
      log.info('evaluated candidate', { candidate: candidate.slices.combined?.accuracy ?? null, production: production?.slices.combined?.accuracy ?? null, testCount: test.count });
      return result;
    });
  };
}
