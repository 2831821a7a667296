import * as tf from '@tensorflow/tfjs';
import type { Examples } from '../data/examples.js';
import { isExampleSource, type ExampleSource } from '../data/source.js';
import { evaluateAccuracy } from '../evaluation/evaluate.js';
import { curveMetrics, type CurveMetrics } from '../evaluation/model-metrics.js';
import type { ClassWeightsSetting } from '../refresh/settings.js';
import { sourceClassWeights, withClassWeights } from './class-weights.js';
import { estimateFlops, type FlopEstimate } from './flops.js';
import { classMapping, disposeAnchor, initializeModel, type PreviousModel } from './init.js';
import { learningSpeedDifficulty, learningSpeedOfSource } from './learning-speed.js';
import { leverSteps, LeverSettingsError, validateLevers, type LeverSettings } from './levers.js';
import { buildModel } from './build-model.js';
import { regularizationPenalty } from './regularization.js';
import { bestSettled, cycleLearningRate, nextReading, resolvedAdaptive, startSchedule, takeReading, totalSteps, trainingStop, type AdaptiveState, type TrainingStop } from './adaptive-schedule.js';
import { KeptWeights } from './kept-weights.js';
import { lossWeights, oldRows, scoreByModel, scoreSource, selectionWeights, type SelectionSummary } from './selection.js';
import type { ModelSpec } from './spec.js';
import type { TabularColumn } from '../data/vocabulary.js';
import { loopBatchSize, trainLoop, type LoopOptions, type LoopSnapshot } from './train-loop.js';

/**
 * One training run with the four levers, usable without Temporal: initialize (scratch, warm, shrink &
 * perturb, head growth), score and select old data, train with regularization on a (shortened)
 * schedule, evaluate on the way, and account for the compute, the scoring pass included.
 */
export interface ComputeAccount {
  /** Optimizer steps, examples and estimated FLOPs of the training run itself. */
  steps: number;
  examples: number;
  flops: number;
  /** Seconds of training, without evaluation and checkpoint I/O. */
  wallSeconds: number;
  /** The scoring pass that data selection needs (forward passes, or a learning-speed probe run). */
  scoringExamples: number;
  scoringFlops: number;
  scoringSeconds: number;
  /** Periodic evaluation: measurement, not part of the method's cost. */
  evaluationSeconds: number;
  backend: string;
  device: string;
}

export interface CurvePoint {
  step: number;
  accuracy: number;
  oldAccuracy: number | null;
  newAccuracy: number | null;
  /** With evaluationMetrics: log-loss, AUC, macro-F1 at this evaluation (a benchmark targeting them). */
  metrics?: CurveMetrics;
  /**
   * The run's last point when the adaptive schedule ended with an earlier cycle's weights: the model
   * delivered at the last step is the one of this step (its evaluation, repeated at the last step).
   */
  keptFrom?: number;
}

/** What a checkpoint carries besides weights, optimizer and sampler (plain JSON). */
export interface RunProgressState {
  compute: Omit<ComputeAccount, 'backend' | 'device'>;
  curve: CurvePoint[];
  selection: SelectionSummary | null;
  /** The adaptive schedule's cycles, readings and decision (adaptive runs only): a resumed run takes the same decisions. */
  adaptive?: AdaptiveState;
}

export interface RunTrainingOptions {
  spec: ModelSpec;
  /** The manifest's feature shape. */
  inputShape: number[];
  /** The feature columns when some are categorical (featureColumns of the manifest): they get embeddings. */
  columns?: TabularColumn[];
  classes: string[];
  /** The train split in memory, or streamed from the store (memory bounded by a window of row groups). */
  train: Examples | ExampleSource;
  previous?: PreviousModel | null;
  levers: LeverSettings;
  /** Steps of a scratch run; the schedule's stepsFraction is relative to it. */
  scratchSteps: number;
  batchSize: number;
  seed: number;
  /** Test (or validation) examples for the curve; old/new accuracy come from their isNew flags. */
  evaluation?: Examples;
  /** What the adaptive schedule decides on (default: `evaluation`); the benchmark passes validation while its curve is on test. */
  validation?: Examples;
  onEvaluation?: (point: CurvePoint) => void;
  /** Also measure the metrics beyond accuracy at each evaluation (costs a softmax pass more). */
  evaluationMetrics?: boolean;
  /** 'balanced': class weights in the loss, times the per-example weights (src/training/class-weights.ts). */
  classWeights?: ClassWeightsSetting;
  onProgress?: LoopOptions['onProgress'];
  /** Called during the data-selection scoring pass, which reports no steps (the caller heartbeats). */
  onBusy?: () => void;
  progressEvery?: number;
  checkpointEvery?: number;
  onCheckpoint?: (model: tf.LayersModel, snapshot: LoopSnapshot, state: RunProgressState, selectionWeights?: Float32Array) => Promise<void>;
  checkpointNow?: LoopOptions['checkpointNow'];
  /** The snapshot's keptWeights (adaptive runs inside an extension) become the run's: it disposes them. */
  resume?: { model: tf.LayersModel; snapshot: LoopSnapshot; state: RunProgressState; selectionWeights?: Float32Array };
  backend?: { name: string; device: string };
}

