import { parse } from 'csv-parse/sync';
import { WarmstartError } from '../errors.js';
import { writeParquet, type WriteColumn } from './parquet-write.js';

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

/**
 * Converts a CSV file (header row, comma-separated) to a Parquet shard of just the named columns,
 * so that CSV input is stored, checksummed and streamed like any other shard. Row r of the Parquet
 * file is data row r of the CSV (0-based, header not counted).
 */
export function csvToParquet(text: string, columns: CsvColumns, name: string): { bytes: Uint8Array; rows: number } {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (error) {
    throw new WarmstartError('DATASET_INVALID', `CSV file ${name} does not parse (${(error as Error).message}); fix the file`, name, { cause: error });
  }
  if (records.length === 0) throw new WarmstartError('DATASET_INVALID', `CSV file ${name} has no data rows; publish a file with rows`, name);
  const header = Object.keys(records[0]!);
  const wanted = [...columns.numeric, ...(columns.maybeText ?? []), ...(columns.categorical ?? []), columns.label, ...(columns.id ? [columns.id] : []), ...(columns.text ?? [])];
  for (const column of wanted) {
    if (!header.includes(column)) {
      throw new WarmstartError('DATASET_INVALID', `CSV file ${name} column ${column}: missing (the file has ${header.join(', ')}); add the column or pass the right column name`, name);
    }
  }
  const values = (column: string) => records.map((record) => record[column] ?? '');
  // pandas and numpy write inf / -inf / nan: read them as such, so the validator names them.
  const number = (value: string) => {
    if (/^[+-]?inf(inity)?$/i.test(value)) return value.startsWith('-') ? -Infinity : Infinity;
    return value === '' ? Number.NaN : Number(value);
  };
  const out: WriteColumn[] = [];
  const labels = values(columns.label);
  if (labels.every((v) => INT.test(v) && Math.abs(Number(v)) < 2 ** 31)) out.push({ name: columns.label, data: Int32Array.from(labels, Number), type: 'INT32', nullable: false });
  else out.push({ name: columns.label, data: labels, type: 'STRING', nullable: false });
  if (columns.id) {
    const ids = values(columns.id);
    const bad = ids.findIndex((v) => !INT.test(v));
    if (bad >= 0) throw new WarmstartError('DATASET_INVALID', `CSV file ${name} column ${columns.id} row ${bad}: id ${JSON.stringify(ids[bad])} is not an integer; ids are integers`, name);
    out.push({ name: columns.id, data: BigInt64Array.from(ids, (v) => BigInt(v)), type: 'INT64', nullable: false });
  }
  const strings = (column: string): WriteColumn => ({ name: column, data: values(column).map((v) => (v === '' ? null : v)), type: 'STRING', nullable: true });
  for (const column of columns.numeric) out.push({ name: column, data: Float64Array.from(values(column), number), type: 'DOUBLE', nullable: false });
  for (const column of columns.maybeText ?? []) {
    const numeric = values(column).every((v) => v === '' || NUMBER.test(v));
    out.push(numeric ? { name: column, data: Float64Array.from(values(column), number), type: 'DOUBLE', nullable: false } : strings(column));
  }
  for (const column of columns.categorical ?? []) out.push(strings(column));
  for (const column of columns.text ?? []) out.push({ name: column, data: values(column), type: 'STRING', nullable: false });
  return { bytes: writeParquet(out, 8192), rows: records.length };
}
