/**
 * Writes the tabular benchmark's versions as Parquet files (the same generator as the tests):
 *   npx tsx test/helpers/write-tabular-versions.ts <dir>
 * then publish each in order with
 *   warmstart publish <dir>/vN.parquet --dataset flights --label status --features origin,carrier,hour,distance --categorical hour --id-column id
 */
import { mkdirSync } from 'node:fs';
import { NEW_ORIGINS, ORIGINS, writeTabularFile } from './tabular-data.js';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: write-tabular-versions.ts <dir>\n');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
// v1: the first ten airports; v2 and v3 bring four new ones (strong effects), mixed with the old.
writeTabularFile(dir, 'v1.parquet', { seed: 21, rows: 6000, firstId: 0, nullCarrierEvery: 25 });
writeTabularFile(dir, 'v2.parquet', { seed: 22, rows: 2000, firstId: 6000, origins: [...ORIGINS, ...NEW_ORIGINS, ...NEW_ORIGINS] });
writeTabularFile(dir, 'v3.parquet', { seed: 23, rows: 2000, firstId: 8000, origins: [...ORIGINS, ...NEW_ORIGINS] });
process.stdout.write(`wrote ${dir}/v1.parquet, v2.parquet, v3.parquet\n`);
