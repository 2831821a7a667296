import { publishFiles } from '../../data/publish-files.js';
import type { PublishResult } from '../../data/publish.js';
import { WarmstartError } from '../../errors.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { progressBar } from '../output.js';

export interface PublishCommandOptions {
  files: string[];
  dataset: string;
  label: string;
  features: string;
  shape?: string;
  splitColumn?: string;
  weightColumn?: string;
  idColumn?: string;
  newClasses?: boolean;
  /** Cancels the publish (the CLI's first SIGINT/SIGTERM): uploads are aborted, its shards removed. */
  signal?: AbortSignal;
}

function parseShape(text: string): number[] {
  const shape = text.split(/[,x]/).map((part) => Number(part.trim()));
  if (shape.length === 0 || shape.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new WarmstartError('CONFIG_INVALID', `--shape "${text}" is not a list of positive integers; e.g. --shape 28,28,1`, '--shape');
  }
  return shape;
}

/** `warmstart publish`: validates the files, uploads them as the dataset's next version, then commits the manifest. */
export async function publishCommand(store: ObjectStore, options: PublishCommandOptions): Promise<PublishResult> {
  const bar = progressBar(`uploading ${options.dataset}`);
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  try {
    return await publishFiles(store, {
      dataset: options.dataset,
      files: options.files,
      label: options.label,
      features: options.features.split(',').map((c) => c.trim()).filter(Boolean),
      shape: options.shape ? parseShape(options.shape) : undefined,
      splitColumn: options.splitColumn,
      weightColumn: options.weightColumn,
      idColumn: options.idColumn,
      newClasses: options.newClasses,
      signal: options.signal,
      onProgress: (done, total) => bar.update(done, total, `${mb(done)}/${mb(total)}`),
    });
  } finally {
    bar.done();
  }
}

export function describePublish(result: PublishResult): string {
  return `published ${result.dataset} v${result.version} (${result.rows} new rows in ${result.newShards} shards, ${result.inheritedShards} inherited, ${result.classes.length} classes) -> ${result.manifestKey}`;
}