export interface RunTrainingResult {
  model: tf.LayersModel;
  compute: ComputeAccount;
  curve: CurvePoint[];
  finalLoss: number;
  stoppedEarly: boolean;
  grownClasses: string[];
  selection: SelectionSummary | null;
  flopsPerExample: FlopEstimate;
  levers: LeverSettings;
  /** Why the run stopped where it did, its steps and extensions. */
  stop: TrainingStop;
}

async function selectData(options: RunTrainingOptions) {
  const { levers, train } = options;
  const lever = levers.selection;
  if (lever.kind !== 'easy-hard') return { weights: undefined, summary: null, examples: 0, flops: 0, seconds: 0 };
  const started = performance.now();
  const scored = isExampleSource(train) ? await scoreStreamed(options, train) : await scoreInMemory(options, train);
  // Streamed, weights are by row index in the version (a float per row of every split).
  const { weights, summary } = selectionWeights(isExampleSource(train) ? train.indexSpace : train.count, scored.rows, scored.difficulty, lever);
  return { weights, summary, examples: scored.examples, flops: scored.flops, seconds: (performance.now() - started) / 1000 };
}

interface Scored {
  rows: Int32Array;
  difficulty: Float32Array;
  examples: number;
  flops: number;
}

function probeModel(options: RunTrainingOptions) {
  const probe = buildModel(options.spec, options.inputShape, options.classes.length, options.seed + 31, options.columns);
  return { probe, flops: estimateFlops(probe) };
}

function previousOrFail(options: RunTrainingOptions, score: string): NonNullable<RunTrainingOptions['previous']> {
  if (!options.previous) throw new LeverSettingsError([{ setting: 'levers.selection.score', message: `${score} needs a previous model` }]);
  return options.previous;
}

async function scoreInMemory(options: RunTrainingOptions, train: Examples): Promise<Scored> {
  const lever = options.levers.selection as Extract<LeverSettings['selection'], { kind: 'easy-hard' }>;
  const rows = oldRows(train);
  if (lever.score === 'learning-speed') {
    const { probe, flops } = probeModel(options);
    const result = await learningSpeedDifficulty({ probe, data: train, rows, ...probeSettings(options, lever) });
    probe.dispose();
    return { rows, difficulty: result.difficulty, examples: result.trainExamples + result.evaluatedExamples, flops: flops.trainPerExample * result.trainExamples + flops.forwardPerExample * result.evaluatedExamples };
  }
  const previous = previousOrFail(options, lever.score);
  const difficulty = scoreByModel(previous.model, train, rows, lever.score, classMapping(previous.classes, options.classes), { onBatch: options.onBusy });
  return { rows, difficulty, examples: rows.length, flops: estimateFlops(previous.model).forwardPerExample * rows.length };
}

/** The scoring pass streamed: one read of the old rows (or the probe's passes), keeping a score per row. */
async function scoreStreamed(options: RunTrainingOptions, train: ExampleSource): Promise<Scored> {
  const lever = options.levers.selection as Extract<LeverSettings['selection'], { kind: 'easy-hard' }>;
  if (lever.score === 'learning-speed') {
    const { probe, flops } = probeModel(options);
    const result = await learningSpeedOfSource({ probe, source: train, ...probeSettings(options, lever) });
    probe.dispose();
    return { rows: result.rows, difficulty: result.difficulty, examples: result.trainExamples + result.evaluatedExamples, flops: flops.trainPerExample * result.trainExamples + flops.forwardPerExample * result.evaluatedExamples };
  }
  const previous = previousOrFail(options, lever.score);
  const { rows, scores } = await scoreSource(previous.model, train, lever.score, classMapping(previous.classes, options.classes), { onBatch: options.onBusy });
  return { rows, difficulty: scores, examples: rows.length, flops: estimateFlops(previous.model).forwardPerExample * rows.length };
}

