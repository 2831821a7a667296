import * as tf from '@tensorflow/tfjs';
import type { Examples } from '../data/examples.js';
import { isExampleSource, type ExampleSource } from '../data/source.js';
import { StreamFeed } from '../data/stream-feed.js';
import { Adam, type AdamState } from './adam.js';
import { BatchSampler, type SamplerState, type StreamSamplerState } from './sampler.js';
import { WeightAverage, type AverageSnapshot } from './weight-average.js';

/** Where a loop stands: enough to continue it bit for bit (with the model's weights, saved beside it). */
export interface LoopSnapshot {
  step: number;
  /** The in-memory sampler's state, or a streamed feed's position. */
  sampler: SamplerState | StreamSamplerState;
  optimizer: AdamState;
  lastLoss: number;
  /** Seconds this loop has trained so far (its own clock, callbacks excluded). */
  wallSeconds: number;
  /** Not the loop's: the adaptive schedule's best cycle weights that runTraining adds, for the checkpoint to carry. */
  keptWeights?: tf.Tensor[];
  /** The weight average's state (runs with `averaging`): the model's weights beside it are the trained ones. */
  averaged?: AverageSnapshot;
}

/**
 * A schedule that may grow while the loop runs (the adaptive schedule): the loop trains to `total()`,
 * and at `nextMark()` it awaits `reached(step)`, after that step's evaluation and before its checkpoint,
 * so a checkpoint holds every decision taken up to its step.
 */
export interface GrowingSchedule {
  total(): number;
  nextMark(): number | null;
  reached(step: number): void | Promise<void>;
}

export interface LoopOptions {
  /** The run's steps; with `growing`, its first total (`growing.total()` rules). */
  steps: number;
  growing?: GrowingSchedule;
  batchSize: number;
  seed: number;
  learningRateAt: (step: number) => number;
  /**
   * Per-example loss weights (0 leaves an example out); the loss is sum(w * loss) / batch. In memory:
   * by example. Streamed: by row index in the version (selection weights), times the dataset's weights.
   */
  exampleWeights?: Float32Array;
  newFraction?: number;
  /** Streamed data: multiply by the dataset's weight column (default true). */
  datasetWeights?: boolean;
  /** Streamed data: units whose rows are shuffled together (the shuffle buffer; default 4). */
  windowUnits?: number;
  /** An extra term added to the loss (regularization), built inside the gradient tape. */
  penalty?: (weights: tf.Variable[]) => tf.Scalar;
  /** Average the weights (decay per step): evaluations see the average, and the run ends with it in the model. */
  averaging?: { decay: number };
  progressEvery?: number;
  /** Awaited, so it can heartbeat or stop the run by throwing. */
  onProgress?: (progress: { step: number; steps: number; loss: number }) => void | Promise<void>;
  evaluateEvery?: number;
  /** Called after step N (and at step 0 when `evaluateAtStart`); returning true stops the run. */
  onEvaluate?: (step: number) => boolean | Promise<boolean>;
  evaluateAtStart?: boolean;
  checkpointEvery?: number;
  /** Called every `checkpointEvery` steps; the snapshot's tensors are disposed after it resolves. */
  onCheckpoint?: (snapshot: LoopSnapshot) => Promise<void>;
  /** True when a checkpoint is wanted at this step whatever the cadence (the worker is shutting down). */
  checkpointNow?: () => boolean;
  resume?: LoopSnapshot;
}

export interface LoopStats {
  steps: number;
  examples: number;
  finalLoss: number;
  /** Seconds in the loop, without evaluation and checkpoint callbacks. */
  wallSeconds: number;
  stoppedEarly: boolean;
}

const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A custom loop (rather than model.fit) so the schedule, data order, per-example weights and
 * checkpoints are ours: seeded batches, Adam with a per-step learning rate, softmax cross-entropy on logits.
 */
