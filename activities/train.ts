import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { Context, log } from '@temporalio/activity';
import type { Examples } from '../src/data/examples.js';
import { collectRows } from '../src/data/passes.js';
import { openVersionSource } from '../src/data/source.js';
import { readVerified } from '../src/data/verified.js';
import type { Manifest } from '../src/data/manifest.js';
import { loadManifest } from '../src/data/versions.js';
import type { RefreshMode } from '../src/policy/decide.js';
import { DEFAULT_REFRESH_SETTINGS, type TrainingSettings } from '../src/refresh/settings.js';
import { getJson, putJson } from '../src/storage/json.js';
import { selectBackend } from '../src/training/backend.js';
import { deleteCheckpoints, findResumePoint, saveCheckpoint, type CheckpointRef } from '../src/training/checkpoint.js';
import { InitializationError } from '../src/training/init.js';
import { LeverSettingsError, leverSteps, plainLevers, resolveLevers, type LeverSettings, type LeverSettingsInput } from '../src/training/levers.js';
import { loadModel, saveModel } from '../src/training/model-io.js';
import { runTraining, type ComputeAccount, type CurvePoint, type RunProgressState } from '../src/training/run-training.js';
import type { SelectionSummary } from '../src/training/selection.js';
import type { TrainingStop } from '../src/training/adaptive-schedule.js';
import { backendDevices, shardBytes, startMeter } from '../src/audit/measure.js';
import { trainingWork, type AttemptSpend } from '../src/audit/training-work.js';
import type { ComputeUsage, TrainingWork } from '../src/audit/usage.js';
import type { ActivityDeps } from './deps.js';
import { classifyFailures } from './failures.js';
import { AttemptReporter } from './train-heartbeat.js';
import { candidatePrefix, checkpointsPrefix, lineageKey } from '../src/storage/keys.js';
import { FAILURE_TYPES } from '../src/errors.js';
import { featureColumns } from '../src/data/vocabulary.js';

export interface TrainCandidateInput {
  model: string;
  dataset: string;
  version: number;
  candidateId: string;
  mode: RefreshMode;
  /** Production model to continue from (warm start). */
  initFromPrefix: string | null;
  /** The refresh settings with the plan's scratch budget filled in (planRefresh's `training`). */
  settings: TrainingSettings;
  /** The four levers; absent: a plain scratch run of scratchSteps, or a plain warm copy for warmSteps. */
  levers?: LeverSettings | LeverSettingsInput;
  /** Save a checkpoint every N optimizer steps (default settings.checkpointEvery; 0 turns checkpoints off). */
  checkpointEvery?: number;
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
  compute: ComputeAccount;
  levers: LeverSettings;
  grownClasses: string[];
  selection: SelectionSummary | null;
  /** Validation accuracy along the run, when the schedule asks for evaluation (evaluateEvery or stopAtAccuracy). */
  curve: CurvePoint[];
  stoppedEarly: boolean;
  /** Why training stopped where it did (fixed schedule, or the adaptive schedule's plateau / cap / budget), with its steps. */
  stop: TrainingStop;
  /** The step the run resumed from after a retry, or null. */
  resumedFromStep: number | null;
  /** What this attempt spent; earlier attempts' spend as their heartbeats reported it; steps done, lost, redone. */
  usage?: ComputeUsage;
  earlierAttempts?: AttemptSpend[];
  work?: TrainingWork;
}

export type { TrainHeartbeat } from './train-heartbeat.js';

/** The live curve evaluates on at most this many validation rows (the first in shard order), held in memory. */
const CURVE_ROWS = 50_000;

