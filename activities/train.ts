import { Context, log } from '@temporalio/activity';
import { loadExamples } from '../src/data/examples.js';
import { featureSize } from '../src/data/manifest.js';
import { loadManifest } from '../src/data/versions.js';
import type { RefreshMode } from '../src/policy/decide.js';
import { candidatePrefix } from '../src/registry/production.js';
import type { RefreshSettings } from '../src/refresh/settings.js';
import { selectBackend } from '../src/training/backend.js';
import { estimateFlops } from '../src/training/flops.js';
import { loadModel, saveModel } from '../src/training/model-io.js';
import { buildModel } from '../src/training/model-spec.js';
import { trainModel } from '../src/training/trainer.js';
import { putJson } from '../src/storage/json.js';
import type { ActivityDeps } from './deps.js';
import { classifyFailures } from './failures.js';

export interface TrainCandidateInput {
  model: string;
  dataset: string;
  version: number;
  candidateId: string;
  mode: RefreshMode;
  /** Production model to continue from (warm start). */
  initFromPrefix: string | null;
  settings: RefreshSettings;
}

export interface TrainCandidateResult {
  candidateId: string;
  candidatePrefix: string;
  backend: string;
  device: string;
  steps: number;
  examples: number;
  flops: number;
  wallSeconds: number;
  finalLoss: number;
}

/**
 * Trains a candidate and saves it under models/<model>/candidates/<candidateId>/. The candidate ID
 * derives from the workflow ID, so a retried attempt overwrites its own output and nothing else.
 */
export function trainCandidateActivity(deps: ActivityDeps) {
  return async function trainCandidate(input: TrainCandidateInput): Promise<TrainCandidateResult> {
    return classifyFailures(async () => {
      const context = Context.current();
      const backend = await selectBackend();
      const manifest = await loadManifest(deps.store, input.dataset, input.version);
      const train = await loadExamples(deps.store, manifest, ['train']);
      const { settings } = input;
      const model =
        input.mode === 'warm' && input.initFromPrefix
          ? await loadModel(deps.store, input.initFromPrefix)
          : buildModel(settings.modelSpec, featureSize(manifest), manifest.classes.length, settings.seed);
      const steps = input.mode === 'warm' ? settings.warmSteps : settings.scratchSteps;
      log.info('training candidate', { candidateId: input.candidateId, mode: input.mode, steps, backend: backend.name, examples: train.count });
      const stats = await trainModel(model, train, {
        steps,
        batchSize: settings.batchSize,
        learningRate: input.mode === 'warm' ? settings.warmLearningRate : settings.learningRate,
        warmupSteps: settings.warmupSteps,
        seed: settings.seed + input.version,
        onProgress: ({ step, loss }) => {
          context.heartbeat({ step, loss });
          if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason ?? new Error('cancelled');
        },
      });
      const prefix = candidatePrefix(input.model, input.candidateId);
      await saveModel(deps.store, prefix, model);
      const flops = estimateFlops(model).trainPerExample * stats.examples;
      model.dispose();
      const result: TrainCandidateResult = {
        candidateId: input.candidateId,
        candidatePrefix: prefix,
        backend: backend.name,
        device: backend.device,
        steps: stats.steps,
        examples: stats.examples,
        flops,
        wallSeconds: stats.wallSeconds,
        finalLoss: stats.finalLoss,
      };
      await putJson(deps.store, `${prefix}/lineage.json`, {
        ...result,
        model: input.model,
        dataset: input.dataset,
        datasetVersion: input.version,
        mode: input.mode,
        initializedFrom: input.initFromPrefix,
        modelSpec: settings.modelSpec,
        classes: manifest.classes,
        featureShape: manifest.features.shape,
        backendSkipped: backend.skipped,
      });
      return result;
    });
  };
}