export async function trainLoop(model: tf.LayersModel, data: Examples | ExampleSource, options: LoopOptions): Promise<LoopStats> {
  if (data.count === 0) throw new Error('no training examples: the train split is empty');
  const started = performance.now();
  let outside = 0;
  const timeOutside = async <T>(work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      outside += performance.now() - t0;
    }
  };
  // The feed first: a streamed one starts reading its first window while the rest is set up.
  const feed = isExampleSource(data) ? streamFeed(data, options) : memoryFeed(data, options);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = new Adam(variables);
  if (options.resume) optimizer.restore(options.resume.optimizer);
  if (options.resume && !options.averaging !== !options.resume.averaged) throw new Error(`cannot resume: the checkpoint was written by a run ${options.resume.averaged ? 'with' : 'without'} weight averaging`);
  const average = options.averaging ? new WeightAverage(variables, options.averaging.decay, options.resume?.averaged) : null;
  // Evaluations score what the run would deliver if it ended there: the average, when there is one.
  const evaluate = (step: number) => (average ? average.swappedIn(() => options.onEvaluate!(step)) : options.onEvaluate!(step));
  const numClasses = model.outputs[0]!.shape[1] as number;
  const batchSize = loopBatchSize(data, options.batchSize);
  const size = data.featureSize;
  const batch = { x: new Float32Array(batchSize * size), y: new Int32Array(batchSize), w: new Float32Array(batchSize) };
  const weighted = feed.weighted;
  let lastLoss = options.resume?.lastLoss ?? Number.NaN;
  const first = options.resume?.step ?? 0;
  const every = options.progressEvery ?? 25;
  let step = first;
  let stoppedEarly = false;
  const total = () => options.growing?.total() ?? options.steps;

  try {
    if (first === 0 && options.evaluateAtStart && options.onEvaluate) stoppedEarly = await timeOutside(async () => evaluate(0));
    while (!stoppedEarly && step < total()) {
      const filling = feed.next(batch, batchSize);
      if (filling) await filling;
      const learningRate = options.learningRateAt(step);
      const loss = tf.tidy(() => {
        const xs = tf.tensor2d(batch.x, [batchSize, size]);
        const ys = tf.oneHot(tf.tensor1d(batch.y, 'int32'), numClasses);
        const w = weighted ? tf.tensor1d(batch.w) : undefined;
        const { value, grads } = tf.variableGrads(() => {
          const logits = model.apply(xs) as tf.Tensor;
          const perExample = tf.losses.softmaxCrossEntropy(ys, logits, undefined, undefined, tf.Reduction.NONE);
          const data = w ? perExample.mul(w).sum().div(batchSize) : perExample.mean();
          return (options.penalty ? data.add(options.penalty(variables)) : data) as tf.Scalar;
        }, variables);
        optimizer.apply(variables.map((v) => grads[v.name]!), learningRate);
        return value;
      });
      average?.update();
      step++;
      const report = step % every === 0 || step === total();
      if (report) lastLoss = (await loss.data())[0]!;
      loss.dispose();
      // A training step is synchronous: without a turn of the event loop, a window read ahead would
      // make no progress until the window in use runs out, and training would wait for it then.
      if (!report && feed.reading?.()) await yieldToEventLoop();
      if (report) {
        await timeOutside(async () => {
          await options.onProgress?.({ step, steps: total(), loss: lastLoss });
          // Give the event loop a turn so heartbeats and cancellation get through.
          await yieldToEventLoop();
        });
      }
      if (options.onEvaluate && options.evaluateEvery && (step % options.evaluateEvery === 0 || step === total())) {
        stoppedEarly = (await timeOutside(async () => evaluate(step))) && step < total();
      }
      const growing = options.growing;
      if (growing && !stoppedEarly && growing.nextMark() === step) await timeOutside(async () => growing.reached(step));
      const due = options.checkpointEvery !== undefined && options.checkpointEvery > 0 && (step % options.checkpointEvery === 0 || options.checkpointNow?.() === true);
      if (options.onCheckpoint && due && step < total() && !stoppedEarly) {
        const snapshot: LoopSnapshot = { step, sampler: feed.state(), optimizer: optimizer.state(), lastLoss, wallSeconds: (performance.now() - started - outside) / 1000, ...(average ? { averaged: average.snapshot() } : {}) };
        try {
          await timeOutside(() => options.onCheckpoint!(snapshot));
        } finally {
          for (const t of [...snapshot.optimizer.m, ...snapshot.optimizer.v, ...(snapshot.averaged?.tensors ?? [])]) t.dispose();
        }
      }
    }
    average?.applyToVariables();
  } finally {
    optimizer.dispose();
    average?.dispose();
  }
  const wallSeconds = (performance.now() - started - outside) / 1000;
  return { steps: step - first, examples: (step - first) * batchSize, finalLoss: lastLoss, wallSeconds, stoppedEarly };
}

/** The batch a loop trains on: the configured size, or the whole split when it is smaller (and known). */
export function loopBatchSize(data: Examples | ExampleSource, batchSize: number): number {
  return data.count === undefined ? batchSize : Math.min(batchSize, data.count);
}

interface Feed {
  weighted: boolean;
  /** Fills the batch; a promise when rows must be read first. */
  next(batch: { x: Float32Array; y: Int32Array; w: Float32Array }, batchSize: number): Promise<void> | undefined;
  state(): SamplerState | StreamSamplerState;
  /** True while rows are being read ahead (streamed data). */
  reading?: () => boolean;
}

/** Today's in-memory path: a seeded sampler over example indices, rows copied from the loaded split. */
function memoryFeed(data: Examples, options: LoopOptions): Feed {
  const weights = options.exampleWeights;
  const resume = options.resume?.sampler;
  if (resume && 'kind' in resume) throw new Error('cannot resume an in-memory run from a streamed run\'s checkpoint');
  const sampler = new BatchSampler({ count: data.count, isNew: data.isNew, weights, newFraction: options.newFraction, seed: options.seed }, resume);
  const size = data.featureSize;
  return {
    weighted: weights !== undefined,
    next(batch, batchSize) {
      const rows = sampler.next(batchSize);
      for (let i = 0; i < batchSize; i++) {
        const row = rows[i]!;
        batch.x.set(data.x.subarray(row * size, (row + 1) * size), i * size);
        batch.y[i] = data.y[row]!;
        batch.w[i] = weights ? weights[row]! : 1;
      }
      return undefined;
    },
    state: () => sampler.state(),
  };
}

function streamFeed(source: ExampleSource, options: LoopOptions): Feed {
  const resume = options.resume?.sampler;
  if (resume && !('kind' in resume)) throw new Error("cannot resume a streamed run from an in-memory run's checkpoint");
  const feed = new StreamFeed(source, { seed: options.seed, newFraction: options.newFraction, exampleWeights: options.exampleWeights, datasetWeights: options.datasetWeights, windowUnits: options.windowUnits }, resume);
  feed.prime();
  return { weighted: feed.weighted, next: (batch, batchSize) => feed.next(batch, batchSize), state: () => feed.state(), reading: () => feed.reading };
}
