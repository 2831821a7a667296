/**
 * CSV inputs to Parquet shards of just the named columns. Read in one pass when it can be: the types
 * that need a whole column (integer labels, numeric features) are settled group by group, and each
 * row group is written under the types known so far. Types only ever narrow (a column becomes strings,
 * labels stop being integers); if one narrows after a group was written, the shards are dropped, the
 * rest of the file is only scanned for types, and a second pass writes under the final ones. Either
 * way the shards are the bytes a two-pass conversion writes. Files the fast scanner leaves to csv-parse
 * (csv-scan.ts) are converted again with csv-parse, which answers as it always did.
 */
import { rmSync } from 'node:fs';
import { parse as parseWhole } from 'csv-parse/sync';
import { fileWriter, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { WarmstartError } from '../errors.js';
import { CSV_ROW_GROUP, CsvGroup, CsvTypes, groupColumns, type CsvColumns } from './csv-groups.js';
import { CSV_PARSE_OPTIONS, doesNotParse, readCsv, type CsvEngine } from './csv-read.js';
import { CsvScanner, CsvUnsupported, type CsvRecordSink } from './csv-scan.js';
import { writeParquet } from './parquet-write.js';
import { snappyCompress } from './snappy-compress.js';

export type { CsvColumns } from './csv-groups.js';

/** Pages compressed by our Snappy compressor: about twice as fast as hyparquet-writer's (snappy-compress.ts). */
const COMPRESSORS = { SNAPPY: snappyCompress };

export interface CsvShardOptions {
  /** Largest shard in bytes; a shard is closed once a row group takes it to this size. */
  limit: number;
  /** Names each next temporary shard file. */
  next: () => string;
  signal?: AbortSignal;
  /** The parser: auto (the fast scanner, csv-parse where it defers) or csv-parse alone (the reference). */
  engine?: 'auto' | 'csv-parse';
}

export interface CsvShard {
  path: string;
  rows: number;
  rowOffset: number;
}

/** Row groups to Parquet shard files, a new file once one reaches the limit. */
class ShardWriter {
  readonly shards: CsvShard[] = [];
  private writer: { parquet: ParquetWriter; raw: ReturnType<typeof fileWriter>; shard: CsvShard } | undefined;
  rows = 0;

  constructor(private readonly options: CsvShardOptions) {}

  write(data: ReturnType<typeof groupColumns>, size: number): void {
    if (!this.writer) {
      const path = this.options.next();
      const raw = fileWriter(path);
      const parquet = new ParquetWriter({ writer: raw, schema: schemaFromColumnData({ columnData: data }), createdBy: 'warmstart', compressors: COMPRESSORS });
      this.writer = { parquet, raw, shard: { path, rows: 0, rowOffset: this.rows } };
    }
    // fileWriter writes synchronously, so write() and finish() are done when they return (their types allow a promise).
    void this.writer.parquet.write({ columnData: data.map(({ name, data: values }) => ({ name, data: values })), rowGroupSize: size });
    this.writer.shard.rows += size;
    this.rows += size;
    if (this.writer.raw.offset >= this.options.limit) this.finish();
  }

  finish(): void {
    if (!this.writer) return;
    void this.writer.parquet.finish();
    this.shards.push(this.writer.shard);
    this.writer = undefined;
  }

  /** Removes every file written (a pass whose shards are not kept). */
  discard(): void {
    this.finish();
    for (const shard of this.shards) rmSync(shard.path, { force: true });
    this.shards.length = 0;
  }
}

/** Feeds records into row groups; each full group goes to onGroup. */
function groupSink(group: CsvGroup, types: CsvTypes, onGroup: () => void): CsvRecordSink {
  return {
    header: (keys) => types.setHeader(keys),
    record: (values) => {
      types.checkHeader();
      group.add(values);
      if (group.size === CSV_ROW_GROUP) {
        onGroup();
        group.clear();
      }
    },
  };
}

/** Pass 1: types, and shards written under the types so far while no type narrowed after a write. */
async function firstPass(file: string, columns: CsvColumns, name: string, options: CsvShardOptions, engine: CsvEngine): Promise<{ types: CsvTypes; shards?: CsvShard[] }> {
  const types = new CsvTypes(columns, name);
  const group = new CsvGroup(columns, types, true);
  const writer = new ShardWriter(options);
  let writing = true;
  let changesAtWrite = -1;
  /** A refusal met while writing (a bad id): raised once the whole file read, as a second pass would. */
  let refusal: WarmstartError | undefined;
  const onGroup = () => {
    if (!writing) return;
    if (group.lost || (changesAtWrite >= 0 && types.changes !== changesAtWrite)) {
      writing = false;
      writer.discard();
      return;
    }
    changesAtWrite = types.changes;
    try {
      writer.write(groupColumns(group, columns, types, name, writer.rows), group.size);
    } catch (error) {
      if (!(error instanceof WarmstartError)) throw error;
      refusal = error;
      writing = false;
      writer.discard();
    }
  };
  try {
    await readCsv(file, name, group.wanted, groupSink(group, types, onGroup), engine, options.signal);
    if (group.size > 0) onGroup();
    types.done();
  } catch (error) {
    writer.discard();
    throw error;
  }
  if (refusal) throw refusal;
  if (!writing) return { types };
  writer.finish();
  return { types, shards: writer.shards };
}

/** Pass 2: every row group written under the final types. */
async function secondPass(file: string, columns: CsvColumns, name: string, options: CsvShardOptions, types: CsvTypes, engine: CsvEngine): Promise<CsvShard[]> {
  const group = new CsvGroup(columns, types, false);
  const writer = new ShardWriter(options);
  const write = () => writer.write(groupColumns(group, columns, types, name, writer.rows), group.size);
  try {
    await readCsv(file, name, group.wanted, groupSink(group, new CsvTypes(columns, name), write), engine, options.signal);
    if (group.size > 0) write();
  } catch (error) {
    writer.discard();
    throw error;
  }
  writer.finish();
  if (writer.rows !== types.rows) {
    writer.discard();
    throw new WarmstartError('DATASET_INVALID', `CSV file ${file} changed while it was being read (${types.rows} rows, then ${writer.rows}); leave the files alone while publishing, then publish again`, file);
  }
  return writer.shards;
}

async function convert(file: string, columns: CsvColumns, name: string, options: CsvShardOptions, engine: CsvEngine): Promise<CsvShard[]> {
  const { types, shards } = await firstPass(file, columns, name, options, engine);
  return shards ?? secondPass(file, columns, name, options, types, engine);
}

/**
 * Converts a CSV file to Parquet shards of just the named columns: row groups of 8192 rows written to
 * temporary files, a new shard once one reaches the limit. Memory: one row group. Row r of the
 * concatenated shards is data row r of the CSV (0-based, header not counted).
 */
export async function csvToShards(file: string, columns: CsvColumns, name: string, options: CsvShardOptions): Promise<CsvShard[]> {
  if (options.engine === 'csv-parse') return convert(file, columns, name, options, 'csv-parse');
  try {
    return await convert(file, columns, name, options, 'fast');
  } catch (error) {
    if (!(error instanceof CsvUnsupported)) throw error;
    return convert(file, columns, name, options, 'csv-parse');
  }
}

/** Every record of CSV text in one group (the scanner, or csv-parse where it defers); learning the types, or under known ones. */
function wholeGroup(text: string, columns: CsvColumns, name: string, types: CsvTypes, learn: boolean, engine: CsvEngine): CsvGroup {
  const group = new CsvGroup(columns, types, learn);
  const sink: CsvRecordSink = {
    header: (keys) => types.setHeader(keys),
    record: (values) => {
      types.checkHeader();
      group.add(values);
    },
  };
  if (engine === 'fast') {
    const scanner = new CsvScanner(group.wanted, sink);
    scanner.push(text);
    scanner.end();
    return group;
  }
  let all: Record<string, string>[];
  try {
    all = parseWhole(text, CSV_PARSE_OPTIONS) as Record<string, string>[];
  } catch (error) {
    throw doesNotParse(name, error);
  }
  if (all.length > 0) sink.header(Object.keys(all[0]!));
  for (const record of all) sink.record(group.wanted.map((column) => record[column] ?? ''));
  return group;
}

function textToParquet(text: string, columns: CsvColumns, name: string, engine: CsvEngine): { bytes: Uint8Array; rows: number } {
  const types = new CsvTypes(columns, name);
  let group = wholeGroup(text, columns, name, types, true, engine);
  types.done();
  // A column that turned out text after its first row lost its earlier values: read again under the final types.
  if (group.lost) group = wholeGroup(text, columns, name, types, false, engine);
  return { bytes: writeParquet(groupColumns(group, columns, types, name, 0), CSV_ROW_GROUP, COMPRESSORS), rows: group.size };
}

/**
 * Converts CSV text held in memory (header row, comma-separated) to one Parquet file of just the named
 * columns, the same bytes csvToShards writes for a file within the shard bound. Row r of the Parquet
 * file is data row r of the CSV (0-based, header not counted).
 */
export function csvToParquet(text: string, columns: CsvColumns, name: string, engine: 'auto' | 'csv-parse' = 'auto'): { bytes: Uint8Array; rows: number } {
  if (engine === 'csv-parse') return textToParquet(text, columns, name, 'csv-parse');
  try {
    return textToParquet(text, columns, name, 'fast');
  } catch (error) {
    if (!(error instanceof CsvUnsupported)) throw error;
    return textToParquet(text, columns, name, 'csv-parse');
  }
}