/** A scratch run has no previous model: levers that need one are turned off (and the result says so). */
function leversFor(input: TrainCandidateInput): LeverSettings {
  const { settings, mode } = input;
  // A warm start's plain schedule peaks at warmLearningRate (a short schedule learns faster with a higher peak).
  const levers = resolveLevers(input.levers, plainLevers(mode, { ...settings, learningRate: mode === 'warm' ? settings.warmLearningRate : settings.learningRate }));
  if (mode === 'warm') return levers;
  const selection = levers.selection.kind === 'easy-hard' && levers.selection.score !== 'learning-speed' ? { kind: 'all' as const, ...(levers.selection.newFraction !== undefined ? { newFraction: levers.selection.newFraction } : {}) } : levers.selection;
  return { ...levers, init: { kind: 'scratch' }, regularization: levers.regularization.kind === 'l2-to-old' ? { kind: 'none' } : levers.regularization, selection };
}

/** What a checkpoint must match to be resumed from: everything that shapes the run except how often it saves. */
function runFingerprint(input: TrainCandidateInput): string {
  // `data` names the data path: a checkpoint of the in-memory sampler cannot resume a streamed run.
  return createHash('sha256').update(JSON.stringify({ ...input, checkpointEvery: undefined, data: 'streamed' })).digest('hex');
}

function refuseBadConfig<T>(work: () => Promise<T>): Promise<T> {
  return work().catch((error: unknown) => {
    if (error instanceof LeverSettingsError || error instanceof InitializationError) {
      throw ApplicationFailure.create({ message: error.message, type: FAILURE_TYPES.badTrainingConfig, nonRetryable: true });
    }
    throw error;
  });
}

/** The train split streamed; the validation rows held for the live curve when the run evaluates on the way. */
async function openTrainingData(deps: ActivityDeps, input: TrainCandidateInput, levers: LeverSettings, reporter: AttemptReporter) {
  const manifest = await loadManifest(deps.store, input.dataset, input.version);
  // Streamed: the train rows are read a window of row groups at a time, pinned to the identity
  // context validation verified (no second hash); cancellation reaches every read.
  const verified = await readVerified(deps.store, manifest);
  const signal = Context.current().cancellationSignal;
  const train = await openVersionSource(deps.store, manifest, { splits: ['train'], verified, signal });
  reporter.bytesRead += shardBytes(manifest);
  // The adaptive schedule decides on validation readings: it needs the rows too.
  const wantsCurve = levers.schedule.stopAtAccuracy !== undefined || levers.schedule.evaluateEvery !== undefined || levers.schedule.adaptive !== undefined;
  // Without a curve of its own, the run still evaluates a few times on validation so operators see a live metric.
  const liveEvaluations = wantsCurve ? 0 : (input.settings.progressEvaluations ?? DEFAULT_REFRESH_SETTINGS.progressEvaluations);
  let evaluation: Examples | undefined;
  if (wantsCurve || liveEvaluations > 0) {
    const validation = await openVersionSource(deps.store, manifest, { splits: ['validation'], verified, signal });
    evaluation = await collectRows(validation, { limit: CURVE_ROWS, onUnit: reporter.stillHere });
    reporter.bytesRead += shardBytes(manifest);
    if (evaluation.count === 0 && wantsCurve) throw new LeverSettingsError([{ setting: 'levers.schedule.stopAtAccuracy', message: `the dataset has no validation examples to evaluate on; set a validationFraction or drop stopAtAccuracy/evaluateEvery/adaptive` }]);
    if (evaluation.count === 0) evaluation = undefined;
  }
  return { manifest, train, evaluation, liveEvaluations };
}

/** The production model a warm start continues, with the classes its head was trained on. */
async function loadPrevious(deps: ActivityDeps, input: TrainCandidateInput, levers: LeverSettings, fallbackClasses: string[]) {
  if (levers.init.kind === 'scratch') return null;
  if (!input.initFromPrefix) throw new LeverSettingsError([{ setting: 'initFromPrefix', message: `init ${levers.init.kind} needs the production model's prefix` }]);
  const lineage = await getJson<{ classes?: string[] }>(deps.store, lineageKey(input.initFromPrefix));
  return { model: await loadModel(deps.store, input.initFromPrefix), classes: lineage?.value.classes ?? fallbackClasses };
}

