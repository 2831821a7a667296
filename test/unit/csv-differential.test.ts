// The fast CSV path against csv-parse, the parser publish has always used: on nasty files it must
// write the column values the old conversion wrote, and on any text the scanner either reports
// csv-parse's records or defers to csv-parse; it never answers differently.
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseSync } from 'csv-parse/sync';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { CSV_PARSE_OPTIONS } from '../../src/data/csv-read.js';
import { CsvScanner, CsvUnsupported } from '../../src/data/csv-scan.js';
import { csvToParquet, csvToShards, type CsvColumns } from '../../src/data/csv.js';

const dir = mkdtempSync(path.join(tmpdir(), 'warmstart-csv-diff-'));

/** The old conversion's values, column by column: csv-parse over the whole text, then its typing rules. */
function reference(text: string, columns: CsvColumns): Record<string, unknown[]> {
  const records = parseSync(text, CSV_PARSE_OPTIONS) as Record<string, string>[];
  const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?inf(inity)?$|^nan$/i;
  const value = (r: Record<string, string>, c: string) => r[c] ?? '';
  const number = (v: string) => (/^[+-]?inf(inity)?$/i.test(v) ? (v.startsWith('-') ? -Infinity : Infinity) : v === '' ? Number.NaN : Number(v));
  const integerLabels = records.every((r) => /^-?\d+$/.test(value(r, columns.label)) && Math.abs(Number(value(r, columns.label))) < 2 ** 31);
  const column = (c: string, f: (v: string) => unknown) => records.map((r) => f(value(r, c)));
  const out: Record<string, unknown[]> = { [columns.label]: column(columns.label, integerLabels ? Number : String) };
  if (columns.id) out[columns.id] = column(columns.id, BigInt);
  for (const c of columns.numeric) out[c] = column(c, number);
  for (const c of columns.maybeText ?? []) out[c] = records.every((r) => value(r, c) === '' || NUMBER.test(value(r, c))) ? column(c, number) : column(c, (v) => (v === '' ? null : v));
  for (const c of columns.categorical ?? []) out[c] = column(c, (v) => (v === '' ? null : v));
  for (const c of columns.text ?? []) out[c] = column(c, String);
  return out;
}

async function readBack(files: string[]): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const file of files) {
    const bytes = readFileSync(file);
    const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
    for (const row of rows) for (const [name, v] of Object.entries(row)) (out[name] ??= []).push(v);
  }
  return out;
}

let n = 0;
async function convert(text: string | Uint8Array, columns: CsvColumns, engine: 'auto' | 'csv-parse', limit = Number.MAX_SAFE_INTEGER): Promise<Record<string, unknown[]> | string> {
  const file = path.join(dir, `in-${n++}.csv`);
  writeFileSync(file, text);
  try {
    const shards = await csvToShards(file, columns, 'in.csv', { limit, next: () => path.join(dir, `out-${n++}.parquet`), engine });
    return await readBack(shards.map((s) => s.path));
  } catch (error) {
    return (error as Error).message.replace(file, '<file>');
  }
}

const features: CsvColumns = { numeric: [], maybeText: ['x', 'y'], label: 'label' };
const rows = (count: number, row: (i: number) => string) => Array.from({ length: count }, (_, i) => row(i)).join('\n');

/** Decimals of 1 to 18 digits, point anywhere, signs and leading zeros: parsed exactly as Number() does. */
function decimals(): string {
  let state = 5;
  const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const number = () => {
    const digits = Array.from({ length: 1 + Math.floor(random() * 18) }, () => Math.floor(random() * 10)).join('');
    const point = Math.floor(random() * (digits.length + 2)) - 1;
    const body = point < 0 || point > digits.length ? digits : `${digits.slice(0, point)}.${digits.slice(point)}`;
    return `${['', '-', '+'][Math.floor(random() * 3)]}${body}`;
  };
  return `x,y,label\n${rows(3000, (i) => `${number()},${number()},${i % 4}`)}\n`;
}