function probeSettings(options: RunTrainingOptions, lever: Extract<LeverSettings['selection'], { kind: 'easy-hard' }>) {
  return {
    steps: Math.round((lever.probeStepsFraction ?? 0.1) * options.scratchSteps),
    evaluations: lever.probeEvaluations ?? 8,
    batchSize: options.batchSize,
    learningRate: options.levers.schedule.peakLearningRate,
    seed: options.seed + 37,
    onBusy: options.onBusy,
  };
}

/** A fresh run scores and selects its data; a resumed one takes its state, weights and selection from the checkpoint. */
async function startingState(options: RunTrainingOptions, model: tf.LayersModel): Promise<{ state: RunProgressState; weights: Float32Array | undefined }> {
  const resumed = options.resume;
  if (resumed) {
    model.setWeights(resumed.model.getWeights());
    return { state: structuredClone(resumed.state), weights: resumed.selectionWeights };
  }
  const state: RunProgressState = { compute: { steps: 0, examples: 0, flops: 0, wallSeconds: 0, scoringExamples: 0, scoringFlops: 0, scoringSeconds: 0, evaluationSeconds: 0 }, curve: [], selection: null };
  const selected = await selectData(options);
  state.selection = selected.summary;
  Object.assign(state.compute, { scoringExamples: selected.examples, scoringFlops: selected.flops, scoringSeconds: selected.seconds });
  return { state, weights: selected.weights };
}

/** Evaluates on the way (the curve), counted as evaluation time; true stops the run at stopAtAccuracy. */
function curveEvaluator(model: tf.LayersModel, evaluation: Examples, options: RunTrainingOptions, state: RunProgressState) {
  const target = options.levers.schedule.stopAtAccuracy;
  return (step: number) => {
    const started = performance.now();
    const metrics = evaluateAccuracy(model, evaluation);
    const point: CurvePoint = { step, accuracy: metrics.accuracy, oldAccuracy: metrics.oldAccuracy, newAccuracy: metrics.newAccuracy };
    if (options.evaluationMetrics) point.metrics = curveMetrics(model, evaluation, options.classes.length);
    state.curve.push(point);
    options.onEvaluation?.(point);
    state.compute.evaluationSeconds += (performance.now() - started) / 1000;
    return target !== undefined && metrics.accuracy >= target;
  };
}

/**
 * The adaptive schedule's hook into the loop: at each mark, a validation reading (the curve's point of
 * that step when the curve is on the same examples, else an evaluation counted as evaluation time) goes
 * to the stop rule. A run whose curve reached stopAtAccuracy at the mark stops there.
 */
function growingSchedule(model: tf.LayersModel, options: RunTrainingOptions, state: RunProgressState, plan: AdaptiveState, kept: KeptWeights) {
  const adaptive = resolvedAdaptive(options.levers.schedule)!;
  const validation = (options.validation ?? options.evaluation)!;
  const target = options.levers.schedule.stopAtAccuracy;
  return {
    total: () => totalSteps(plan),
    nextMark: () => nextReading(plan),
    reached: (step: number) => {
      const last = state.curve.at(-1);
      if (target !== undefined && last?.step === step && last.accuracy >= target) {
        plan.stop = 'target-accuracy';
        return;
      }
      const started = performance.now();
      const accuracy = validation === options.evaluation && last?.step === step ? last.accuracy : evaluateAccuracy(model, validation).accuracy;
      state.compute.evaluationSeconds += (performance.now() - started) / 1000;
      const decision = takeReading(plan, { step, accuracy }, adaptive, options.scratchSteps);
      // Entering an extension from the best cycle end so far: its weights are the ones to fall back on.
      if (decision.kind === 'extend' && bestSettled(plan.readings)?.step === step) kept.hold(model);
      if (decision.kind === 'stop') endWithKept(model, options, state, plan, kept, step);
    },
  };
}

/**
 * The rule stopped at `step`: a run whose best cycle end is an earlier one ends with that cycle's
 * weights, and its curve ends with that cycle's evaluation at this step (the model it delivers).
 */
