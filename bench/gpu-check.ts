/**
 * What bench/gpu-check.sh prints: the backend and device training runs on, samples/s of the product's
 * loop at batch 64 and 256 for the small and the larger CNN, and the held-out accuracy of a short
 * training run (small CNN on 8,000 MNIST digits; every fifth digit held out for testing, since the
 * package lists them by class). A table, then one JSON line.
 */
import { selectBackend } from '../src/training/backend.js';
import type { Examples } from '../src/data/examples.js';
import { selectExamples } from '../src/data/examples.js';
import { loadMnistDigits, MNIST_CLASSES, MNIST_SHAPE } from '../src/data/mnist.js';
import { evaluateAccuracy } from '../src/evaluation/evaluate.js';
import { estimateFlops } from '../src/training/flops.js';
import { buildModel } from '../src/training/build-model.js';
import { DEFAULT_CNN_SPEC, type ModelSpec } from '../src/training/spec.js';
import { learningRateAt } from '../src/training/schedule.js';
import { trainLoop } from '../src/training/train-loop.js';

const LARGE_CNN: ModelSpec = { kind: 'cnn', filters: [32, 64, 128], kernelSize: 3, dense: [128] };
const ACCURACY_STEPS = 400;

function digits(): Examples {
  const rows = loadMnistDigits();
  const x = new Float32Array(rows.length * 784);
  rows.forEach((row, i) => row.features.forEach((v, j) => (x[i * 784 + j] = v / 255)));
  return { count: rows.length, featureSize: 784, x, y: Int32Array.from(rows, (r) => r.label), isNew: new Uint8Array(rows.length), ids: rows.map((r) => r.id) };
}

async function throughput(spec: ModelSpec, data: Examples, batchSize: number): Promise<{ samplesPerSecond: number; gflops: number }> {
  const model = buildModel(spec, MNIST_SHAPE, MNIST_CLASSES.length, 1);
  const base = { batchSize, seed: 1, learningRateAt: () => 1e-3 };
  await trainLoop(model, data, { ...base, steps: 5 });
  const stats = await trainLoop(model, data, { ...base, steps: 40 });
  const samplesPerSecond = stats.examples / stats.wallSeconds;
  const gflops = (samplesPerSecond * estimateFlops(model).trainPerExample) / 1e9;
  model.dispose();
  return { samplesPerSecond, gflops };
}

const backend = await selectBackend();
const all = digits();
const rowsWhere = (keep: (i: number) => boolean) => Array.from({ length: all.count }, (_, i) => i).filter(keep);
const train = selectExamples(all, rowsWhere((i) => i % 5 !== 0));
const test = selectExamples(all, rowsWhere((i) => i % 5 === 0));
console.log(`gpu-check  backend ${backend.name} (${backend.package}), device ${backend.device}`);
if (backend.skipped.length) console.log(`  skipped: ${backend.skipped.join('; ')}`);

const rows: { model: string; batch: number; samplesPerSecond: number; gflops: number }[] = [];
for (const [model, spec] of [['cnn', DEFAULT_CNN_SPEC], ['cnn-l', LARGE_CNN]] as const) {
  for (const batch of [64, 256]) rows.push({ model, batch, ...(await throughput(spec, train, batch)) });
}
console.log(`\n${'model'.padEnd(8)}${'batch'.padStart(6)}${'samples/s'.padStart(11)}${'GFLOP/s'.padStart(9)}`);
for (const r of rows) console.log(`${r.model.padEnd(8)}${String(r.batch).padStart(6)}${r.samplesPerSecond.toFixed(0).padStart(11)}${r.gflops.toFixed(1).padStart(9)}`);

const model = buildModel(DEFAULT_CNN_SPEC, MNIST_SHAPE, MNIST_CLASSES.length, 1);
const schedule = { peak: 3e-3, totalSteps: ACCURACY_STEPS, warmupSteps: 20 };
const run = await trainLoop(model, train, { steps: ACCURACY_STEPS, batchSize: 64, seed: 1, learningRateAt: (step) => learningRateAt(step, schedule) });
const accuracy = evaluateAccuracy(model, test).accuracy;
console.log(`\nshort run: small CNN, ${ACCURACY_STEPS} steps at batch 64 in ${run.wallSeconds.toFixed(1)} s, held-out accuracy ${(100 * accuracy).toFixed(2)}% on ${test.count} digits`);
console.log(JSON.stringify({ benchmark: 'gpu-check', backend: backend.name, package: backend.package, device: backend.device, rows, accuracy, accuracySteps: ACCURACY_STEPS, trainSeconds: run.wallSeconds }));
