import { Binary, Float64, Int32, Table, Utf8, tableToIPC, vectorFromArray, type DataType } from 'apache-arrow';
import { writeParquet, type WriteColumn } from '../../src/data/parquet-write.js';
import type { Fuzz } from './fuzz-random.js';

/** One column of a generated table; null is a missing value. */
export interface FuzzColumn {
  name: string;
  kind: 'int' | 'float' | 'string' | 'binary';
  values: (number | string | Uint8Array | null)[];
}

/** A generated input table and the publish flags that describe it. */
export interface FuzzTable {
  columns: FuzzColumn[];
  label: string;
  features: string[];
  shape?: string;
  id?: string;
  weight?: string;
  split?: string;
}

/** A label that is replaced by invalid UTF-8 bytes in the encoded file (same length, so offsets hold). */
const BAD_UTF8_MARKER = 'zqzq';
const BAD_UTF8_BYTES = [0xc3, 0x28, 0xff, 0xfe];

const ROWS = [0, 1, 2, 3, 7, 20, 40, 60];
const CLASSES = ['cat', 'dog', 'bird', 'fish'];

/** A table that mostly publishes, then 0-3 of the mutations a hostile or careless user makes. */
export function fuzzTable(f: Fuzz, applied: string[]): FuzzTable {
  const rows = f.pick(ROWS);
  const classes = f.int(1, 4);
  const image = f.chance(0.3);
  const width = f.pick([1, 2, 3, 4, 16]);
  const stringLabels = f.chance(0.4);
  const columns: FuzzColumn[] = [];
  const features: string[] = [];
  if (image) {
    columns.push({ name: 'image', kind: 'binary', values: Array.from({ length: rows }, () => Uint8Array.from({ length: width }, () => f.int(0, 255))) });
    features.push('image');
  } else {
    for (let c = 0; c < width; c++) {
      columns.push({ name: `f${c}`, kind: 'float', values: Array.from({ length: rows }, () => Math.round(f.random.next() * 1000) / 10) });
      features.push(`f${c}`);
    }
  }
  columns.push({ name: 'label', kind: stringLabels ? 'string' : 'int', values: Array.from({ length: rows }, (_, i) => (stringLabels ? CLASSES[i % classes]! : i % classes)) });
  const table: FuzzTable = { columns, label: 'label', features };
  if (f.chance(0.4)) {
    columns.push({ name: 'id', kind: 'int', values: Array.from({ length: rows }, (_, i) => i * 3 + 1) });
    table.id = 'id';
  }
  if (f.chance(0.2)) {
    columns.push({ name: 'weight', kind: 'float', values: Array.from({ length: rows }, () => 0.5 + f.random.next()) });
    table.weight = 'weight';
  }
  if (f.chance(0.2)) {
    columns.push({ name: 'split', kind: 'string', values: Array.from({ length: rows }, (_, i) => ['train', 'train', 'validation', 'test'][i % 4]!) });
    table.split = 'split';
  }
  for (const mutation of f.some(Object.keys(TABLE_MUTATIONS), 3)) {
    if (TABLE_MUTATIONS[mutation]!(table, f)) applied.push(mutation);
  }
  return table;
}

const column = (table: FuzzTable, name: string | undefined) => table.columns.find((c) => c.name === name);
const setRow = (c: FuzzColumn | undefined, f: Fuzz, value: FuzzColumn['values'][number]) => {
  if (!c || c.values.length === 0) return false;
  c.values[f.int(0, c.values.length - 1)] = value;
  return true;
};

