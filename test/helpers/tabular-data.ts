/**
 * A seeded tabular dataset with a known signal, in the shape of a flight-delay table: string columns
 * `origin` and `carrier`, an integer code `hour` (categorical with --categorical hour), a numeric
 * `distance`, and a string label `status` (`delayed` about 20%, `on-time` about 80%). Each value's
 * effect on the log-odds is a fixed function of the value, so a value brought by a later version
 * (a new airport) has the same strong effect in every file it appears in.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeParquet } from '../../src/data/parquet-write.js';
import { SeededRandom } from '../../src/random.js';

export const ORIGINS = ['ATL', 'BOS', 'DEN', 'DFW', 'JFK', 'LAX', 'ORD', 'SEA', 'SFO', 'MIA'];
export const CARRIERS = ['AA', 'DL', 'UA', 'WN', 'B6'];
/** Airports that only later versions bring: very likely delayed (the first two) or very likely on time. */
export const NEW_ORIGINS = ['XNA', 'YUM', 'ZZV', 'ZZW'];
export const FEATURES = ['origin', 'carrier', 'hour', 'distance'];

export interface TabularOptions {
  seed: number;
  rows: number;
  /** First id (ids are unique across versions). */
  firstId: number;
  origins?: readonly string[];
  /** Every n-th row's carrier is null (0: none). */
  nullCarrierEvery?: number;
  /** false: labels drawn at the base rate whatever the features (a table with nothing to learn). */
  signal?: boolean;
}

export interface TabularRow {
  id: number;
  origin: string;
  carrier: string | null;
  hour: number;
  distance: number;
  status: 'delayed' | 'on-time';
}

const ORIGIN_EFFECT: Record<string, number> = { ATL: 0.8, BOS: -0.6, DEN: 0.2, DFW: 0.5, JFK: 1.2, LAX: -0.3, ORD: 1.0, SEA: -1.0, SFO: 0.4, MIA: -0.8, XNA: 4, YUM: 4, ZZV: -4, ZZW: -4 };
const CARRIER_EFFECT: Record<string, number> = { AA: 0.3, DL: -0.7, UA: 0.4, WN: 0.1, B6: 0.8 };

/** The log-odds of a delay; the intercept puts about 20% of rows in `delayed` for the first origins. */
export function delayLogit(row: Omit<TabularRow, 'status' | 'id'>): number {
  const evening = row.hour >= 17 ? 1.2 : row.hour < 8 ? -0.8 : 0;
  return -2.1 + (ORIGIN_EFFECT[row.origin] ?? 0) + (row.carrier ? CARRIER_EFFECT[row.carrier]! : 0) + evening + 0.6 * ((row.distance - 1200) / 600);
}

export function tabularRows(options: TabularOptions): TabularRow[] {
  const random = new SeededRandom(options.seed);
  const origins = options.origins ?? ORIGINS;
  const pick = <T>(list: readonly T[]) => list[Math.floor(random.next() * list.length)]!;
  return Array.from({ length: options.rows }, (_, i) => {
    const carrier = options.nullCarrierEvery && i % options.nullCarrierEvery === 0 ? null : pick(CARRIERS);
    const features = { origin: pick(origins), carrier, hour: Math.floor(random.next() * 24), distance: Math.round(200 + random.next() * 2000) };
    const p = options.signal === false ? 0.2 : 1 / (1 + Math.exp(-delayLogit(features)));
    return { id: options.firstId + i, ...features, status: random.next() < p ? 'delayed' : 'on-time' };
  });
}

/** The rows as a Parquet file (strings as STRING, hour INT32, distance DOUBLE, id INT64). */
export function tabularParquet(rows: readonly TabularRow[]): Uint8Array {
  return writeParquet(
    [
      { name: 'id', data: BigInt64Array.from(rows, (r) => BigInt(r.id)), type: 'INT64', nullable: false },
      { name: 'origin', data: rows.map((r) => r.origin), type: 'STRING', nullable: false },
      { name: 'carrier', data: rows.map((r) => r.carrier), type: 'STRING', nullable: true },
      { name: 'hour', data: Int32Array.from(rows, (r) => r.hour), type: 'INT32', nullable: false },
      { name: 'distance', data: Float64Array.from(rows, (r) => r.distance), type: 'DOUBLE', nullable: false },
      { name: 'status', data: rows.map((r) => r.status), type: 'STRING', nullable: false },
    ],
    4096,
  );
}

/** Writes one version's file; returns its path. */
export function writeTabularFile(dir: string, name: string, options: TabularOptions): string {
  const file = path.join(dir, name);
  writeFileSync(file, tabularParquet(tabularRows(options)));
  return file;
}

/** The publish request fields for this table. */
export const TABULAR_PUBLISH = { label: 'status', features: FEATURES, categorical: ['hour'], idColumn: 'id' };
