import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { parse as parseWhole } from 'csv-parse/sync';
import { fileWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { WarmstartError } from '../errors.js';
import { writeParquet, type WriteColumn } from './parquet-write.js';
import { cannotReadFile } from './read-errors.js';

export interface CsvColumns {
  numeric: string[];
  /** Written as INT32 when every value is an integer, else as strings. */
  label: string;
  id?: string;
  text?: string[];
  /** Written as numbers when every non-empty value is one, else as strings (categorical; empty is null). */
  maybeText?: string[];
  /** Written as strings, empty as null (declared categorical columns). */
  categorical?: string[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?inf(inity)?$|^nan$/i;

const INT = /^-?\d+$/;

/** Rows per Parquet row group of a converted CSV file (the unit readers decode). */
const CSV_ROW_GROUP = 8192;

export interface CsvShardOptions {
  /** Largest shard in bytes; a shard is closed once a row group takes it to this size. */
  limit: number;
  /** Names each next temporary shard file. */
  next: () => string;
  signal?: AbortSignal;
}

function invalid(message: string, subject: string, cause?: unknown): WarmstartError {
  return new WarmstartError('DATASET_INVALID', message, subject, cause === undefined ? undefined : { cause });
}

/**
 * The data rows of a CSV file, streamed: read in chunks, decoded as UTF-8 (fatal: a replacement
 * character would otherwise become a class name of its own), parsed by csv-parse's streaming parser.
 */
async function* csvRecords(file: string, name: string, signal?: AbortSignal): AsyncGenerator<Record<string, string>> {
  const parser = parse({ columns: true, skip_empty_lines: true, trim: true });
  const source = createReadStream(file, { signal, highWaterMark: 1024 * 1024 });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  /** A read or UTF-8 failure (the cause, when the parser then stops); a parse error is the parser's own. */
  let failure: unknown;
  const pump = (async () => {
    try {
      for await (const chunk of source) {
        const text = decoder.decode(chunk as Uint8Array, { stream: true });
        if (parser.destroyed) return;
        // A parser that failed meanwhile rejects the wait: its error is reported by the loop below.
        if (!parser.write(text) && !(await once(parser, 'drain').then(() => true, () => false))) return;
      }
      parser.end(decoder.decode());
    } catch (error) {
      failure = error;
      parser.destroy();
    }
  })();
  try {
    for await (const record of parser) yield record as Record<string, string>;
  } catch (error) {
    await pump;
    throw failure ?? invalid(`CSV file ${name} does not parse (${(error as Error).message}); fix the file`, name, error);
  } finally {
    source.destroy();
    parser.destroy();
  }
  await pump;
  if (failure !== undefined) throw failure;
}

/** csvRecords with read failures in one line: missing file, not UTF-8, cancelled (as is). */
async function* records(file: string, name: string, signal?: AbortSignal): AsyncGenerator<Record<string, string>> {
  try {
    yield* csvRecords(file, name, signal);
  } catch (error) {
    if (error instanceof WarmstartError || (error as Error).name === 'AbortError') throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_ENCODING_INVALID_ENCODED_DATA') throw invalid(`CSV file ${file} is not valid UTF-8; save it as UTF-8 and publish again`, file, error);
    throw cannotReadFile(file, error);
  }
}

/** What the first pass learns: the row count and, per column whose type depends on every value, that type. */
interface CsvTypes {
  rows: number;
  integerLabels: boolean;
  numeric: Set<string>;
}

function wantedColumns(columns: CsvColumns): string[] {
  return [...columns.numeric, ...(columns.maybeText ?? []), ...(columns.categorical ?? []), columns.label, ...(columns.id ? [columns.id] : []), ...(columns.text ?? [])];
}

/** Pass 1 row by row: the header, the row count, and which columns hold only integers (label) or numbers (maybeText). */
class TypeScan {
  readonly types: CsvTypes;
  constructor(
    private readonly columns: CsvColumns,
    private readonly name: string,
  ) {
    this.types = { rows: 0, integerLabels: true, numeric: new Set(columns.maybeText ?? []) };
  }

  add(record: Record<string, string>): void {
    const { types, columns } = this;
    if (types.rows === 0) {
      const header = Object.keys(record);
      for (const column of wantedColumns(columns)) {
        if (!header.includes(column)) throw invalid(`CSV file ${this.name} column ${column}: missing (the file has ${header.join(', ')}); add the column or pass the right column name`, this.name);
      }
    }
    types.rows++;
    const label = record[columns.label] ?? '';
    if (types.integerLabels && !(INT.test(label) && Math.abs(Number(label)) < 2 ** 31)) types.integerLabels = false;
    for (const column of types.numeric) {
      const value = record[column] ?? '';
      if (value !== '' && !NUMBER.test(value)) types.numeric.delete(column);
    }
  }

  done(): CsvTypes {
    if (this.types.rows === 0) throw invalid(`CSV file ${this.name} has no data rows; publish a file with rows`, this.name);
    return this.types;
  }
}

async function csvTypes(file: string, columns: CsvColumns, name: string, signal?: AbortSignal): Promise<CsvTypes> {
  const scan = new TypeScan(columns, name);
  for await (const record of records(file, name, signal)) scan.add(record);
  return scan.done();
}

/** pandas and numpy write inf / -inf / nan: read them as such, so the validator names them. */
function csvNumber(value: string): number {
  if (/^[+-]?inf(inity)?$/i.test(value)) return value.startsWith('-') ? -Infinity : Infinity;
  return value === '' ? Number.NaN : Number(value);
}

/** One row group's columns from its records, in the column order csvToParquet writes. */
function groupColumns(group: readonly Record<string, string>[], columns: CsvColumns, types: CsvTypes, name: string, firstRow: number): WriteColumn[] {
  const values = (column: string) => group.map((record) => record[column] ?? '');
  const strings = (column: string): WriteColumn => ({ name: column, data: values(column).map((v) => (v === '' ? null : v)), type: 'STRING', nullable: true });
  const out: WriteColumn[] = [];
  const labels = values(columns.label);
  out.push(types.integerLabels ? { name: columns.label, data: Int32Array.from(labels, Number), type: 'INT32', nullable: false } : { name: columns.label, data: labels, type: 'STRING', nullable: false });
  if (columns.id) {
    const ids = values(columns.id);
    const bad = ids.findIndex((v) => !INT.test(v));
    if (bad >= 0) throw invalid(`CSV file ${name} column ${columns.id} row ${firstRow + bad}: id ${JSON.stringify(ids[bad])} is not an integer; ids are integers`, name);
    out.push({ name: columns.id, data: BigInt64Array.from(ids, (v) => BigInt(v)), type: 'INT64', nullable: false });
  }
  for (const column of columns.numeric) out.push({ name: column, data: Float64Array.from(values(column), csvNumber), type: 'DOUBLE', nullable: false });
  for (const column of columns.maybeText ?? []) out.push(types.numeric.has(column) ? { name: column, data: Float64Array.from(values(column), csvNumber), type: 'DOUBLE', nullable: false } : strings(column));
  for (const column of columns.categorical ?? []) out.push(strings(column));
  for (const column of columns.text ?? []) out.push({ name: column, data: values(column), type: 'STRING', nullable: false });
  return out;
}

/**
 * Converts a CSV file to Parquet shards of just the named columns, streaming it twice: pass 1 settles
 * the types that depend on every value of a column, pass 2 writes row groups of 8192 rows to temporary
 * files, starting a new shard once one reaches the limit. Memory: one row group. Row r of the
 * concatenated shards is data row r of the CSV (0-based, header not counted).
 */
export async function csvToShards(file: string, columns: CsvColumns, name: string, options: CsvShardOptions): Promise<{ path: string; rows: number; rowOffset: number }[]> {
  const types = await csvTypes(file, columns, name, options.signal);
  const shards: { path: string; rows: number; rowOffset: number }[] = [];
  let writer: { parquet: ParquetWriter; raw: ReturnType<typeof fileWriter>; path: string; rows: number; rowOffset: number } | undefined;
  let row = 0;
  // fileWriter writes synchronously, so write() and finish() are done when they return (their types allow a promise).
  const finish = () => {
    if (!writer) return;
    void writer.parquet.finish();
    shards.push({ path: writer.path, rows: writer.rows, rowOffset: writer.rowOffset });
    writer = undefined;
  };
  const write = (group: Record<string, string>[]) => {
    const data = groupColumns(group, columns, types, name, row);
    if (!writer) {
      const target = options.next();
      const raw = fileWriter(target);
      writer = { parquet: new ParquetWriter({ writer: raw, schema: schemaFromColumnData({ columnData: data }), createdBy: 'warmstart' }), raw, path: target, rows: 0, rowOffset: row };
    }
    void writer.parquet.write({ columnData: data.map(({ name: column, data: values }) => ({ name: column, data: values })), rowGroupSize: group.length });
    writer.rows += group.length;
    row += group.length;
    if (writer.raw.offset >= options.limit) finish();
  };
  let group: Record<string, string>[] = [];
  for await (const record of records(file, name, options.signal)) {
    group.push(record);
    if (group.length === CSV_ROW_GROUP) {
      write(group);
      group = [];
    }
  }
  if (group.length > 0) write(group);
  finish();
  if (row !== types.rows) throw invalid(`CSV file ${file} changed while it was being read (${types.rows} rows, then ${row}); leave the files alone while publishing, then publish again`, file);
  return shards;
}

/**
 * Converts CSV text held in memory (header row, comma-separated) to one Parquet file of just the named
 * columns, the same bytes csvToShards writes for a file within the shard bound. Row r of the Parquet
 * file is data row r of the CSV (0-based, header not counted).
 */
export function csvToParquet(text: string, columns: CsvColumns, name: string): { bytes: Uint8Array; rows: number } {
  let all: Record<string, string>[];
  try {
    all = parseWhole(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (error) {
    throw invalid(`CSV file ${name} does not parse (${(error as Error).message}); fix the file`, name, error);
  }
  const scan = new TypeScan(columns, name);
  for (const record of all) scan.add(record);
  const types = scan.done();
  return { bytes: writeParquet(groupColumns(all, columns, types, name, 0), CSV_ROW_GROUP), rows: all.length };
}
