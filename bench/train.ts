/**
 * `npm run bench:train`: training throughput of the product's loop (trainLoop: own Adam, per-example
 * weights, seeded sampler) on MNIST digits at batch 64, for the small CNN, the MLP and a larger CNN
 * (32-64-128 filters), on every backend that loads (native TensorFlow when infra/tensorflow.sh has
 * built it, wasm, and cpu for the MLP), with achieved GFLOP/s from the per-layer estimate against this
 * CPU's nominal peak and the kernels launched per step; and PyTorch CPU (1 and 2 threads) on identical
 * architectures in the same run when python3 has torch. Prints a table, then one JSON line.
 *
 * Options: --seconds N (timed seconds per case, default 8), --repeat N (the case's seconds split into N
 * timed runs, the best kept: on a shared machine interference only ever slows a run; default 3), --cpu-cnn (also time the CNNs on the plain
 * JavaScript cpu backend: ~20 s per step), --profile (per-kernel time of a few small-CNN steps per backend).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import type { Examples } from '../src/data/examples.js';
import { loadMnistDigits, MNIST_CLASSES, MNIST_SHAPE } from '../src/data/mnist.js';
import { selectBackend } from '../src/training/backend.js';
import { registerWasmTrainingKernels } from '../src/training/wasm-kernels.js';
import { estimateFlops } from '../src/training/flops.js';
import { buildModel } from '../src/training/build-model.js';
import { DEFAULT_CNN_SPEC, DEFAULT_MODEL_SPEC, describeModelSpec, type ModelSpec } from '../src/training/spec.js';
import { trainLoop } from '../src/training/train-loop.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SECONDS = option('--seconds', 8);
const BATCH = 64;
const WARMUP = 3;
const REPEAT = Math.max(1, Math.round(option('--repeat', 3)));

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
  { name: 'cnn-l', spec: { kind: 'cnn', filters: [32, 64, 128], kernelSize: 3, dense: [128] } },
];

/**
 * Nominal FP32 peak of this CPU: cores x clock x 32 FLOP per cycle (two 256-bit FMA pipes, AVX2+FMA,
 * as on AMD Zen and Intel since Haswell; 16 without FMA). The clock is the one /proc/cpuinfo reports,
 * which under a hypervisor may be below what the core boosts to, so this is an estimate.
 */
function cpuPeak(): { gflops: number; note: string } {
  const info = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  const mhz = Number(/cpu MHz\s*:\s*([\d.]+)/.exec(info)?.[1] ?? cpus()[0]?.speed ?? 0);
  const fma = /\bfma\b/.test(info) && /\bavx2\b/.test(info);
  const perCycle = fma ? 32 : 16;
  const cores = cpus().length;
  return { gflops: (cores * mhz * perCycle) / 1000, note: `${cores} cores x ${(mhz / 1000).toFixed(2)} GHz x ${perCycle} FLOP/cycle (${fma ? 'AVX2+FMA' : 'no FMA'})` };
}

interface Row {
  side: string;
  model: string;
  samplesPerSecond: number;
  gflops: number;
  steps: number;
  seconds: number;
  /** Kernels the backend ran per training step (tfjs only). */
  kernelsPerStep?: number;
}

async function timeTfjs(backend: string, spec: ModelSpec, data: Examples, seconds: number): Promise<Omit<Row, 'side' | 'model'>> {
  await tf.setBackend(backend);
  const model = buildModel(spec, MNIST_SHAPE, MNIST_CLASSES.length, 1);
  const perExample = estimateFlops(model).trainPerExample;
  const base = { batchSize: BATCH, seed: 1, learningRateAt: () => 1e-3 };
  await trainLoop(model, data, { ...base, steps: WARMUP });
  // Time whole steps for `seconds` in REPEAT runs, keeping the fastest: two probe steps size them.
  const probe = await trainLoop(model, data, { ...base, steps: 2 });
  const steps = Math.max(2, Math.round(seconds / REPEAT / Math.max(probe.wallSeconds / 2, 1e-3)));
  let stats = await trainLoop(model, data, { ...base, steps });
  for (let r = 1; r < REPEAT; r++) {
    const again = await trainLoop(model, data, { ...base, steps });
    if (again.wallSeconds < stats.wallSeconds) stats = again;
  }
  const counted = await tf.profile(async () => {
    await trainLoop(model, data, { ...base, steps: 2 });
  });
  model.dispose();
  const samplesPerSecond = stats.examples / stats.wallSeconds;
  return { samplesPerSecond, gflops: (samplesPerSecond * perExample) / 1e9, steps, seconds: stats.wallSeconds, kernelsPerStep: counted.kernels.length / 2 };
}

