/**
 * A converted CSV file's row groups: the types that depend on every value of a column (integer
 * labels, numeric features), learned record by record, and one row group of the wanted columns at a
 * time, numbers parsed as they arrive (no string kept for a numeric column), then the Parquet columns
 * the group becomes under the types.
 */
import { WarmstartError } from '../errors.js';
import type { WriteColumn } from './parquet-write.js';

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

/** Rows per Parquet row group of a converted CSV file (the unit readers decode). */
export const CSV_ROW_GROUP = 8192;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?inf(inity)?$|^nan$/i;

const INT = /^-?\d+$/;

const INFINITE = /^[+-]?inf(inity)?$/i;

function invalid(message: string, subject: string): WarmstartError {
  return new WarmstartError('DATASET_INVALID', message, subject);
}

/** Every column the conversion reads, each once. */
export function wantedColumns(columns: CsvColumns): string[] {
  return [...new Set([...columns.numeric, ...(columns.maybeText ?? []), ...(columns.categorical ?? []), columns.label, ...(columns.id ? [columns.id] : []), ...(columns.text ?? [])])];
}

/**
 * The types that depend on every value of a column: integer labels, and which maybeText columns
 * hold only numbers. They only ever narrow; `changes` counts each narrowing.
 */
export class CsvTypes {
  rows = 0;
  integerLabels = true;
  readonly numeric: Set<string>;
  changes = 0;
  private header: string[] | undefined;
  private headerChecked = false;

  constructor(
    private readonly columns: CsvColumns,
    private readonly name: string,
  ) {
    this.numeric = new Set(columns.maybeText ?? []);
  }

  /** The header's keys, checked at the first data record (a file of no rows is refused for that instead). */
  setHeader(keys: string[]): void {
    this.header = keys;
  }

  /** At the first data record: every wanted column is in the header. */
  checkHeader(): void {
    if (this.headerChecked) return;
    this.headerChecked = true;
    const header = this.header ?? [];
    for (const column of wantedColumns(this.columns)) {
      if (!header.includes(column)) throw invalid(`CSV file ${this.name} column ${column}: missing (the file has ${header.join(', ')}); add the column or pass the right column name`, this.name);
    }
  }

  done(): this {
    if (this.rows === 0) throw invalid(`CSV file ${this.name} has no data rows; publish a file with rows`, this.name);
    return this;
  }
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * The value of a plain decimal ([+-]digits[.digits], at most 15 digits), else NaN: the digits make an
 * exact integer below 2^53 and 10^k is exact for k <= 22, so one division rounds as Number() does.
 * Most CSV numbers take this path; it also says the text is a number without the regex.
 */
function plainDecimal(text: string): number {
  const n = text.length;
  let i = 0;
  let c = text.charCodeAt(0);
  const negative = c === 45;
  if (negative || c === 43) i = 1;
  let mantissa = 0;
  let digits = 0;
  let decimals = -1;
  for (; i < n; i++) {
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === 46 && decimals < 0) {
      decimals = 0;
    } else {
      return Number.NaN;
    }
  }
  if (digits === 0 || digits > 15) return Number.NaN;
  const value = decimals > 0 ? mantissa / POWERS_OF_TEN[decimals]! : mantissa;
  return negative ? -value : value;
}

/** pandas and numpy write inf / -inf / nan: read them as such, so the validator names them. Empty is NaN. */
function csvNumber(value: string): number {
  if (value === '') return Number.NaN;
  const number = Number(value);
  if (!Number.isNaN(number)) return number;
  return INFINITE.test(value) ? (value.startsWith('-') ? -Infinity : Infinity) : Number.NaN;
}

/**
 * Up to one row group of records, column by column (in wantedColumns order): numbers for the numeric
 * columns and the maybeText columns still numeric, strings for the others. With `learn`, each record
 * also narrows the types; a maybeText column that turns out text after the file's first row has
 * lost its earlier values (`lost`): this pass's groups are not the final ones.
 */
export class CsvGroup {
  readonly wanted: string[];
  size = 0;
  lost = false;
  private readonly slot: Map<string, number>;
  private readonly strings: string[][];
  private readonly numbers: Float64Array[];
  private readonly asNumber: boolean[];
  private readonly asString: boolean[];
  private readonly labelSlot: number;
  /** Per slot: a maybeText column still numeric (learning only). */
  private readonly candidate: boolean[];