/** Each returns whether it applied to this table. */
const TABLE_MUTATIONS: Record<string, (table: FuzzTable, f: Fuzz) => boolean> = {
  'nan feature': (t, f) => column(t, t.features[0])!.kind === 'float' && setRow(column(t, t.features[0]), f, Number.NaN),
  'infinite feature': (t, f) => column(t, t.features[0])!.kind === 'float' && setRow(column(t, t.features[0]), f, f.pick([Infinity, -Infinity])),
  'huge feature': (t, f) => column(t, t.features[0])!.kind === 'float' && setRow(column(t, t.features[0]), f, f.pick([1e308, -1e308, Number.MIN_VALUE])),
  'null feature': (t, f) => setRow(column(t, t.features[0]), f, null),
  'null label': (t, f) => setRow(column(t, t.label), f, null),
  'label out of range': (t, f) => column(t, t.label)!.kind === 'int' && setRow(column(t, t.label), f, f.pick([-1, 9999, 10_000, 100_000, 2147483647, -2147483648])),
  'invalid UTF-8 label': (t, f) => column(t, t.label)!.kind === 'string' && setRow(column(t, t.label), f, BAD_UTF8_MARKER),
  'empty string label': (t, f) => column(t, t.label)!.kind === 'string' && setRow(column(t, t.label), f, ''),
  'one class': (t) => {
    const c = column(t, t.label)!;
    c.values = c.values.map(() => (c.kind === 'string' ? 'cat' : c.kind === 'float' ? 0.5 : 0));
    return true;
  },
  'duplicate ids': (t, f) => {
    const c = column(t, t.id);
    if (!c || c.values.length < 2) return false;
    c.values[f.int(1, c.values.length - 1)] = c.values[0]!;
    return true;
  },
  'negative id': (t, f) => setRow(column(t, t.id), f, -5),
  'bad weight': (t, f) => setRow(column(t, t.weight), f, f.pick([-1, Number.NaN, Infinity, 0])),
  'bad split value': (t, f) => setRow(column(t, t.split), f, f.pick(['TRAIN', 'holdout', '', 'tést'])),
  'only test split': (t) => {
    const c = column(t, t.split);
    if (!c) return false;
    c.values = c.values.map(() => 'test');
    return true;
  },
  'feature as strings': (t) => {
    const c = column(t, t.features[0])!;
    c.kind = 'string';
    c.values = c.values.map((v) => (v === null ? null : String(v instanceof Uint8Array ? v.length : v)));
    return true;
  },
  'label as floats': (t) => {
    const c = column(t, t.label)!;
    c.kind = 'float';
    c.values = c.values.map((_, i) => i + 0.5);
    return true;
  },
  'empty image': (t, f) => column(t, t.features[0])!.kind === 'binary' && setRow(column(t, t.features[0]), f, new Uint8Array(0)),
  'ragged images': (t, f) => column(t, t.features[0])!.kind === 'binary' && setRow(column(t, t.features[0]), f, new Uint8Array(f.int(1, 40))),
  'huge shape': (t, f) => {
    t.shape = f.pick(['100000,100000', '262145', '65536,4,2', '1e6', '9007199254740993']);
    return true;
  },
  'bad shape': (t, f) => {
    t.shape = f.pick(['0', '-1', 'abc', '', ',', '2,2', '3x', 'NaN', '1.5']);
    return true;
  },
  'column name with odd characters': (t) => {
    const c = column(t, t.features[0])!;
    c.name = 'f "0",\n';
    t.features[0] = c.name;
    return true;
  },
};

function arrowType(kind: FuzzColumn['kind']): DataType {
  if (kind === 'int') return new Int32();
  if (kind === 'float') return new Float64();
  if (kind === 'string') return new Utf8();
  return new Binary();
}

function parquetColumn(c: FuzzColumn): WriteColumn {
  const type = c.kind === 'int' ? 'INT32' : c.kind === 'float' ? 'DOUBLE' : c.kind === 'string' ? 'STRING' : 'BYTE_ARRAY';
  return { name: c.name, data: c.values, type, nullable: c.values.includes(null) };
}

function csvCell(value: FuzzColumn['values'][number]): string {
  if (value === null) return '';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  const text = typeof value === 'number' && !Number.isFinite(value) ? (Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf') : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Replaces every marker label by invalid UTF-8 bytes of the same length. */
function plantBadUtf8(bytes: Uint8Array): Uint8Array {
  const marker = Buffer.from(BAD_UTF8_MARKER);
  const out = Buffer.from(bytes);
  for (let at = out.indexOf(marker); at >= 0; at = out.indexOf(marker, at + 1)) out.set(BAD_UTF8_BYTES, at);
  return new Uint8Array(out);
}

export type InputFormat = 'parquet' | 'arrow' | 'csv';

/** The table's bytes in one of the three formats publish reads. */
export function encodeTable(table: FuzzTable, format: InputFormat, f: Fuzz): Uint8Array {
  let bytes: Uint8Array;
  if (format === 'parquet') {
    bytes = writeParquet(table.columns.map(parquetColumn), f.pick([2048, 7]));
  } else if (format === 'arrow') {
    const vectors = Object.fromEntries(table.columns.map((c) => [c.name, vectorFromArray(c.values, arrowType(c.kind))]));
    bytes = tableToIPC(new Table(vectors), f.pick(['file', 'stream'] as const));
  } else {
    const lines = [table.columns.map((c) => csvCell(c.name)).join(',')];
    const rows = table.columns[0]?.values.length ?? 0;
    for (let r = 0; r < rows; r++) lines.push(table.columns.map((c) => csvCell(c.values[r] ?? null)).join(','));
    bytes = new TextEncoder().encode(`${lines.join('\n')}\n`);
  }
  return plantBadUtf8(bytes);
}

/** Damage to the encoded file itself: what a bad disk, a cut download or a wrong file does. */
export const BYTE_MUTATIONS: Record<string, (bytes: Uint8Array, f: Fuzz) => Uint8Array> = {
  truncated: (b, f) => b.slice(0, f.int(0, Math.max(0, b.length - 1))),
  'bit flips': (b, f) => {
    const out = b.slice();
    for (let k = f.int(1, 8); k > 0 && out.length > 0; k--) out[f.int(0, out.length - 1)]! ^= 1 << f.int(0, 7);
    return out;
  },
  'zeroed tail': (b, f) => {
    const out = b.slice();
    out.fill(0, f.int(0, out.length));
    return out;
  },
  empty: () => new Uint8Array(0),
  garbage: (b, f) => Uint8Array.from({ length: f.int(1, 600) }, () => f.int(0, 255)),
};