/** The newest complete checkpoint of a run with these inputs, at least as new as the one the last heartbeat named. */
async function resumePoint(deps: ActivityDeps, input: TrainCandidateInput, reporter: AttemptReporter) {
  const checkpoints = checkpointsPrefix(input.model, input.candidateId);
  const fingerprint = runFingerprint(input);
  reporter.stillHere();
  const search = await findResumePoint(deps.store, checkpoints, fingerprint);
  const latest: CheckpointRef | null = search.found?.ref ?? null;
  const { heard } = reporter;
  if (search.skipped.length > 0 || (heard?.checkpointKey && heard.checkpointKey !== latest?.checkpointKey)) {
    log.warn('resuming from another checkpoint than the last heartbeat named', { heartbeat: heard ?? null, resumeFrom: latest, skipped: search.skipped });
  }
  return { checkpoints, fingerprint, resume: search.found?.checkpoint, latest };
}

type Run = Awaited<ReturnType<typeof runTraining>>;

/** Saves the model and its lineage.json; the result is what the workflow and the ledger see. */
async function saveCandidate(deps: ActivityDeps, input: TrainCandidateInput, run: Run, facts: { levers: LeverSettings; resumedFromStep: number | null; reporter: AttemptReporter; meter: ReturnType<typeof startMeter>; manifest: Manifest; backendSkipped: string[] }): Promise<TrainCandidateResult> {
  const prefix = candidatePrefix(input.model, input.candidateId);
  await saveModel(deps.store, prefix, run.model);
  run.model.dispose();
  const { compute } = run;
  const { reporter, manifest } = facts;
  const result: TrainCandidateResult = {
    candidateId: input.candidateId,
    candidatePrefix: prefix,
    backend: compute.backend,
    device: compute.device,
    steps: compute.steps,
    examples: compute.examples,
    flops: compute.flops + compute.scoringFlops,
    wallSeconds: compute.wallSeconds + compute.scoringSeconds,
    finalLoss: run.finalLoss,
    compute,
    levers: facts.levers,
    grownClasses: run.grownClasses,
    selection: run.selection,
    curve: run.curve,
    stoppedEarly: run.stoppedEarly,
    stop: run.stop,
    resumedFromStep: facts.resumedFromStep,
    usage: facts.meter.finish(reporter.devices, { flops: compute.flops + compute.scoringFlops, bytesRead: reporter.bytesRead }),
    earlierAttempts: reporter.earlier,
    work: trainingWork(reporter.earlier, { resumedFrom: reporter.resumedFrom, steps: compute.steps }),
  };
  const { settings } = input;
  const flopsPerExample = { forward: run.flopsPerExample.forwardPerExample, backward: run.flopsPerExample.backwardPerExample, layers: run.flopsPerExample.layers };
  await putJson(deps.store, lineageKey(prefix), {
    ...result,
    model: input.model,
    dataset: input.dataset,
    datasetVersion: input.version,
    mode: input.mode,
    initializedFrom: input.initFromPrefix,
    modelSpec: settings.modelSpec,
    classes: manifest.classes,
    featureShape: manifest.features.shape,
    backendSkipped: facts.backendSkipped,
    flopsPerExample,
  });
  return result;
}

/**
 * Trains a candidate and saves it under models/<model>/candidates/<candidateId>/. The candidate ID
 * derives from the workflow ID, so a retried attempt overwrites its own output and nothing else.
 * Checkpoints go to models/<model>/checkpoints/<candidateId>/; a retry resumes from the newest complete
 * one of a run with the same inputs and ends with the weights an uninterrupted run would have had.
 */