  constructor(
    private readonly columns: CsvColumns,
    private readonly types: CsvTypes,
    private readonly learn: boolean,
    private capacity = CSV_ROW_GROUP,
  ) {
    this.wanted = wantedColumns(columns);
    this.slot = new Map(this.wanted.map((name, k) => [name, k]));
    const at = (name: string) => this.slot.get(name)!;
    const stringColumns = new Set([columns.label, ...(columns.id ? [columns.id] : []), ...(columns.text ?? []), ...(columns.categorical ?? []), ...(columns.maybeText ?? []).filter((c) => !types.numeric.has(c))]);
    const numberColumns = new Set([...columns.numeric, ...[...types.numeric]]);
    this.asString = this.wanted.map((name) => stringColumns.has(name));
    this.asNumber = this.wanted.map((name) => numberColumns.has(name));
    this.strings = this.wanted.map(() => []);
    this.numbers = this.wanted.map((name) => new Float64Array(numberColumns.has(name) ? capacity : 0));
    this.labelSlot = at(columns.label);
    this.candidate = this.wanted.map((name) => learn && types.numeric.has(name));
  }

  add(record: readonly string[]): void {
    const i = this.size++;
    if (i === this.capacity) this.grow();
    if (this.learn) this.learnLabel(record);
    const { asNumber, asString, numbers, strings } = this;
    for (let k = 0; k < record.length; k++) {
      const value = record[k]!;
      if (asNumber[k]) {
        let number = plainDecimal(value);
        if (Number.isNaN(number)) {
          if (this.candidate[k] && value !== '' && !NUMBER.test(value)) this.narrow(k);
          number = csvNumber(value);
        }
        numbers[k]![i] = number;
      }
      if (asString[k]) strings[k]![i] = value;
    }
    this.types.rows += this.learn ? 1 : 0;
  }

  /** Room for twice the rows (a group of a whole text held in memory). */
  private grow(): void {
    this.capacity *= 2;
    this.numbers.forEach((values, k) => {
      if (values.length === 0) return;
      const more = new Float64Array(this.capacity);
      more.set(values);
      this.numbers[k] = more;
    });
  }

  private learnLabel(record: readonly string[]): void {
    const types = this.types;
    if (!types.integerLabels) return;
    const label = record[this.labelSlot]!;
    if (!(INT.test(label) && Math.abs(Number(label)) < 2 ** 31)) {
      types.integerLabels = false;
      types.changes++;
    }
  }

  /** A maybeText column met a value that is not a number: strings from this record on. */
  private narrow(k: number): void {
    const types = this.types;
    const name = this.wanted[k]!;
    types.numeric.delete(name);
    types.changes++;
    if (types.rows > 0) this.lost = true;
    this.candidate[k] = false;
    this.asString[k] = true;
    this.asNumber[k] = this.columns.numeric.includes(name);
  }

  /** The group's strings of a column (the backing array: read the first `size` entries). */
  text(name: string): string[] {
    return this.strings[this.slot.get(name)!]!;
  }

  /** The group's numbers of a column: a view of the backing array (the writer copies what it encodes). */
  number(name: string): Float64Array {
    return this.numbers[this.slot.get(name)!]!.subarray(0, this.size);
  }

  clear(): void {
    this.size = 0;
  }
}

/** One row group's Parquet columns: label, id, numeric, maybeText, categorical, text. */
export function groupColumns(group: CsvGroup, columns: CsvColumns, types: CsvTypes, name: string, firstRow: number): WriteColumn[] {
  const n = group.size;
  const values = (column: string) => group.text(column).slice(0, n);
  const strings = (column: string): WriteColumn => ({ name: column, data: values(column).map((v) => (v === '' ? null : v)), type: 'STRING', nullable: true });
  const out: WriteColumn[] = [];
  if (types.integerLabels) {
    const labels = group.text(columns.label);
    const data = new Int32Array(n);
    for (let i = 0; i < n; i++) data[i] = Number(labels[i]);
    out.push({ name: columns.label, data, type: 'INT32', nullable: false });
  } else {
    out.push({ name: columns.label, data: values(columns.label), type: 'STRING', nullable: false });
  }
  if (columns.id) {
    const ids = values(columns.id);
    const bad = ids.findIndex((v) => !INT.test(v));
    if (bad >= 0) throw invalid(`CSV file ${name} column ${columns.id} row ${firstRow + bad}: id ${JSON.stringify(ids[bad])} is not an integer; ids are integers`, name);
    out.push({ name: columns.id, data: BigInt64Array.from(ids, (v) => BigInt(v)), type: 'INT64', nullable: false });
  }
  for (const column of columns.numeric) out.push({ name: column, data: group.number(column), type: 'DOUBLE', nullable: false });
  for (const column of columns.maybeText ?? []) out.push(types.numeric.has(column) ? { name: column, data: group.number(column), type: 'DOUBLE', nullable: false } : strings(column));
  for (const column of columns.categorical ?? []) out.push(strings(column));
  for (const column of columns.text ?? []) out.push({ name: column, data: values(column), type: 'STRING', nullable: false });
  return out;
}