/** Files csv-parse reads, each with something a hand-written scanner gets wrong easily. */
const NASTY: [string, string, CsvColumns][] = [
  ['quoted commas, doubled quotes, line breaks in fields', 'x,y,label,note\n1,2,a,"one, two"\n3,4,b,"say ""hi"""\n5,6,c,"line 1\nline 2"\n7,8,d,"cr\r\nlf"\n', { ...features, text: ['note'] }],
  ['CRLF, a lone LF inside a CRLF record', 'x,y,label\r\n1,2,a\r\n3,4\nz,b\r\n5,6,c\r\n', { ...features, maybeText: ['x'], text: ['y'] }],
  ['empty and whitespace lines, before the header too', '\n  \nx,y,label\n\n1,2,a\n \t \n3,4,b\n\n\n', features],
  ['whitespace around fields and quoted fields, tabs, NBSP', 'x , y,label\n  1 ,\t2\t, "a"  \n\u00a03\u00a0, " 4 " ,  b \n', { ...features, maybeText: ['x', 'y'] }],
  ['inf, -inf, nan, Infinity, exponents', 'x,y,label\ninf,-inf,1\nnan,Infinity,2\n1e3,-2.5E-2,3\n+.5,7.,4\n', features],
  ['non-integer and huge labels become strings', 'x,y,label\n1,2,1\n3,4,1.5\n5,6,2147483648\n', features],
  ['numeric-looking categorical values stay strings', 'x,y,label,city\n1,2,0,007\n3,4,1,\n5,6,0,7\n', { ...features, categorical: ['city'] }],
  ['a BOM before the header', '\ufeffx,y,label\n1,2,a\n', features],
  ['a last line without a line break, an empty quoted field', 'x,y,label,note\n1,2,a,""\n3,4,b,"end"', { ...features, text: ['note'] }],
  ['a feature text only in a later row group', `x,y,label\n${rows(9000, (i) => `${i},${i === 8500 ? 'n/a' : i / 2},${i % 3}`)}\n`, features],
  ['a label text only in a later row group', `x,y,label\n${rows(9000, (i) => `${i},1,${i === 8999 ? 'other' : i % 3}`)}\n`, features],
  ['a feature text from the first row', `x,y,label\n${rows(20, (i) => `${i},${i ? i : 'first'},${i % 3}`)}\n`, features],
  ['ids, a weight column, duplicate header names', 'id,x,y,label,w,x\n1,9,2,a,0.5,1\n2,9,4,b,1.5,3\n', { numeric: ['w'], maybeText: ['x', 'y'], label: 'label', id: 'id' }],
  ['records delimited by a lone CR', 'x,y,label\r1,2,a\r3,4,b\r', features],
  ['decimals of 1 to 18 digits, signs, leading zeros', decimals(), features],
  ['unicode text, quoted header names', '"x","y","label"\n1,2,café\n3,4,"東京, 日本"\n', features],
];

/** Files csv-parse refuses: the same one-line refusal both ways. */
const REFUSED: [string, string][] = [
  ['a quote never closed', 'x,y,label\n1,2,"a\n3,4,b\n'],
  ['a quote inside an unquoted field', 'x,y,label\n1,2,a"b\n'],
  ['text after a closing quote', 'x,y,label\n1,2,"a"b\n'],
  ['a record of the wrong length', 'x,y,label\n1,2,a\n3,4\n'],
  ['a missing column', 'x,label\n1,a\n'],
  ['no data rows', 'x,y,label\n\n'],
  ['a bad id late in the file', `id,x,y,label\n${rows(9000, (i) => `${i === 8800 ? 'z' : i},1,2,a`)}\n`],
];

describe('the fast CSV path writes what the csv-parse path wrote', () => {
  it.each(NASTY)('%s', async (_, text, columns) => {
    const expected = reference(new TextDecoder().decode(new TextEncoder().encode(text)), columns);
    const fast = await convert(text, columns, 'auto');
    expect(fast).toEqual(expected);
    expect(await convert(text, columns, 'csv-parse')).toEqual(expected);
    // The same in small shards, and from text in memory.
    expect(await convert(text, columns, 'auto', 1)).toEqual(expected);
    expect(await readBackBytes(csvToParquet(text, columns, 'in.csv').bytes)).toEqual(expected);
  });

  it.each(REFUSED)('refuses %s in the words csv-parse used', async (_, text) => {
    const columns: CsvColumns = { ...features, id: text.startsWith('id') ? 'id' : undefined };
    const reference = await convert(text, columns, 'csv-parse');
    expect(typeof reference).toBe('string');
    expect(await convert(text, columns, 'auto')).toBe(reference);
  });

  it('a file that is not UTF-8 is refused the same way by both', async () => {
    const bytes = Uint8Array.from([...new TextEncoder().encode('x,y,label\n1,2,caf'), 0xe9, 10]);
    const reference = await convert(bytes, features, 'csv-parse');
    expect(reference).toMatch(/is not valid UTF-8/);
    expect(await convert(bytes, features, 'auto')).toBe(reference);
  });
});

