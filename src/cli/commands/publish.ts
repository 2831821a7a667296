import { publishFiles } from '../../data/publish-files.js';
import type { PublishResult } from '../../data/publish.js';
import { WarmstartError } from '../../errors.js';
import type { ObjectStore } from '../../storage/object-store.js';
import { defineCommand } from '../command.js';
import { DATASET, JSON_OUTPUT, STORE } from '../common-options.js';
import type { Writer } from '../io.js';
import { progressBar } from '../output.js';

export interface PublishCommandOptions {
  files: string[];
  dataset: string;
  label: string;
  features: string;
  /** Integer feature columns to treat as categorical (string columns always are). */
  categorical?: string;
  shape?: string;
  splitColumn?: string;
  weightColumn?: string;
  idColumn?: string;
  newClasses?: boolean;
  /** Cancels the publish (the CLI's first SIGINT/SIGTERM): uploads are aborted, its shards removed. */
  signal?: AbortSignal;
  /** Where the upload progress bar goes (on a terminal only); default stderr. */
  terminal?: Writer;
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
  const bar = progressBar(`uploading ${options.dataset}`, options.terminal);
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  try {
    return await publishFiles(store, {
      dataset: options.dataset,
      files: options.files,
      label: options.label,
      features: options.features.split(',').map((c) => c.trim()).filter(Boolean),
      ...(options.categorical ? { categorical: options.categorical.split(',').map((c) => c.trim()).filter(Boolean) } : {}),
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

export const publishCli = defineCommand({
  name: 'publish',
  group: 'data',
  summary: "publish Parquet, Arrow IPC or CSV files as the dataset's next version",
  args: { usage: '<files...>', min: 1 },
  options: {
    dataset: DATASET,
    label: { type: 'string', value: '<col>', required: true, help: 'the label column' },
    features: { type: 'string', value: '<col>[,<col>...]', required: true, help: 'the feature columns' },
    categorical: { type: 'string', value: '<col>[,<col>...]', help: 'integer feature columns that are categories (string columns always are)' },
    shape: { type: 'string', value: '28,28,1', help: 'the shape of one example, when features is one list column' },
    'split-column': { type: 'string', value: '<col>', help: 'a column naming each row\'s split (train, validation, test)' },
    'weight-column': { type: 'string', value: '<col>', help: 'a column of per-example weights' },
    'id-column': { type: 'string', value: '<col>', help: 'a column of row IDs' },
    'new-classes': { type: 'boolean', help: 'the version brings classes the model has not seen' },
    ...STORE,
    ...JSON_OUTPUT,
  },
  windsDown: {},
  async run({ values, args, io, context, out }) {
    const { store } = await context();
    const result = await publishCommand(store, {
      files: args,
      dataset: values.dataset,
      label: values.label,
      features: values.features,
      categorical: values.categorical,
      shape: values.shape,
      splitColumn: values['split-column'],
      weightColumn: values['weight-column'],
      idColumn: values['id-column'],
      newClasses: values['new-classes'],
      signal: io.signal,
      terminal: io.stderr,
    });
    out(values.json ? JSON.stringify(result, null, 2) : describePublish(result));
  },
});
