/**
 * The publish-one-file step of `npm run bench:scale-data`: input files written without holding them
 * (CSV, and Parquet in row groups of 8192), and, run as a script, one `publishFiles` of one file to the
 * local S3 server in this process, printing its peak RSS as one JSON line. A separate script so that the
 * child loads only publish's own modules (no tfjs): its RSS is publish's.
 *   tsx bench/publish-file.ts <prefix> <dataset> <file> <maxShardBytes>
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { fileWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { publishFiles } from '../src/data/publish-files.js';
import type { WriteColumn } from '../src/data/parquet-write.js';
import { testS3 } from '../test/helpers/services.js';

export const FEATURES = Array.from({ length: 16 }, (_, j) => `f${j}`);
const GROUP = 8192;

export interface PublishFileMeasure {
  seconds: number;
  peakRssMB: number;
  rows: number;
  shards: number;
  inputMB: number;
}

/** Row r: a label (r mod 10) and 16 features a noisy function of it, 4 decimals (like a real export). */
function row(r: number): { label: number; x: number[] } {
  const label = r % 10;
  let state = Math.imul(r + 1, 2654435761) >>> 0;
  const x = FEATURES.map((_, j) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return Math.round(((j % 10 === label ? 1 : 0) + state / 2 ** 32) * 1e4) / 1e4;
  });
  return { label, x };
}

export async function writeCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  if (!out.write(`${[...FEATURES, 'label'].join(',')}\n`)) await once(out, 'drain');
  for (let start = 0; start < rows; start += GROUP) {
    const lines: string[] = [];
    for (let r = start; r < Math.min(rows, start + GROUP); r++) {
      const { label, x } = row(r);
      lines.push(`${x.join(',')},${label}`);
    }
    if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export async function writeParquetInput(file: string, rows: number): Promise<void> {
  let writer: ParquetWriter | undefined;
  for (let start = 0; start < rows; start += GROUP) {
    const n = Math.min(GROUP, rows - start);
    const features = FEATURES.map(() => new Float64Array(n));
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const { label, x } = row(start + i);
      labels[i] = label;
      for (let j = 0; j < x.length; j++) features[j]![i] = x[j]!;
    }
    const columns: WriteColumn[] = [...FEATURES.map((name, j): WriteColumn => ({ name, data: features[j]!, type: 'DOUBLE', nullable: false })), { name: 'label', data: labels, type: 'INT32', nullable: false }];
    writer ??= new ParquetWriter({ writer: fileWriter(file), schema: schemaFromColumnData({ columnData: columns }), createdBy: 'warmstart-bench' });
    await writer.write({ columnData: columns.map(({ name, data }) => ({ name, data })), rowGroupSize: n });
  }
  await writer!.finish();
}

async function child(prefix: string, dataset: string, file: string, maxShardBytes: number): Promise<PublishFileMeasure> {
  const { store } = testS3(prefix);
  const started = performance.now();
  const result = await publishFiles(store, { dataset, files: [file], label: 'label', features: FEATURES, maxShardBytes });
  const seconds = (performance.now() - started) / 1000;
  store.destroy();
  const { size } = await import('node:fs').then((fs) => fs.promises.stat(file));
  return { seconds, peakRssMB: process.resourceUsage().maxRSS / 1024, rows: result.rows, shards: result.newShards, inputMB: size / 1e6 };
}

if (process.argv[1]?.endsWith('publish-file.ts')) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [prefix, dataset, file, limit] = process.argv.slice(2);
  console.log(JSON.stringify(await child(prefix!, dataset!, file!, Number(limit))));
}