function endWithKept(model: tf.LayersModel, options: RunTrainingOptions, state: RunProgressState, plan: AdaptiveState, kept: KeptWeights, step: number) {
  const best = plan.kept!;
  if (best.step !== step) {
    if (!kept.restoreInto(model)) {
      // Resumed from a checkpoint written before kept weights were saved: the last cycle's weights are what there is.
      plan.kept = plan.readings.at(-1)!;
    } else {
      const point = state.curve.find((p) => p.step === best.step && p.keptFrom === undefined);
      if (point) {
        const last: CurvePoint = { ...point, step, keptFrom: best.step };
        state.curve.push(last);
        options.onEvaluation?.(last);
      }
    }
  }
  kept.release();
}

export async function runTraining(options: RunTrainingOptions): Promise<RunTrainingResult> {
  const { levers } = options;
  const problems = validateLevers(levers);
  if (problems.length > 0) throw new LeverSettingsError(problems);
  if (levers.schedule.adaptive && !(options.validation ?? options.evaluation)?.count) {
    throw new LeverSettingsError([{ setting: 'levers.schedule.adaptive', message: 'needs validation examples to decide on: give the version a validation split, or drop schedule.adaptive' }]);
  }
  const initialized = initializeModel({ spec: options.spec, inputShape: options.inputShape, classes: options.classes, seed: options.seed, init: levers.init, previous: options.previous, columns: options.columns });
  const { model, anchor } = initialized;
  const kept = new KeptWeights(options.resume?.snapshot.keptWeights);
  try {
    const flops = estimateFlops(model);
    const resumed = options.resume;
    const { state, weights } = await startingState(options, model);
    const steps = leverSteps(levers, options.scratchSteps);
    // A fixed schedule is the base cycle alone; an adaptive one keeps its cycles in the checkpointed state.
    const adaptive = levers.schedule.adaptive !== undefined;
    const plan = state.adaptive ?? startSchedule(levers.schedule, steps);
    if (adaptive) state.adaptive = plan;
    const evaluation = options.evaluation;
    const onEvaluate = evaluation ? curveEvaluator(model, evaluation, options, state) : undefined;
    const baseline = { ...state.compute };
    const account = (stats: { steps: number; examples: number; wallSeconds: number }) => {
      state.compute.steps = baseline.steps + stats.steps;
      state.compute.examples = baseline.examples + stats.examples;
      state.compute.flops = flops.trainPerExample * state.compute.examples;
      state.compute.wallSeconds = baseline.wallSeconds + stats.wallSeconds;
    };
    const stats = await trainLoop(model, options.train, {
      steps,
      batchSize: options.batchSize,
      seed: options.seed,
      learningRateAt: (step) => cycleLearningRate(plan, step),
      growing: adaptive ? growingSchedule(model, options, state, plan, kept) : undefined,
      // Streamed rows carry the dataset's weights themselves; in memory they are combined here.
      exampleWeights: isExampleSource(options.train)
        ? await sourceClassWeights(options.classWeights, options.train, options.classes.length, weights)
        : withClassWeights(options.classWeights, options.train.y, options.classes.length, lossWeights(options.train.weights, weights)),
      newFraction: levers.selection.newFraction,
      penalty: regularizationPenalty(levers.regularization, anchor),
      averaging: levers.schedule.averaging,
      onProgress: options.onProgress,
      progressEvery: options.progressEvery,
      evaluateEvery: evaluation ? (levers.schedule.evaluateEvery ?? Math.max(1, Math.round(steps / 20))) : undefined,
      evaluateAtStart: true,
      onEvaluate,
      checkpointEvery: options.checkpointEvery,
      checkpointNow: options.checkpointNow,
      onCheckpoint: options.onCheckpoint
        ? async (snapshot) => {
            const done = snapshot.step - (resumed?.snapshot.step ?? 0);
            account({ steps: done, examples: done * loopBatchSize(options.train, options.batchSize), wallSeconds: snapshot.wallSeconds });
            const held = kept.tensors;
            await options.onCheckpoint!(model, held ? { ...snapshot, keptWeights: held } : snapshot, structuredClone(state), weights);
          }
        : undefined,
      resume: resumed?.snapshot,
    });
    account(stats);
    return {
      model,
      compute: { ...state.compute, backend: options.backend?.name ?? tf.getBackend(), device: options.backend?.device ?? 'unknown' },
      curve: state.curve,
      finalLoss: stats.finalLoss,
      stoppedEarly: stats.stoppedEarly,
      grownClasses: initialized.grownClasses,
      selection: state.selection,
      flopsPerExample: flops,
      levers,
      stop: trainingStop(plan, { adaptive, stoppedEarly: stats.stoppedEarly, steps: state.compute.steps }),
    };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    kept.release();
    disposeAnchor(anchor);
  }
}