export function trainCandidateActivity(deps: ActivityDeps) {
  return async function trainCandidate(input: TrainCandidateInput): Promise<TrainCandidateResult> {
    return classifyFailures(() =>
      refuseBadConfig(async () => {
        const context = Context.current();
        const { settings } = input;
        const meter = startMeter();
        const reporter = new AttemptReporter(context, meter, settings.batchSize);
        const { shuttingDown, cancelled } = reporter;
        const { progress } = reporter;
        reporter.stillHere();
        const levers = leversFor(input);
        const backend = await selectBackend();
        reporter.devices = backendDevices(backend);
        const { manifest, train, evaluation, liveEvaluations } = await openTrainingData(deps, input, levers, reporter);
        const plannedSteps = leverSteps(levers, settings.scratchSteps);
        const runLevers = liveEvaluations > 0 && evaluation ? { ...levers, schedule: { ...levers.schedule, evaluateEvery: Math.max(1, Math.ceil(plannedSteps / liveEvaluations)) } } : levers;
        const previous = await loadPrevious(deps, input, levers, manifest.classes);
        const every = input.checkpointEvery ?? settings.checkpointEvery;
        const { checkpoints, fingerprint, resume, latest: found } = await resumePoint(deps, input, reporter);
        let latest = found;
        reporter.resumedFrom = resume?.snapshot.step ?? 0;
        progress.resumedFrom(reporter.resumedFrom);
        progress.enter(levers.selection.kind === 'easy-hard' && !resume ? 'scoring' : 'training');
        progress.plan(plannedSteps);
        log.info('training candidate', { candidateId: input.candidateId, mode: input.mode, levers, backend: backend.name, examples: train.count, attempt: context.info.attempt, resumeFrom: latest?.step ?? null });

        const run = await runTraining({
          spec: settings.modelSpec,
          inputShape: manifest.features.shape,
          columns: featureColumns(manifest.features),
          classes: manifest.classes,
          train,
          previous,
          levers: runLevers,
          scratchSteps: settings.scratchSteps,
          batchSize: settings.batchSize,
          seed: settings.seed + input.version,
          evaluation,
          backend,
          classWeights: settings.classWeights,
          onBusy: reporter.stillHere,
          onEvaluation: (point) => progress.evaluated({ step: point.step, accuracy: point.accuracy }, input.mode === 'warm'),
          onProgress: ({ step, steps }) => {
            progress.stepped(step, steps);
            reporter.beat(step, latest?.checkpointKey ?? null);
            // A worker shutting down (SIGTERM) first saves a checkpoint at this step (below), so the retry on another worker loses nothing.
            if (context.cancellationSignal.aborted && !(every > 0 && shuttingDown())) throw cancelled();
          },
          checkpointEvery: every > 0 ? every : undefined,
          checkpointNow: shuttingDown,
          onCheckpoint: async (model, snapshot, state, weights) => {
            latest = await saveCheckpoint(deps.store, checkpoints, model, snapshot, state, { fingerprint, ...(weights ? { selectionWeights: weights } : {}) });
            reporter.beat(snapshot.step, latest.checkpointKey);
            if (shuttingDown()) {
              log.info('worker shutting down: checkpoint saved, leaving the run to a retry', { step: snapshot.step, checkpointKey: latest.checkpointKey });
              throw cancelled();
            }
          },
          resume: resume ? { model: resume.model, snapshot: resume.snapshot, state: resume.extra as RunProgressState, ...(resume.selectionWeights ? { selectionWeights: resume.selectionWeights } : {}) } : undefined,
        });
        resume?.model.dispose();
        previous?.model.dispose();

        // An attempt the server gave up on (its heartbeats were refused) must not overwrite the candidate
        // a later attempt saved, which may already be evaluated. A run that finished as its worker began
        // shutting down is still this attempt's to save.
        if (context.cancellationSignal.aborted && !shuttingDown()) {
          run.model.dispose();
          throw cancelled();
        }
        // The levers as asked: the live-metric evaluations are not a lever.
        const asked = liveEvaluations > 0 ? levers : run.levers;
        const result = await saveCandidate(deps, input, run, { levers: asked, resumedFromStep: resume ? resume.snapshot.step : null, reporter, meter, manifest, backendSkipped: backend.skipped });
        await deleteCheckpoints(deps.store, checkpoints);
        return result;
      }),
    );
  };
}
