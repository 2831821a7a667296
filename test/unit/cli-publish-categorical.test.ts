import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeParquet } from '../../src/data/parquet-write.js';
import { MAX_VOCABULARY } from '../../src/data/vocabulary.js';
import { runInProcess } from '../helpers/cli.js';
import { FEATURES, tabularRows, writeTabularFile } from '../helpers/tabular-data.js';

const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-cli-categorical-'));

/** A fresh file:// store and the CLI run against it. */
function fresh() {
  const root = mkdtempSync(path.join(tmpdir(), 'warmstart-cli-categorical-store-'));
  const publish = (file: string, ...extra: string[]) => runInProcess(['publish', file, '--dataset', 'flights', '--label', 'status', '--features', FEATURES.join(','), '--id-column', 'id', ...extra], { WARMSTART_STORE: `file://${root}` });
  const written = () => readdirSync(root, { recursive: true }).filter((name) => String(name).endsWith('.json') || String(name).endsWith('.parquet'));
  return { publish, written };
}

/** Exit 2, one line on stderr naming the problem, no stack trace. */
function expectRefusal(result: { code: number | null; stderr: string; stdout: string }, pattern: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stderr.split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(/^warmstart: error \[DATASET_INVALID\]: /);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('warmstart publish with categorical columns', () => {
  it('publishes string columns and --categorical integers, and a v2 whose vocabulary grows', async () => {
    const { publish } = fresh();
    const v1 = await publish(writeTabularFile(dir, 'ok1.parquet', { seed: 1, rows: 200, firstId: 0 }), '--categorical', 'hour', '--json');
    expect(v1.code).toBe(0);
    expect(JSON.parse(v1.stdout)).toMatchObject({ version: 1, classes: ['delayed', 'on-time'] });
    const v2 = await publish(writeTabularFile(dir, 'ok2.parquet', { seed: 2, rows: 100, firstId: 200, origins: ['NEW'] }), '--categorical', 'hour');
    expect(v2.code).toBe(0);
  });

  it('refuses, exit 2 and nothing written: a vocabulary over the limit, a timestamp, a numeric column turned string', async () => {
    const wide = path.join(dir, 'wide.parquet');
    const n = MAX_VOCABULARY + 1;
    const rows = tabularRows({ seed: 3, rows: n, firstId: 0 });
    const columns = (distance: 'number' | 'string', origin = (i: number) => rows[i]!.origin) => [
      { name: 'id', data: BigInt64Array.from(rows, (r) => BigInt(r.id)), type: 'INT64' as const, nullable: false },
      { name: 'origin', data: rows.map((_, i) => origin(i)), type: 'STRING' as const, nullable: false },
      { name: 'carrier', data: rows.map((r) => r.carrier), type: 'STRING' as const, nullable: true },
      { name: 'hour', data: Int32Array.from(rows, (r) => r.hour), type: 'INT32' as const, nullable: false },
      distance === 'number'
        ? { name: 'distance', data: Float64Array.from(rows, (r) => r.distance), type: 'DOUBLE' as const, nullable: false }
        : { name: 'distance', data: rows.map((r) => String(r.distance)), type: 'STRING' as const, nullable: false },
      { name: 'status', data: rows.map((r) => r.status), type: 'STRING' as const, nullable: false },
    ];
    writeFileSync(wide, writeParquet(columns('number', (i) => `airport-${i}`)));
    const a = fresh();
    expectRefusal(await a.publish(wide), /column origin: more than 4096 distinct values.*bucket it/);
    expect(a.written()).toEqual([]);

    const stamped = path.join(dir, 'stamped.parquet');
    writeFileSync(stamped, writeParquet([...columns('number').filter((c) => c.name !== 'hour'), { name: 'hour', data: rows.map((_, i) => new Date(Date.UTC(2026, 0, 1, i % 24))), type: 'TIMESTAMP', nullable: false }]));
    const b = fresh();
    expectRefusal(await b.publish(stamped), /column hour: is .*TIMESTAMP.*a timestamp.*derive columns from it/);
    expect(b.written()).toEqual([]);

    const c = fresh();
    expect((await c.publish(writeTabularFile(dir, 'c1.parquet', { seed: 4, rows: 200, firstId: 0 }))).code).toBe(0);
    const before = c.written();
    const turned = path.join(dir, 'turned.parquet');
    writeFileSync(turned, writeParquet(columns('string')));
    expectRefusal(await c.publish(turned), /column distance: is BYTE_ARRAY\/\w+, expected a numeric column, as in the first version/);
    expect(c.written()).toEqual(before);
  });

  it('handles nulls in a categorical column as the out-of-vocabulary value instead of refusing them', async () => {
    const { publish } = fresh();
    const result = await publish(writeTabularFile(dir, 'nulls.parquet', { seed: 5, rows: 200, firstId: 0, nullCarrierEvery: 3 }));
    expect(result.code).toBe(0);
  });
});
