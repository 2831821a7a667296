/**
 * A fast CSV scanner with the answers csv-parse gives under publish's options (`columns: true,
 * skip_empty_lines: true, trim: true`): RFC 4180 quoting ("" inside quotes, commas and line breaks
 * in quoted fields), the record delimiter taken from the first \n or \r\n outside quotes, fields
 * trimmed of what String.prototype.trim removes (csv-parse's list), whitespace around a quoted
 * field dropped, records of only whitespace skipped, the header the first record.
 * Wherever csv-parse would fail or answer something unusual (an unclosed or stray quote, text after
 * a closing quote, a record of the wrong length, a file delimited by a lone \r), it throws
 * CsvUnsupported instead of guessing: the caller then reads the file with csv-parse, which says what
 * it says today. Most lines hold no quote: those are cut with indexOf, not byte by byte.
 */

/** The scanner cannot promise csv-parse's answer here; read the file with csv-parse. */
export class CsvUnsupported extends Error {
  constructor(reason: string) {
    super(`CSV input needs the reference parser: ${reason}`);
    this.name = 'CsvUnsupported';
  }
}

/** Receives the header (its names as csv-parse's record object lists them) and each data record. */
export interface CsvRecordSink {
  header(keys: string[]): void;
  /** values[k] is the record's value of the k-th wanted column ('' where the header lacks it); valid during the call only. */
  record(values: readonly string[]): void;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
/** Returned by the record walker when the record may go on in text not yet pushed. */
const MORE = -1;
const UNKNOWN = 0;
const LF_MODE = 1;
const CRLF_MODE = 2;

const SPACE = /\s/;

/** What trim removes (JS WhiteSpace and LineTerminator: the same set csv-parse trims). */
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || (code >= 0x80 && SPACE.test(String.fromCharCode(code)));
}

/** Trims like String.prototype.trim, skipping the call when both ends are plain ASCII. */
function trimmed(text: string): string {
  const n = text.length;
  if (n === 0) return text;
  const a = text.charCodeAt(0);
  const b = text.charCodeAt(n - 1);
  return a > 32 && a < 0x80 && b > 32 && b < 0x80 ? text : text.trim();
}

/** The object keys csv-parse's records have for a header: duplicates once, integer-like names first. */
function headerKeys(names: readonly string[]): string[] {
  const record: Record<string, number> = {};
  names.forEach((name, i) => Object.defineProperty(record, name, { value: i, enumerable: true, writable: true, configurable: true }));
  return Object.keys(record);
}

export class CsvScanner {
  private buf = '';
  private mode = UNKNOWN;
  private final = false;
  /** Fields of the header record; null until it is read. */
  private width = -1;
  /** Per header position, the wanted slot it fills (-1: not wanted, or a name repeated later). */
  private slotOf: Int32Array = new Int32Array(0);
  private readonly values: string[];
  /** Position of the next quote in buf at or after the last probe (buf.length when none). */
  private nextQuote = -1;
  private readonly fields: string[] = [];

  constructor(
    private readonly wanted: readonly string[],
    private readonly sink: CsvRecordSink,
  ) {
    this.values = wanted.map(() => '');
  }

  /** Scans the text that follows what was pushed before; records are passed to the sink as they complete. */
  push(text: string): void {
    this.buf = this.buf.length === 0 ? text : this.buf + text;
    this.scan();
  }

  /** The end of the input: the last record needs no line break. */
  end(): void {
    this.final = true;
    this.scan();
  }

  private scan(): void {
    const buf = this.buf;
    this.nextQuote = -1;
    let p = 0;
    while (p < buf.length) {
      const next = this.width < 0 ? this.walk(buf, p) : this.line(buf, p);
      if (next === MORE) break;
      p = next;
    }
    this.buf = p >= buf.length ? '' : buf.slice(p);
  }

  /** Length of the record delimiter at p (0: none; MORE: cannot tell yet); settles the delimiter at its first sight. */
  private delimiterAt(buf: string, p: number): number {
    const c = buf.charCodeAt(p);
    if (c !== LF && c !== CR) return 0;
    if (this.mode === LF_MODE) return c === LF ? 1 : 0;
    if (c === CR && p + 1 >= buf.length && !this.final) return MORE;
    const crlf = c === CR && buf.charCodeAt(p + 1) === LF;
    if (this.mode === CRLF_MODE) return crlf ? 2 : 0;
    if (c === LF) {
      this.mode = LF_MODE;
      return 1;
    }
    if (!crlf) throw new CsvUnsupported('records delimited by a lone carriage return');
    this.mode = CRLF_MODE;
    return 2;
  }

