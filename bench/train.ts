/**
 * `npm run bench:train`: training throughput of the product's loop (trainLoop: own Adam, per-example
 * weights, seeded sampler) on MNIST digits at batch 64, for the small CNN and the MLP, per available
 * backend, with achieved GFLOP/s from the per-layer estimate; and PyTorch CPU on identical
 * architectures in the same run when python3 has torch. Prints a table, then one JSON line.
 *
 * Options: --seconds N (timed seconds per case, default 8), --cpu-cnn (also time the CNN on the plain
 * JavaScript cpu backend: ~20 s per step), --profile (per-kernel time of a few CNN steps on wasm).
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { Examples } from '../src/data/examples.js';
import { loadMnistDigits, MNIST_CLASSES, MNIST_SHAPE } from '../src/data/mnist.js';
import { selectBackend } from '../src/training/backend.js';
import { estimateFlops } from '../src/training/flops.js';
import { buildModel } from '../src/training/model-spec.js';
import { DEFAULT_CNN_SPEC, DEFAULT_MODEL_SPEC, describeModelSpec, type ModelSpec } from '../src/training/spec.js';
import { trainLoop } from '../src/training/trainer.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SECONDS = option('--seconds', 8);
const BATCH = 64;
const WARMUP = 3;

function mnist(): Examples {
  const rows = loadMnistDigits();
  const size = 784;
  const x = new Float32Array(rows.length * size);
  rows.forEach((row, i) => {
    for (let j = 0; j < size; j++) x[i * size + j] = row.features[j]! / 255;
  });
  return { count: rows.length, featureSize: size, x, y: Int32Array.from(rows, (r) => r.label), isNew: new Uint8Array(rows.length), ids: rows.map((r) => r.id) };
}

const models: { name: string; spec: ModelSpec }[] = [
  { name: 'cnn', spec: DEFAULT_CNN_SPEC },
  { name: 'mlp', spec: DEFAULT_MODEL_SPEC },
];

interface Row {
  side: string;
  model: string;
  samplesPerSecond: number;
  gflops: number;
  steps: number;
  seconds: number;
}

async function timeTfjs(backend: string, spec: ModelSpec, data: Examples, seconds: number): Promise<Omit<Row, 'side' | 'model'>> {
  await tf.setBackend(backend);
  const model = buildModel(spec, MNIST_SHAPE, MNIST_CLASSES.length, 1);
  const perExample = estimateFlops(model).trainPerExample;
  const base = { batchSize: BATCH, seed: 1, learningRateAt: () => 1e-3 };
  await trainLoop(model, data, { ...base, steps: WARMUP });
  // Time whole steps until `seconds` have passed: one probe step sizes the run.
  const probe = await trainLoop(model, data, { ...base, steps: 1 });
  const steps = Math.max(2, Math.round(seconds / Math.max(probe.wallSeconds, 1e-3)));
  const stats = await trainLoop(model, data, { ...base, steps });
  model.dispose();
  const samplesPerSecond = stats.examples / stats.wallSeconds;
  return { samplesPerSecond, gflops: (samplesPerSecond * perExample) / 1e9, steps, seconds: stats.wallSeconds };
}

async function profileCnn(data: Examples): Promise<{ kernel: string; ms: number; calls: number }[]> {
  await tf.setBackend('wasm');
  const model = buildModel(DEFAULT_CNN_SPEC, MNIST_SHAPE, MNIST_CLASSES.length, 1);
  await trainLoop(model, data, { batchSize: BATCH, seed: 1, learningRateAt: () => 1e-3, steps: 2 });
  const totals = new Map<string, { ms: number; calls: number }>();
  const steps = 5;
  const info = await tf.profile(async () => {
    await trainLoop(model, data, { batchSize: BATCH, seed: 1, learningRateAt: () => 1e-3, steps });
  });
  for (const k of info.kernels) {
    const entry = totals.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0) / steps;
    entry.calls += 1 / steps;
    totals.set(k.name, entry);
  }
  model.dispose();
  return [...totals.entries()].map(([kernel, v]) => ({ kernel, ...v })).sort((a, b) => b.ms - a.ms);
}

function torchSide(): { rows: Row[]; note: string } {
  const python = process.env.WARMSTART_PYTHON ?? (spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0 ? '/usr/bin/python3' : 'python3');
  const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) return { rows: [], note: 'torch not present (python3 -c "import torch" failed): PyTorch comparison skipped' };
  const request = {
    batch: BATCH,
    warmup: WARMUP,
    seconds: SECONDS,
    threads: [1, 2],
    jobs: models.map((m) => ({ name: m.name, spec: m.spec, shape: MNIST_SHAPE, classes: MNIST_CLASSES.length })),
  };
  const run = spawnSync(python, ['bench/train_torch.py'], { input: JSON.stringify(request), encoding: 'utf8' });
  if (run.status !== 0) return { rows: [], note: `torch benchmark failed: ${run.stderr.split('\n').filter(Boolean).at(-1)}` };
  const rows: Row[] = [];
  for (const line of run.stdout.trim().split('\n')) {
    const r = JSON.parse(line) as { name: string; threads: number; samplesPerSecond: number; steps: number; seconds: number };
    const spec = models.find((m) => m.name === r.name)!.spec;
    const perExample = estimateFlops(buildModel(spec, MNIST_SHAPE, MNIST_CLASSES.length, 1)).trainPerExample;
    rows.push({ side: `pytorch-cpu-${r.threads}t`, model: r.name, samplesPerSecond: r.samplesPerSecond, gflops: (r.samplesPerSecond * perExample) / 1e9, steps: r.steps, seconds: r.seconds });
  }
  return { rows, note: `torch ${probe.stdout.trim()} (${python})` };
}

async function main() {
  const selected = await selectBackend();
  const data = mnist();
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`bench:train  batch ${BATCH}, ${data.count} MNIST digits, ~${SECONDS}s per case, load average ${load}`);
  for (const m of models) console.log(`  ${m.name}: ${describeModelSpec(m.spec)}, ${(estimateFlops(buildModel(m.spec, MNIST_SHAPE, 10, 1)).trainPerExample / 1e6).toFixed(2)} MFLOP per training example`);
  console.log(`  selected backend: ${selected.name} (${selected.device}); skipped: ${selected.skipped.join('; ') || 'none'}`);

  const rows: Row[] = [];
  const backends = (['tensorflow', 'wasm', 'cpu'] as const).filter((b) => tf.findBackendFactory(b));
  for (const backend of backends) {
    for (const m of models) {
      if (backend === 'cpu' && m.name === 'cnn' && !flag('--cpu-cnn')) continue;
      rows.push({ side: `tfjs-${backend}`, model: m.name, ...(await timeTfjs(backend, m.spec, data, backend === 'cpu' ? Math.min(SECONDS, 3) : SECONDS)) });
    }
  }
  await tf.setBackend(selected.name);
  const torch = torchSide();
  rows.push(...torch.rows);

  console.log(`\n${'side'.padEnd(18)}${'model'.padEnd(7)}${'samples/s'.padStart(11)}${'GFLOP/s'.padStart(9)}${'steps'.padStart(7)}${'vs torch 1t'.padStart(13)}${'vs torch 2t'.padStart(13)}`);
  const ratios: Record<string, Record<string, number>> = {};
  for (const row of rows) {
    const ratio = (threads: number) => {
      const ref = torch.rows.find((t) => t.model === row.model && t.side === `pytorch-cpu-${threads}t`);
      return ref ? row.samplesPerSecond / ref.samplesPerSecond : null;
    };
    const r1 = ratio(1);
    const r2 = ratio(2);
    if (row.side.startsWith('tfjs') && r2 !== null) (ratios[row.side] ??= {})[row.model] = r2;
    const fmt = (r: number | null) => (r === null ? '-' : `${r.toFixed(2)}x`).padStart(13);
    console.log(`${row.side.padEnd(18)}${row.model.padEnd(7)}${row.samplesPerSecond.toFixed(0).padStart(11)}${row.gflops.toFixed(2).padStart(9)}${String(row.steps).padStart(7)}${fmt(r1)}${fmt(r2)}`);
  }
  console.log(`\n${torch.note}`);
  if (!flag('--cpu-cnn')) console.log('tfjs-cpu cnn skipped (about 20 s per step; --cpu-cnn times it)');
  let profile: { kernel: string; ms: number; calls: number }[] | undefined;
  if (flag('--profile') && backends.includes('wasm')) {
    profile = await profileCnn(data);
    const total = profile.reduce((n, p) => n + p.ms, 0);
    console.log(`\nwasm CNN step profile (ms per step by kernel, ${total.toFixed(1)} ms total, ${profile.reduce((n, p) => n + p.calls, 0).toFixed(0)} kernel calls):`);
    for (const p of profile.slice(0, 14)) console.log(`  ${p.kernel.padEnd(24)}${p.ms.toFixed(2).padStart(8)} ms ${p.calls.toFixed(0).padStart(5)} calls`);
  }
  console.log(JSON.stringify({ benchmark: 'train', batch: BATCH, loadAverage: loadavg(), selected: selected.name, rows, ratioToTorch2Threads: ratios, torch: torch.note, ...(profile ? { profile } : {}) }));
}

await main();