async function profileCnn(backend: string, data: Examples): Promise<{ kernel: string; ms: number; calls: number }[]> {
  await tf.setBackend(backend);
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
    repeat: REPEAT,
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
  // Every backend that loads is timed, whichever was selected.
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
  const peak = cpuPeak();
  const data = mnist();
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`bench:train  batch ${BATCH}, ${data.count} MNIST digits, ~${SECONDS}s per case (best of ${REPEAT} runs), load average ${load}`);
  for (const m of models) console.log(`  ${m.name}: ${describeModelSpec(m.spec)}, ${(estimateFlops(buildModel(m.spec, MNIST_SHAPE, 10, 1)).trainPerExample / 1e6).toFixed(2)} MFLOP per training example`);
  console.log(`  selected backend: ${selected.name} (${selected.device}); skipped: ${selected.skipped.join('; ') || 'none'}`);
  console.log(`  CPU peak ~${peak.gflops.toFixed(0)} GFLOP/s: ${peak.note}`);

  const rows: Row[] = [];
  const backends = (['tensorflow', 'wasm', 'cpu'] as const).filter((b) => tf.findBackendFactory(b));
  for (const backend of backends) {
    for (const m of models) {
      if (backend === 'cpu' && m.spec.kind === 'cnn' && !flag('--cpu-cnn')) continue;
      rows.push({ side: `tfjs-${backend}`, model: m.name, ...(await timeTfjs(backend, m.spec, data, backend === 'cpu' ? Math.min(SECONDS, 3) : SECONDS)) });
    }
  }
  await tf.setBackend(selected.name);
  const torch = torchSide();
  rows.push(...torch.rows);

  console.log(`\n${'side'.padEnd(18)}${'model'.padEnd(7)}${'samples/s'.padStart(11)}${'GFLOP/s'.padStart(9)}${'% peak'.padStart(8)}${'steps'.padStart(7)}${'kernels'.padStart(9)}${'vs torch 1t'.padStart(13)}${'vs torch 2t'.padStart(13)}`);
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
    const kernels = row.kernelsPerStep === undefined ? '-' : row.kernelsPerStep.toFixed(0);
    const share = `${((100 * row.gflops) / peak.gflops).toFixed(1)}%`;
    console.log(`${row.side.padEnd(18)}${row.model.padEnd(7)}${row.samplesPerSecond.toFixed(0).padStart(11)}${row.gflops.toFixed(2).padStart(9)}${share.padStart(8)}${String(row.steps).padStart(7)}${kernels.padStart(9)}${fmt(r1)}${fmt(r2)}`);
  }
  console.log(`\n${torch.note}`);
  if (!flag('--cpu-cnn')) console.log('tfjs-cpu CNNs skipped (about 20 s per step; --cpu-cnn times them)');
  const profiles: Record<string, { kernel: string; ms: number; calls: number }[]> = {};
  for (const backend of flag('--profile') ? backends.filter((b) => b !== 'cpu') : []) {
    const profile = (profiles[backend] = await profileCnn(backend, data));
    const total = profile.reduce((n, p) => n + p.ms, 0);
    console.log(`\n${backend} CNN step profile (ms per step by kernel, ${total.toFixed(1)} ms total, ${profile.reduce((n, p) => n + p.calls, 0).toFixed(0)} kernel calls):`);
    for (const p of profile.slice(0, 14)) console.log(`  ${p.kernel.padEnd(24)}${p.ms.toFixed(2).padStart(8)} ms ${p.calls.toFixed(0).padStart(5)} calls`);
  }
  await tf.setBackend(selected.name);
  console.log(JSON.stringify({ benchmark: 'train', batch: BATCH, repeat: REPEAT, loadAverage: loadavg(), selected: selected.name, device: selected.device, peakGflops: peak.gflops, peakNote: peak.note, rows, ratioToTorch2Threads: ratios, torch: torch.note, ...(flag('--profile') ? { profiles } : {}) }));
}

await main();