describe('one pass unless a type narrows after a row group was written', () => {
  it('a file whose types hold from the first row: each shard file opened once, none dropped', async () => {
    const file = path.join(dir, 'once.csv');
    writeFileSync(file, `x,y,label\n${rows(20_000, (i) => `${i / 8},${i % 7},${i % 3}`)}\n`);
    let opened = 0;
    const shards = await csvToShards(file, features, 'once.csv', { limit: 16 * 1024, next: () => path.join(dir, `once-${n++}-${opened++}.parquet`) });
    expect(shards.length).toBeGreaterThan(2);
    expect(opened).toBe(shards.length);
  });

  it('refuses a file that changed between the passes, naming both row counts', async () => {
    const file = path.join(dir, 'changing.csv');
    // Over 2 MiB (an unread padding column), so that pass 2 opens its shard before reading to the end.
    writeFileSync(file, `x,y,label,pad\n${rows(20_000, (i) => `${i},${i === 9000 ? 'text' : i},${i % 3},${'p'.repeat(100)}`)}\n`);
    let opened = 0;
    // Shard files are opened once in pass 1 (then dropped at row 9000) and again in pass 2: grow the file then.
    const next = () => {
      if (++opened === 2) appendFileSync(file, `${rows(10, (i) => `${i},1,0,p`)}\n`);
      return path.join(dir, `changing-${n++}.parquet`);
    };
    const error = await csvToShards(file, features, 'changing.csv', { limit: Number.MAX_SAFE_INTEGER, next }).catch((e: unknown) => e);
    expect(opened).toBe(2);
    expect((error as Error).message).toBe(`CSV file ${file} changed while it was being read (20000 rows, then 20010); leave the files alone while publishing, then publish again`);
  });
});

async function readBackBytes(bytes: Uint8Array): Promise<Record<string, unknown[]>> {
  const file = path.join(dir, `mem-${n++}.parquet`);
  writeFileSync(file, bytes);
  return readBack([file]);
}

/** csv-parse's records as the scanner reports them: header keys, then each record's values by key. */
function csvParseRecords(text: string): { records: string[][]; keys: string[] } | 'refused' {
  try {
    const all = parseSync(text, CSV_PARSE_OPTIONS) as Record<string, string>[];
    const keys = all.length > 0 ? Object.keys(all[0]!) : [];
    return { keys, records: all.map((r) => keys.map((k) => r[k]!)) };
  } catch {
    return 'refused';
  }
}

/** The scanner's records, the text pushed in pieces cut at random; 'deferred' where it leaves the text to csv-parse. */
function scannerRecords(text: string, keys: string[], random: () => number): { records: string[][]; keys: string[] } | 'deferred' {
  const records: string[][] = [];
  let header: string[] = [];
  const scanner = new CsvScanner(keys, { header: (k) => (header = k), record: (values) => records.push([...values]) });
  try {
    for (let at = 0; at < text.length; ) {
      const next = at + 1 + Math.floor(random() * 8);
      scanner.push(text.slice(at, next));
      at = next;
    }
    scanner.end();
  } catch (error) {
    if (error instanceof CsvUnsupported) return 'deferred';
    throw error;
  }
  return { keys: records.length > 0 ? header : [], records };
}

describe('the scanner never answers differently from csv-parse', () => {
  it('on 6,000 random texts of quotes, commas, line breaks, whitespace and text: the same records, or it defers', () => {
    let state = 11;
    const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const pieces = ['a', 'b1', '7', '-2.5', ' ', '\t', '\f', '\u00a0', '\u3000', '\ufeff', ',', ',', ',', '"', '""', '\n', '\n', '\r\n', '\r', 'é', '東', 'inf'];
    let same = 0;
    let deferred = 0;
    for (let t = 0; t < 6000; t++) {
      const quoting = random() < 0.5;
      const width = 1 + Math.floor(random() * 4);
      let text: string;
      if (quoting) {
        // Mostly well-formed: fields, some quoted, with nasty content.
        const lines = Array.from({ length: 1 + Math.floor(random() * 6) }, () =>
          Array.from({ length: width }, () => {
            const content = Array.from({ length: Math.floor(random() * 4) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
            return random() < 0.4 ? `${random() < 0.2 ? ' ' : ''}"${content.replace(/"/g, '""')}"${random() < 0.2 ? '\t' : ''}` : content.replace(/["\n\r,]/g, '');
          }).join(','),
        );
        text = lines.join(random() < 0.3 ? '\r\n' : '\n') + (random() < 0.5 ? '\n' : '');
      } else {
        text = Array.from({ length: Math.floor(random() * 40) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      }
      const expected = csvParseRecords(text);
      const got = scannerRecords(text, expected === 'refused' ? [] : expected.keys, random);
      if (got === 'deferred') {
        deferred++;
        continue;
      }
      expect(expected, JSON.stringify(text)).not.toBe('refused');
      expect(got, JSON.stringify(text)).toEqual(expected);
      same++;
    }
    // Both kinds of answer were exercised.
    expect(same).toBeGreaterThan(2000);
    expect(deferred).toBeGreaterThan(500);
  });
});