  /**
   * One record from p, character by character (the header, and lines that hold a quote): the
   * position after it, or MORE. Emits it unless it is empty.
   */
  private walk(buf: string, start: number): number {
    const n = buf.length;
    const fields = this.fields;
    fields.length = 0;
    let p = start;
    for (;;) {
      // Leading whitespace (a record delimiter ends the field first).
      let d = 0;
      while (p < n && (d = this.delimiterAt(buf, p)) === 0 && isSpace(buf.charCodeAt(p))) p++;
      if (d === MORE || (p >= n && !this.final)) return MORE;
      let value: string;
      let quoted = false;
      if (p < n && buf.charCodeAt(p) === QUOTE) {
        quoted = true;
        value = '';
        let from = ++p;
        for (;;) {
          const q = buf.indexOf('"', p);
          if (q < 0) {
            if (this.final) throw new CsvUnsupported('a quote not closed');
            return MORE;
          }
          if (q + 1 >= n && !this.final) return MORE;
          if (buf.charCodeAt(q + 1) === QUOTE) {
            value += buf.slice(from, q + 1);
            p = from = q + 2;
            continue;
          }
          value += buf.slice(from, q);
          p = q + 1;
          break;
        }
        while (p < n && (d = this.delimiterAt(buf, p)) === 0) {
          const c = buf.charCodeAt(p);
          if (c === COMMA) break;
          // csv-parse takes a multi-byte space here for text after the quote (it steps one byte of it).
          if (c >= 0x80 || !isSpace(c)) throw new CsvUnsupported('text after a closing quote');
          p++;
        }
        if (d === MORE || (p >= n && !this.final)) return MORE;
      } else {
        const from = p;
        while (p < n && (d = this.delimiterAt(buf, p)) === 0) {
          const c = buf.charCodeAt(p);
          if (c === COMMA) break;
          if (c === QUOTE) throw new CsvUnsupported('a quote inside an unquoted field');
          p++;
        }
        if (d === MORE || (p >= n && !this.final)) return MORE;
        value = buf.slice(from, p).trimEnd();
      }
      if (p < n && d === 0) {
        // A comma: the next field.
        fields.push(value);
        p++;
        continue;
      }
      // A record delimiter, or the end of the input.
      const end = p < n ? p + d : n;
      if (fields.length === 0 && !quoted && value === '') return end;
      fields.push(value);
      this.emit(fields);
      return end;
    }
  }

  /** One record from p when the header is known: a line without a quote is cut at its commas; others are walked. */
  private line(buf: string, p: number): number {
    const n = buf.length;
    let e = buf.indexOf('\n', p);
    if (e < 0) {
      if (!this.final) return MORE;
      e = n;
    }
    if (this.nextQuote < p) {
      const q = buf.indexOf('"', p);
      this.nextQuote = q < 0 ? n : q;
    }
    let stop = e;
    if (this.mode === CRLF_MODE && e < n) {
      // A lone \n inside a CRLF file belongs to a field: walk it.
      if (buf.charCodeAt(e - 1) !== CR || e - 1 < p) return this.walk(buf, p);
      stop = e - 1;
    }
    if (this.nextQuote < e) return this.walk(buf, p);
    const slotOf = this.slotOf;
    const values = this.values;
    const width = this.width;
    let k = 0;
    let s = p;
    for (;;) {
      let c = buf.indexOf(',', s);
      if (c < 0 || c > stop) c = stop;
      if (k < width) {
        const slot = slotOf[k]!;
        if (slot >= 0) values[slot] = trimmed(buf.slice(s, c));
      }
      k++;
      if (c === stop) break;
      s = c + 1;
    }
    const next = e < n ? e + 1 : n;
    if (k === 1 && buf.slice(p, stop).trim() === '') return next;
    if (k !== width) throw new CsvUnsupported(`a record of ${k} fields under a header of ${width}`);
    this.sink.record(values);
    return next;
  }

  private emit(fields: readonly string[]): void {
    if (this.width < 0) {
      this.width = fields.length;
      this.slotOf = new Int32Array(fields.length).fill(-1);
      for (let k = 0; k < this.wanted.length; k++) {
        const at = fields.lastIndexOf(this.wanted[k]!);
        if (at >= 0) this.slotOf[at] = k;
      }
      this.sink.header(headerKeys(fields));
      return;
    }
    if (fields.length !== this.width) throw new CsvUnsupported(`a record of ${fields.length} fields under a header of ${this.width}`);
    const values = this.values;
    for (let i = 0; i < fields.length; i++) {
      const slot = this.slotOf[i]!;
      if (slot >= 0) values[slot] = fields[i]!;
    }
    this.sink.record(values);
  }
}
