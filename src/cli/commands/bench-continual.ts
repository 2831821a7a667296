import { DEFAULT_CNN_SPEC, parseModelSpec, type ModelSpec } from '../../training/spec.js';
import { defineCommand } from '../command.js';
import { DATASET, JSON_OUTPUT, STORE } from '../common-options.js';
import { positiveInt } from '../options.js';
import { UsageError } from '../usage-error.js';
import { BENCH_MLP, benchCommand, TARGET_METRICS, type TargetMetric } from './bench.js';

/** --model: mlp, cnn, or a JSON spec; a bad one is a usage error naming the problem. */
function modelOption(value: string): ModelSpec {
  try {
    return parseModelSpec(value, { mlp: BENCH_MLP, cnn: DEFAULT_CNN_SPEC });
  } catch (error) {
    throw new UsageError(`--model: ${(error as Error).message}`);
  }
}

/** --versions 1,2,3 or --steps k (versions 1..k): a chain of warm starts; neither: the --old/--new pair. */
function versionChain(versions: string | undefined, steps: number | undefined): number[] | undefined {
  const chain = versions ? versions.split(',').map((v) => positiveInt(v.trim(), 'versions')) : steps ? Array.from({ length: steps }, (_, i) => i + 1) : undefined;
  if (chain && chain.length < 2) throw new UsageError('--versions/--steps needs at least 2 versions');
  return chain;
}

function pairVersion(value: number | undefined, name: string): number {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

export const benchContinualCli = defineCommand({
  name: 'bench continual',
  group: 'benchmark',
  summary: [
    "the paper's speed-up table (L_100/L_99 in optimizer steps, FLOPs, accuracy) of continual training",
    'vs scratch; --versions/--steps: a chain of warm starts vs scratch. --json prints the result JSON;',
    '--json-out <file> writes it (--json <file> is no longer accepted)',
  ].join('\n'),
  synopsis:
    "--dataset <d> (--old <N> --new <M> | --versions 1,2,3,4,5 | --steps <k>) [--model mlp|cnn|<spec json>] [--seeds 3] [--first-seed 1] [--split test|validation] [--metric accuracy|auc|logLoss|logLossSkill|macroF1] [--epochs 15] [--json-out <file>] [--svg <file>] [--quick] [--variants warm,combined] [--combined '<levers json>'] [--candidates '[<levers json>,...]'] [--peak-lr 1e-3]",
  options: {
    dataset: DATASET,
    old: { type: 'integer', value: '<N>', help: 'the version the old model trains on (pair mode)' },
    new: { type: 'integer', value: '<M>', help: 'the version the warm start and scratch train on (pair mode)' },
    versions: { type: 'string', value: '1,2,3', help: 'a chain of versions: warm start along it vs scratch at each' },
    steps: { type: 'integer', value: '<k>', help: 'the chain of versions 1..k' },
    model: { type: 'string', value: 'mlp|cnn|<spec json>', help: 'the model (default mlp, 784-256-10)' },
    seeds: { type: 'integer', value: 'N', help: 'seeds per variant (default 3)' },
    'first-seed': { type: 'integer', value: 'K', help: 'run seeds K..K+N-1 (default 1): adds seeds to an earlier run, whose seeds reproduce on the same machine' },
    split: { type: 'string', value: 'test|validation', help: 'the split the accuracy targets are measured on (default test)' },
    metric: { type: 'string', value: 'accuracy|auc|logLoss|logLossSkill|macroF1', help: 'the metric A* and the reached rule are on (default accuracy; log-loss: lower is better)' },
    epochs: { type: 'integer', value: 'N', help: "the scratch recipe's epochs (the product's scratchEpochs, default 15; 3 with --quick)" },
    quick: { type: 'boolean', help: 'a few hundred rows and steps: proves the pipeline, measures nothing' },
    variants: { type: 'string', value: 'warm,combined', help: 'run only these built-in variants (--candidates always run)' },
    combined: { type: 'string', value: '<levers json>', help: "lever settings merged over the product's planned levers for the pair (each step's in multi-step mode)" },
    candidates: { type: 'string', value: '[<levers json>,...]', help: 'extra variants candidate-1.., each merged over the combination' },
    'peak-lr': { type: 'string', value: '1e-3', help: 'the peak learning rate' },
    'json-out': { type: 'string', value: '<file>', help: 'write the result JSON (table rows, rule, machine) to this file' },
    svg: { type: 'string', value: '<file>', help: 'write the chart' },
    ...STORE,
    ...JSON_OUTPUT,
  },
  async run({ values, context, io, out }) {
    const model = modelOption(values.model ?? 'mlp');
    const split = values.split ?? 'test';
    if (split !== 'test' && split !== 'validation') throw new UsageError(`--split must be test or validation (got "${split}")`);
    const metric = values.metric ?? 'accuracy';
    if (!(TARGET_METRICS as readonly string[]).includes(metric)) throw new UsageError(`--metric must be one of ${TARGET_METRICS.join(', ')} (got "${metric}")`);
    const versions = versionChain(values.versions, values.steps);
    const pair = versions ? {} : { oldVersion: pairVersion(values.old, 'old'), newVersion: pairVersion(values.new, 'new') };
    const { store } = await context();
    const { text, record } = await benchCommand(store, {
      dataset: values.dataset,
      ...pair,
      versions,
      model,
      seeds: values.seeds ?? 3,
      firstSeed: values['first-seed'],
      split,
      metric: metric as TargetMetric,
      epochs: values.epochs,
      quick: values.quick ?? false,
      only: values.variants?.split(',').map((v) => v.trim()),
      combined: values.combined,
      candidates: values.candidates,
      peakLearningRate: values['peak-lr'] ? Number(values['peak-lr']) : undefined,
      json: values['json-out'],
      svg: values.svg,
      log: (line) => io.stderr.write(`${line}\n`),
    });
    out(values.json ? JSON.stringify(record) : text);
  },
});
