/**
 * Reading a CSV file's records into a sink, streamed: read in 1 MiB chunks, decoded as UTF-8 (fatal:
 * a replacement character would otherwise become a class name of its own; a leading BOM is dropped),
 * then scanned by the fast scanner (csv-scan.ts) or, for the files it leaves to the reference, by
 * csv-parse's streaming parser with publish's options. Both report the same records; read failures
 * become one line (missing file, not UTF-8), a cancel is passed on as it is.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { WarmstartError } from '../errors.js';
import { CsvScanner, CsvUnsupported, type CsvRecordSink } from './csv-scan.js';
import { cannotReadFile } from './read-errors.js';

/** The options publish has always parsed CSV with; the fast scanner answers as they do. */
export const CSV_PARSE_OPTIONS = { columns: true, skip_empty_lines: true, trim: true } as const;

/** fast: the scanner (CsvUnsupported where it defers); csv-parse: the reference parser. */
export type CsvEngine = 'fast' | 'csv-parse';

function invalid(message: string, subject: string, cause?: unknown): WarmstartError {
  return new WarmstartError('DATASET_INVALID', message, subject, cause === undefined ? undefined : { cause });
}

export function doesNotParse(name: string, error: unknown): WarmstartError {
  return invalid(`CSV file ${name} does not parse (${(error as Error).message}); fix the file`, name, error);
}

function chunks(file: string, signal?: AbortSignal) {
  return createReadStream(file, { signal, highWaterMark: 1024 * 1024 });
}

async function scanFile(file: string, wanted: readonly string[], sink: CsvRecordSink, signal?: AbortSignal): Promise<void> {
  const scanner = new CsvScanner(wanted, sink);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of chunks(file, signal)) scanner.push(decoder.decode(chunk as Uint8Array, { stream: true }));
  scanner.push(decoder.decode());
  scanner.end();
}

/** csv-parse's records (objects keyed by the header) into the sink, as the scanner would pass them. */
async function parseFile(file: string, name: string, wanted: readonly string[], sink: CsvRecordSink, signal?: AbortSignal): Promise<void> {
  const parser = parse(CSV_PARSE_OPTIONS);
  const source = chunks(file, signal);
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
  const values = wanted.map(() => '');
  let first = true;
  try {
    for await (const record of parser) {
      const row = record as Record<string, string>;
      if (first) {
        sink.header(Object.keys(row));
        first = false;
      }
      for (let k = 0; k < wanted.length; k++) values[k] = row[wanted[k]!] ?? '';
      sink.record(values);
    }
  } catch (error) {
    // The sink's own refusal (a missing column, a bad id) stands; the parser is destroyed below.
    if (error instanceof WarmstartError) throw error;
    await pump;
    throw failure ?? doesNotParse(name, error);
  } finally {
    source.destroy();
    parser.destroy();
  }
  await pump;
  if (failure !== undefined) throw failure;
}

/**
 * Passes the records of a CSV file to the sink: the header's keys (once, before the first data record),
 * then each data record's wanted values. Throws CsvUnsupported (fast engine) where csv-parse must decide.
 */
export async function readCsv(file: string, name: string, wanted: readonly string[], sink: CsvRecordSink, engine: CsvEngine, signal?: AbortSignal): Promise<void> {
  try {
    if (engine === 'fast') await scanFile(file, wanted, sink, signal);
    else await parseFile(file, name, wanted, sink, signal);
  } catch (error) {
    if (error instanceof WarmstartError || error instanceof CsvUnsupported || (error as Error).name === 'AbortError') throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_ENCODING_INVALID_ENCODED_DATA') throw invalid(`CSV file ${file} is not valid UTF-8; save it as UTF-8 and publish again`, file, error);
    throw cannotReadFile(file, error);
  }
}
