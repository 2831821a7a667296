/**
 * Publish's inputs as shards: each input file planned as the shards it is published as (itself, or
 * cut from it), and each planned shard opened for validation without holding the input.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { WarmstartError } from '../errors.js';
import { openArrowFile } from './arrow-by-batch.js';
import { csvToShards } from './csv.js';
import { hashLocalFile, openLocalFile, openParquetFile } from './input-file.js';
import { cannotReadFile } from './read-errors.js';
import type { PlannedShard, TempShards } from './shard-plan.js';
import { shardFormatOf, type ShardFile } from './shard-reader.js';
import { splitArrow } from './split-arrow.js';
import { splitParquet } from './split-parquet.js';

/** The request fields that say how an input is read (PublishFilesRequest has them all). */
export interface InputOptions {
  label: string;
  features: string[];
  categorical?: string[];
  idColumn?: string;
  weightColumn?: string;
  splitColumn?: string;
  signal?: AbortSignal;
}

function invalid(message: string, subject: string): WarmstartError {
  return new WarmstartError('DATASET_INVALID', message, subject);
}

/** One input file, planned as the shards it is published as (itself, or cut from it). */
export interface Input {
  name: string;
  shards: PlannedShard[];
}

/** One planned shard, opened for validation: read group by group, hashed. */
export interface OpenedShard {
  name: string;
  file: ShardFile;
  size: number;
  sha256: string;
  close(): Promise<void>;
}

/**
 * Plans an input's shards: a Parquet or Arrow file within the shard bound is published as it is; a
 * larger one is cut at row-group / record-batch boundaries into temporary files; a CSV file is
 * converted (streamed twice) into temporary Parquet shards.
 */
export async function planInput(file: string, request: InputOptions, limit: number, temp: TempShards): Promise<Input> {
  const name = path.basename(file);
  const format = shardFormatOf(name);
  if (!format) throw invalid(`file ${file} is not .parquet, .arrow/.feather/.ipc or .csv; convert it or rename it`, file);
  if (format === 'csv') {
    const declared = request.categorical ?? [];
    const textColumns = request.splitColumn ? [request.splitColumn] : [];
    const numeric = request.weightColumn ? [request.weightColumn] : [];
    const maybeText = request.features.filter((name) => !declared.includes(name));
    const columns = { numeric, maybeText, categorical: declared, label: request.label, id: request.idColumn, text: textColumns };
    const shards = await csvToShards(file, columns, name, { limit, next: () => temp.next('parquet'), signal: request.signal });
    return { name, shards: shards.map((shard) => ({ path: shard.path, format: 'parquet', rowOffset: shard.rowOffset })) };
  }
  const local = await openLocalFile(file, request.signal);
  try {
    if (local.size <= limit) return { name, shards: [{ path: file, format, rowOffset: 0 }] };
    const shards = format === 'parquet' ? await splitParquet(local, name, limit, temp) : await splitArrow(local, name, limit, temp);
    if (shards.length === 0) throw invalid(`shard ${name} has no rows; publish a file with rows`, name);
    return { name, shards };
  } finally {
    await local.close();
  }
}

/** A group's rows numbered from the input's first row, so that errors name the input's row. */
function fromRow(file: ShardFile, offset: number): ShardFile {
  if (offset === 0) return file;
  return { ...file, readGroup: async (index, columns) => {
    const group = await file.readGroup(index, columns);
    return { ...group, rowStart: group.rowStart + offset };
  } };
}

/**
 * Opens a planned shard to validate it by positioned reads, never whole: Parquet from its footer, one
 * row group at a time; Arrow by a walk of its messages, one record batch at a time (arrow-by-batch.ts).
 */
export async function openPlanned(shard: PlannedShard, name: string, signal: AbortSignal | undefined): Promise<OpenedShard> {
  const local = await openLocalFile(shard.path, signal);
  try {
    const file = shard.format === 'parquet' ? await openParquetFile(local, name) : await openArrowFile(local, name);
    const sha256 = await hashLocalFile(local);
    return { name, file: fromRow(file, shard.rowOffset), size: local.size, sha256, close: () => local.close() };
  } catch (error) {
    await local.close();
    throw error;
  }
}

export async function readWhole(file: string, signal: AbortSignal | undefined): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(file, { signal }));
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw cannotReadFile(file, error);
  }
}
